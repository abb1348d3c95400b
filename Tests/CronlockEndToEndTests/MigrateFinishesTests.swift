@testable import CronlockCore
import Foundation
import Testing
import CronlockTestSupport

/// `migrate` finishes what it starts, on both backends alike (issue 13, item 7).
@Suite("cronlock migrate finishes what it starts")
struct MigrateFinishesTests {
  /// gocron-gorm-lock's table on either backend, without its unique index (gorm's `idx_name`
  /// collided and was skipped).
  func gormTable(_ backend: Backend) throws -> TestDatabase {
    let database = try TestDatabase.fresh(backend, "gorm", migrated: false)
    let id = backend == .postgres ? "bigserial PRIMARY KEY" : "integer PRIMARY KEY AUTOINCREMENT"
    if backend == .sqlite { _ = try SQLiteConnection.open(path: database.path!, create: true) }
    try database.execute("""
      CREATE TABLE "\(database.table)" (id \(id), created_at datetime_or_tz, updated_at datetime_or_tz,
        job_name text, job_identifier text, worker text NOT NULL, status text NOT NULL)
      """.replacingOccurrences(of: "datetime_or_tz", with: backend == .postgres ? "timestamptz" : "datetime"))
    return database
  }

  func goRow(_ database: TestDatabase, job: String, slot: String, worker: String, status: String = "FINISHED") throws {
    try database.execute("""
      INSERT INTO "\(database.table)" (created_at, updated_at, job_name, job_identifier, worker, status)
      VALUES ($1, $1, $2, $3, $4, $5)
      """, [TestDatabase.ago(60), job, slot, worker, status])
  }

  /// (unique indexes, other indexes) on the table, primary key aside.
  func indexes(_ database: TestDatabase) throws -> [Int] {
    let row = try database.backend == .postgres
      ? database.query("""
        SELECT count(*) FILTER (WHERE indisunique AND NOT indisprimary), count(*) FILTER (WHERE NOT indisunique)
        FROM pg_index WHERE indrelid = to_regclass($1)
        """, ["\"\(database.table)\""])[0]
      : database.query("""
        SELECT count(*) FILTER (WHERE "unique" AND origin = 'c'), count(*) FILTER (WHERE NOT "unique") FROM pragma_index_list($1)
        """, [database.table])[0]
    return row.map { Int($0!)! }
  }

  @Test("a 63-byte --table: index names that fit, migrate twice, and runs win and lose", arguments: Backend.allCases)
  func longTableName(backend: Backend) throws {
    let fresh = try TestDatabase.fresh(backend, migrated: false)
    let name = String((fresh.table + String(repeating: "x", count: 63)).prefix(63))
    let database = TestDatabase(backend: backend, table: name, url: fresh.url)
    for _ in 0..<2 {
      let result = database.run(["migrate"])
      #expect(result.status == 0, "\(result.stderr)")
    }
    #expect(try indexes(database) == [1, 2])
    let scratch = Scratch()
    for _ in 0..<2 {
      #expect(database.run(["--job", "j", "--identifier", "s", "--"] + scratch.markingChild).status == 0)
    }
    #expect(scratch.markerLines.count == 1)
  }

  @Test("another table owns the index names cronlock wants: it takes the next ones; when all are taken, 78 and nothing changed",
        arguments: Backend.allCases)
  func indexNameTaken(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend, migrated: false)
    let table = try TableName(parsing: database.table)
    if backend == .sqlite { _ = try SQLiteConnection.open(path: database.path!, create: true) }
    let other = "other_" + database.table
    try database.execute("CREATE TABLE \"\(other)\" (a text, b text)")
    for index in [LockIndex.uniqueKey] + LockIndex.secondary {
      try database.execute("CREATE INDEX \"\(index.candidateNames(for: table)[0])\" ON \"\(other)\" (a)")
    }
    let result = database.run(["migrate"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(try indexes(database) == [1, 2])
    #expect(database.run(["migrate"]).status == 0, "idempotent with the second names")
    #expect(try indexes(database) == [1, 2])

    let blocked = try TestDatabase.fresh(backend, migrated: false)
    // PostgreSQL names the table with its schema (public), which its derived index names hash.
    let blockedTable = backend == .postgres ? try TableName(parsing: blocked.table).qualified
      : try TableName(parsing: blocked.table)
    if backend == .sqlite { _ = try SQLiteConnection.open(path: blocked.path!, create: true) }
    try blocked.execute("CREATE TABLE \"other_\(blocked.table)\" (a text)")
    for name in LockIndex.secondary[1].candidateNames(for: blockedTable) {
      try blocked.execute("CREATE INDEX \"\(name)\" ON \"other_\(blocked.table)\" (a)")
    }
    let refused = blocked.run(["migrate"])
    #expect(refused.status == 78, "\(refused.stderr)")
    #expect(refused.stderr.contains("belong to other tables") && refused.stderr.split(separator: "\n").count == 1,
            "\(refused.stderr)")
    let exists = backend == .postgres
      ? try blocked.query("SELECT to_regclass($1) IS NOT NULL", ["\"\(blocked.table)\""]) == [["t"]]
      : try blocked.query("SELECT count(*) FROM pragma_table_info($1)", [blocked.table]) != [["0"]]
    #expect(!exists, "one transaction: the table it began to create is gone too")
  }

