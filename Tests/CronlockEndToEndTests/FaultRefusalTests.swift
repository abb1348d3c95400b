import CronlockCore
import CronlockTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Catalogue items 35 and 37: setups that can never work are 78 — never 75, so that
/// --on-db-error run cannot run the command through them — and a table another session has
/// locked makes every subcommand give up within its bound with 75, leaving nothing half-done.
@Suite("fault: refusals and a locked table")
struct FaultRefusalTests {
  static let slack: TimeInterval = 2.5

  /// Runs cronlock as `role` on `table` under both failure policies: 78, no command, no row.
  func expectRefused(_ server: TestServer, table: String, role: String, mentioning words: String,
                     sourceLocation: SourceLocation = #_sourceLocation) throws
  {
    let scratch = Scratch()
    for policy in ["fail", "run"] {
      let result = Fault.run(["--job", "refused", "--identifier", "s-\(policy)", "--table", table,
                              "--on-db-error", policy, "--"] + scratch.faultChild(),
                             environment: server.environment, extra: ["PGUSER": role])
      #expect(result.status == 78, "\(policy): \(result.stderr)", sourceLocation: sourceLocation)
      #expect(result.stderr.contains(words), "\(result.stderr)", sourceLocation: sourceLocation)
      #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)", sourceLocation: sourceLocation)
    }
    #expect(scratch.executions.isEmpty, "never run on a 78", sourceLocation: sourceLocation)
    #expect(try server.query("SELECT count(*) FROM \(table)") == [["0"]], "nothing left behind",
            sourceLocation: sourceLocation)
  }

  @Test("item 37: a read-only role (default_transaction_read_only): 78 naming the fix, not run, also under --on-db-error run")
  func readOnlyRole() throws {
    let server = TestServer.shared
    let table = try server.freshTable("ro")
    try server.runnerRole("ro_runner", on: table, settings: ["default_transaction_read_only = on"])
    try expectRefused(server, table: table, role: "ro_runner", mentioning: "target_session_attrs=read-write")
  }

