import Foundation
import Testing

@testable import CronlockCore
import CronlockTestSupport

/// What only the SQLite backend does: its URLs, its file, its write lock, and never being
/// chosen unless named.
@Suite("SQLite backend")
struct SQLiteTests {
  /// Runs cronlock from `directory`, so relative `sqlite:` paths resolve there.
  func run(in directory: String, _ arguments: [String], environment: [String: String] = [:]) -> ProcessResult {
    Shell.run(["/bin/sh", "-c", "cd \"$1\" && shift && exec \"$@\"", "sh", directory, CronlockBinary.path] + arguments,
              environment: CronlockBinary.environment(environment))
  }

  @Test("sqlite:relative and sqlite:///absolute name the same file; the first run creates it, in WAL mode")
  func urlForms() throws {
    let scratch = Scratch()
    let relative = run(in: scratch.directory.path,
                       ["run", "--database", "sqlite:locks.db", "--job", "j", "--identifier", "s", "--"] + scratch.markingChild)
    #expect(relative.status == 0 && relative.stderr.isEmpty, "\(relative.stderr)")
    #expect(FileManager.default.fileExists(atPath: scratch.path("locks.db")))
    let absolute = CronlockBinary.run(
      ["run", "-v", "--database", "sqlite://\(scratch.path("locks.db"))", "--job", "j", "--identifier", "s", "--"]
        + scratch.markingChild)
    #expect(absolute.status == 0)
    #expect(absolute.stderr.contains("another worker owns this slot"))
    #expect(scratch.markerLines.count == 1)
    let connection = try SQLiteConnection.open(path: scratch.path("locks.db"), create: false)
    #expect(try connection.query("PRAGMA journal_mode", deadline: .after(.seconds(5))) == [["wal"]])
  }

  @Test("with no database named, cronlock uses libpq's defaults and fails closed; it never makes an SQLite file")
  func neverFallsBack() throws {
    let scratch = Scratch()
    let result = run(in: scratch.directory.path, ["run", "--job", "j", "--connect-timeout", "1s", "--"] + scratch.markingChild,
                     environment: ["PGHOST": scratch.path("no-server"), "PGPORT": "5432"])
    #expect(result.status == 75, "\(result.stderr)")
    #expect(result.stderr.hasPrefix("cronlock: ") && result.stderr.contains("connect"))
    #expect(scratch.markerLines.isEmpty)
    #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.directory.path).isEmpty)
  }