  @Test("duplicates from gorm's skipped index: 78 listing them, nothing changed; keep-first removes all but the first and says so",
        arguments: Backend.allCases)
  func duplicates(backend: Backend) throws {
    let database = try gormTable(backend)
    try goRow(database, job: "report", slot: "2026-11-29 04:50:00.000", worker: "go-a")
    try goRow(database, job: "report", slot: "2026-11-29 04:50:00.000", worker: "go-b\u{1B}[2J")
    try goRow(database, job: "report", slot: "2026-11-29 04:51:00.000", worker: "go-a")
    let ids = try database.query("SELECT id FROM \"\(database.table)\" ORDER BY id").map { $0[0]! }
    let refused = database.run(["migrate"])
    #expect(refused.status == 78)
    #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
    #expect(refused.stderr.contains("row \(ids[0]) (worker 'go-a', FINISHED), row \(ids[1]) (worker 'go-b\\x1B[2J', FINISHED)"),
            "\(refused.stderr)")
    #expect(refused.stderr.contains("--resolve-duplicates keep-first"))
    #expect(try database.query("SELECT count(*) FROM \"\(database.table)\"") == [["3"]])
    #expect(try indexes(database) == [0, 0], "nothing was created")

    let resolved = database.run(["migrate", "--resolve-duplicates", "keep-first"])
    #expect(resolved.status == 0, "\(resolved.stderr)")
    #expect(resolved.stdout == "removed row \(ids[1]) (job 'report', slot '2026-11-29 04:50:00.000', "
      + "worker 'go-b\\x1B[2J', FINISHED); kept row \(ids[0])\n")
    #expect(try database.query("SELECT id FROM \"\(database.table)\" ORDER BY id").map { $0[0]! } == [ids[0], ids[2]])
    #expect(try indexes(database) == [1, 2])
    let scratch = Scratch()
    #expect(database.run(["--job", "report", "--identifier", "2026-11-29 04:50:00.000", "--"] + scratch.markingChild).status == 0)
    #expect(scratch.markerLines.isEmpty, "the kept row still owns its slot")
  }

  @Test("run against an unmigrated gorm table: 78 naming migrate on both backends, the command not run, the table untouched",
        arguments: Backend.allCases)
  func runDoesNotAdopt(backend: Backend) throws {
    let database = try gormTable(backend)
    let columnsBefore = try columnCount(database)
    let scratch = Scratch()
    let result = database.run(["--job", "j", "--identifier", "s", "--on-db-error", "run", "--"] + scratch.markingChild)
    #expect(result.status == 78, "\(result.stderr)")
    #expect(result.stderr.contains("cronlock migrate"), "\(result.stderr)")
    #expect(scratch.markerLines.isEmpty)
    #expect(try columnCount(database) == columnsBefore)
    #expect(database.run(["check"]).status == 78, "check agrees with run")
    #expect(database.run(["migrate"]).status == 0)
    #expect(database.run(["--job", "j", "--identifier", "s", "--"] + scratch.markingChild).status == 0)
    #expect(scratch.markerLines.count == 1)
  }

  func columnCount(_ database: TestDatabase) throws -> String? {
    let sql = database.backend == .postgres
      ? "SELECT count(*) FROM information_schema.columns WHERE table_name = $1"
      : "SELECT count(*) FROM pragma_table_info($1)"
    return try database.query(sql, [database.table])[0][0]
  }
}