  @Test("item 37 / issue 12: a role that may INSERT but not UPDATE cannot record an outcome: 78 before the command starts")
  func noUpdatePrivilege() throws {
    let server = TestServer.shared
    let table = try server.freshTable("noupd")
    try server.execute("DO $$ BEGIN CREATE ROLE insert_only LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
    try server.execute("GRANT SELECT, INSERT ON \(table) TO insert_only")
    try expectRefused(server, table: table, role: "insert_only", mentioning: "permission denied")
  }

  @Test("issue 12: a role whose statement_timeout cancels the claim: 78, not an outage")
  func statementTimeoutRole() throws {
    let server = TestServer.shared
    let table = try server.freshTable("stmt")
    try server.runnerRole("short_statements", on: table, settings: ["statement_timeout = '300ms'"])
    // The claim waits behind this lock, so the role's statement_timeout is what ends it.
    let holder = try Connection.connect(url: server.conninfo, connectTimeout: .seconds(10), deadline: .after(.seconds(10)))
    try holder.execute("BEGIN")
    try holder.execute("LOCK TABLE \(table) IN SHARE MODE")
    defer { _ = try? holder.execute("ROLLBACK") }
    try expectRefused(server, table: table, role: "short_statements", mentioning: "statement_timeout")
  }

  @Test("item 37: a connection string libpq cannot use (port=notaport): 78 before any I/O, the value never printed",
        arguments: ["host=127.0.0.1 port=notaport dbname=postgres", "postgresql://u:se/cret@127.0.0.1:5432/postgres",
                    "host=127.0.0.1 sslmode=sometimes"])
  func unusableConnectionString(url: String) throws {
    let scratch = Scratch()
    for policy in ["fail", "run"] {
      let result = Fault.run(["--job", "bad-url", "--identifier", "s1", "--database", url, "--on-db-error", policy, "--"]
        + scratch.faultChild(), environment: TestServer.shared.environment)
      #expect(result.status == 78, "\(result.stderr)")
      #expect(result.stderr.contains("invalid database URL"), "\(result.stderr)")
      #expect(!result.stderr.contains("cret") && !result.stderr.contains("notaport"), "\(result.stderr)")
    }
    #expect(scratch.executions.isEmpty)
  }

  @Test("item 35: another session holds ACCESS EXCLUSIVE on the table: every subcommand ends within --connect-timeout, 75, one line")
  func lockedTable() throws {
    let server = TestServer.shared
    let table = try server.freshTable("locked")
    try server.execute("INSERT INTO \(table) (job_name, job_identifier, worker, status, updated_at) "
      + "VALUES ('old', 'o1', 'w', 'FINISHED', now() - interval '40 days')")
    let holder = try Connection.connect(url: server.conninfo, connectTimeout: .seconds(10), deadline: .after(.seconds(10)))
    try holder.execute("BEGIN")
    try holder.execute("LOCK TABLE \(table) IN ACCESS EXCLUSIVE MODE")
    let scratch = Scratch()
    let budget = ["--table", table, "--connect-timeout", "2s"]
    let commands: [(name: String, arguments: [String])] = [
      ("run", ["run", "--job", "locked", "--identifier", "s1"] + budget + ["--"] + scratch.faultChild()),
      ("list", ["list"] + budget),
      ("purge", ["purge", "--ttl", "1d"] + budget),
      ("migrate", ["migrate"] + budget),
    ]
    for command in commands {
      let (result, seconds) = Fault.timed { Fault.run(command.arguments, environment: server.environment) }
      #expect(result.status == 75, "\(command.name): \(result.stderr)")
      #expect(seconds < 2 + Self.slack, "\(command.name) took \(seconds) s")
      #expect(result.stderr.split(separator: "\n").count == 1, "\(command.name): \(result.stderr)")
      if command.name == "purge" { #expect(result.stderr.contains("stopped after deleting 0 rows"), "\(result.stderr)") }
    }
    // check reads only the catalogue: it must answer within its bound too, whatever it says.
    let (checked, seconds) = Fault.timed { Fault.run(["check"] + budget, environment: server.environment) }
    #expect([0, 75, 78].contains(checked.status) && seconds < 2 + Self.slack, "\(checked.stderr)")
    try holder.execute("ROLLBACK")
    #expect(scratch.executions.isEmpty)
    // Nothing half-done: the old row is still there, and no claim landed after the lock went.
    #expect(try server.query("SELECT job_name FROM \(table) ORDER BY id") == [["old"]])
  }

  @Test("item 37: a hot standby: 78 naming target_session_attrs, not run, also under --on-db-error run")
  func hotStandby() throws {
    let primary = TestServer.start(maxConnections: 30)
    defer { primary.stop() }
    let table = try primary.freshTable("standby")
    let standby = try #require(primary.startStandby(), "a streaming standby of the primary")
    defer { standby.stop() }
    // The table reached the standby by replication; a claim there can never be written.
    let deadline = Date().addingTimeInterval(20)
    while (try? standby.query("SELECT to_regclass($1) IS NOT NULL", [table])) != [["t"]] && Date() < deadline {
      usleep(50_000)
    }
    try expectRefusedOnStandby(standby, primary: primary, table: table)
  }

  func expectRefusedOnStandby(_ standby: StandbyServer, primary: TestServer, table: String) throws {
    let scratch = Scratch()
    for policy in ["fail", "run"] {
      let result = Fault.run(["--job", "standby", "--identifier", "s-\(policy)", "--table", table,
                              "--on-db-error", policy, "--"] + scratch.faultChild(), environment: standby.environment)
      #expect(result.status == 78, "\(policy): \(result.stderr)")
      #expect(result.stderr.contains("target_session_attrs=read-write"), "\(result.stderr)")
    }
    #expect(scratch.executions.isEmpty)
    #expect(try primary.query("SELECT count(*) FROM \(table)") == [["0"]])
  }
}

/// A streaming hot standby of a `TestServer`, made with pg_basebackup -R.
struct StandbyServer {
  let directory: URL
  let environment: [String: String]

  var conninfo: String { "host=\(environment["PGHOST"]!) port=\(environment["PGPORT"]!) user=postgres dbname=postgres" }

  func query(_ sql: String, _ parameters: [String?] = []) throws -> [[String?]] {
    let connection = try Connection.connect(url: conninfo, connectTimeout: .seconds(5), deadline: .after(.seconds(5)))
    let result = try connection.execute(sql, parameters)
    return (0..<result.rowCount).map { row in (0..<result.columnCount).map { result.value(row: row, column: $0) } }
  }

  func stop() {
    Shell.run(TestServer.asPostgres + [TestServer.bin("pg_ctl"), "-D", directory.path + "/data", "-m", "immediate",
                                       "-w", "stop"])
  }
}

extension TestServer {
  /// Lets local replication connections in, takes a base backup and starts it as a standby on
  /// a port of its own. nil when any step fails.
  func startStandby() -> StandbyServer? {
    let hba = directory.path + "/data/pg_hba.conf"
    guard let handle = FileHandle(forWritingAtPath: hba) else { return nil }
    handle.seekToEndOfFile()
    handle.write(Data("local replication all trust\n".utf8))
    handle.closeFile()
    guard (try? execute("SELECT pg_reload_conf()")) != nil else { return nil }
    let base = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cronlock-standby-\(UUID().uuidString.prefix(8))")
    try? FileManager.default.createDirectory(at: base, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
    if getuid() == 0 { _ = Shell.run(["/bin/chown", "postgres", base.path]) }
    let backup = Shell.run(Self.asPostgres + [Self.bin("pg_basebackup"), "-D", base.path + "/data", "-R", "-X", "stream",
                                              "-h", environment["PGHOST"]!, "-p", port, "-U", "postgres"])
    guard backup.status == 0 else { return nil }
    let standbyPort = String(Int(port)! + 1000 + Int.random(in: 0..<1000))
    let options = "-c listen_addresses='' -c port=\(standbyPort) -c unix_socket_directories=\(base.path) -c hot_standby=on"
    let started = Shell.run(Self.asPostgres + [Self.bin("pg_ctl"), "-D", base.path + "/data", "-o", options,
                                               "-l", base.path + "/server.log", "-w", "-t", "60", "start"])
    guard started.status == 0 else { return nil }
    var environment = environment
    environment["PGHOST"] = base.path
    environment["PGPORT"] = standbyPort
    return StandbyServer(directory: base, environment: environment)
  }
}