  @Test("a URL or file that cannot serve is one line and 78, and nothing runs", arguments: [
    (["--database", "sqlite://dbhost/locks.db"], "names a host"),
    (["--database", "sqlite:"], "names no file"),
    (["--database", "sqlite::memory:"], "no file on disk"),
    (["--database", "sqlite:/nonexistent-dir/locks.db"], "cannot open SQLite database /nonexistent-dir/locks.db"),
    (["--database", "sqlite:SCRATCH/garbage.db"], "is not an SQLite database"),
    (["--database", "sqlite:SCRATCH/locks.db", "--table", "ops.locks"], "SQLite has no schemas"),
  ])
  func unusable(options: [String], complaint: String) throws {
    let scratch = Scratch()
    try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: scratch.path("garbage.db")))
    let options = options.map { $0.replacingOccurrences(of: "SCRATCH", with: scratch.directory.path) }
    let result = CronlockBinary.run(["run", "--job", "j"] + options + ["--"] + scratch.markingChild)
    #expect(result.status == 78, "\(result.stderr)")
    #expect(result.stderr.hasPrefix("cronlock: ") && result.stderr.contains(complaint), "\(result.stderr)")
    #expect(result.stderr.split(separator: "\n").count == 1)
    #expect(scratch.markerLines.isEmpty)
  }

  @Test("list, purge and check on a file that does not exist say so (78) and create nothing")
  func readersDoNotCreate() throws {
    let scratch = Scratch()
    let url = "sqlite:" + scratch.path("missing.db")
    for arguments in [["list"], ["purge", "--ttl", "1d"]] {
      let result = CronlockBinary.run(arguments + ["--database", url])
      #expect(result.status == 78, "\(arguments): \(result.stderr)")
      #expect(result.stderr.contains("cannot open SQLite database"), "\(result.stderr)")
    }
    let check = CronlockBinary.run(["check", "--database", url])
    #expect(check.status == 0, "a missing file in a writable directory is ready: run creates it\n\(check.stdout)")
    #expect(check.stdout.contains("does not exist yet"))
    #expect(!FileManager.default.fileExists(atPath: scratch.path("missing.db")))
  }

  @Test("another writer holding the file's lock past --lock-timeout: 75, no child; once it lets go the slot runs")
  func heldWriteLock() throws {
    let database = try TestDatabase.fresh(.sqlite)
    let scratch = Scratch()
    let holder = try SQLiteConnection.open(path: database.path!, create: false)
    try holder.query("BEGIN IMMEDIATE", deadline: .after(.seconds(5)))
    let blocked = database.run(["--job", "j", "--identifier", "s", "--lock-timeout", "1s", "--"] + scratch.markingChild)
    #expect(blocked.status == 75, "\(blocked.stderr)")
    #expect(blocked.stderr.contains("stayed locked by another writer for --lock-timeout 1s"), "\(blocked.stderr)")
    #expect(scratch.markerLines.isEmpty)
    try holder.query("ROLLBACK", deadline: .after(.seconds(5)))
    let after = database.run(["--job", "j", "--identifier", "s", "--"] + scratch.markingChild)
    #expect(after.status == 0)
    #expect(scratch.markerLines.count == 1)
  }

  @Test("a signal while the claim waits for the write lock ends cronlock with 128+N: no child, no row")
  func signalWhileWaitingForLock() throws {
    let database = try TestDatabase.fresh(.sqlite)
    let scratch = Scratch()
    let holder = try SQLiteConnection.open(path: database.path!, create: false)
    try holder.query("BEGIN IMMEDIATE", deadline: .after(.seconds(5)))
    let process = database.start(["--job", "j", "--identifier", "s", "--lock-timeout", "60s", "--connect-timeout", "60s",
                                  "--"] + scratch.markingChild)
    #expect(waitForOpenFile(process.pid, suffix: "locks.db-shm"), "cronlock opened the database")
    process.signal(SIGTERM)
    let result = process.finish()
    #expect(result.status == 143, "\(result.stderr)")
    #expect(scratch.markerLines.isEmpty)
    try holder.query("ROLLBACK", deadline: .after(.seconds(5)))
    #expect(try database.query("SELECT count(*) FROM \(database.table)") == [["0"]])
  }

  @Test("migrate adopts gocron-gorm-lock's SQLite table: adds the columns, keeps its index and rows")
  func adoptsGormTable() throws {
    let database = try TestDatabase.fresh(.sqlite, migrated: false)
    let connection = try SQLiteConnection.open(path: database.path!, create: true)
    for statement in [
      """
      CREATE TABLE "\(database.table)" (id integer PRIMARY KEY AUTOINCREMENT, created_at datetime, updated_at datetime,
        job_name text, job_identifier text, worker text NOT NULL, status text NOT NULL)
      """,
      "CREATE UNIQUE INDEX idx_name ON \"\(database.table)\" (job_name, job_identifier)",
      """
      INSERT INTO "\(database.table)" (created_at, updated_at, job_name, job_identifier, worker, status)
      VALUES ('2026-11-29 10:00:00.5+01:00', '2026-11-29 10:00:01.5+01:00', 'go-job', '2026-11-29 09:00:00.000', 'go-host', 'FINISHED')
      """,
    ] {
      try connection.query(statement, deadline: .after(.seconds(5)))
    }
    let check = database.run(["check"])
    #expect(check.status == 78 && check.stdout.contains("missing columns"), "\(check.stdout)")
    let migrate = database.run(["migrate", "-v"])
    #expect(migrate.status == 0, "\(migrate.stderr)")
    #expect(migrate.stderr.contains("exists; added cronlock's missing columns"), "\(migrate.stderr)")
    #expect(!migrate.stderr.contains("created the unique index"), "gorm's idx_name is found by catalog")
    #expect(database.run(["check"]).status == 0)
    let lost = database.run(["--job", "go-job", "--identifier", "2026-11-29 09:00:00.000", "--", "false"])
    #expect(lost.status == 0, "the Go service's slot is taken")
    let list = database.run(["list", "--format", "json"])
    let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
    #expect(rows.count == 1)
    #expect(rows.first?["started_at"] as? String == "2026-11-29T09:00:00.500Z", "the Go driver's offset is read")
    #expect(rows.first?["duration_ms"] as? Int == 1000)
  }

  @Test("migrate cannot add the unique index over duplicate rows: 78, and the table is left as it was")
  func duplicateRows() throws {
    let database = try TestDatabase.fresh(.sqlite, migrated: false)
    let connection = try SQLiteConnection.open(path: database.path!, create: true)
    try connection.query(
      "CREATE TABLE \"\(database.table)\" (id integer PRIMARY KEY, created_at datetime, updated_at datetime, job_name text, job_identifier text, worker text, status text)",
      deadline: .after(.seconds(5)))
    for _ in 0..<2 {
      try connection.query("INSERT INTO \"\(database.table)\" (job_name, job_identifier, worker, status) VALUES ('a', 'b', 'w', 'FINISHED')",
                           deadline: .after(.seconds(5)))
    }
    let result = database.run(["migrate"])
    #expect(result.status == 78)
    #expect(result.stderr.contains("more than one row") && result.stderr.contains("keep-first"), "\(result.stderr)")
    let columns = try connection.query("SELECT count(*) FROM pragma_table_info(?1)", [.text(database.table)],
                                       deadline: .after(.seconds(5)))
    #expect(columns == [["7"]], "the transaction rolled back the added columns too")
  }

  /// Waits until process `pid` has a file ending in `suffix` open.
  func waitForOpenFile(_ pid: pid_t, suffix: String, timeout: TimeInterval = 20) -> Bool {
    eventually(timeout: timeout, every: 0.01) {
      let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
      return descriptors.contains { descriptor in
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(descriptor)"))?.hasSuffix(suffix) == true
      }
    }
  }
}
