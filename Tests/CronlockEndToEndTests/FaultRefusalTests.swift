import CronlockCore
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
  func expectRefused(_ server: FaultServer, table: String, role: String, mentioning words: String,
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
    let server = FaultServer.shared
    let table = try server.freshTable("ro")
    try server.runnerRole("ro_runner", on: table, settings: ["default_transaction_read_only = on"])
    try expectRefused(server, table: table, role: "ro_runner", mentioning: "target_session_attrs=read-write")
  }

  @Test("item 37 / issue 12: a role that may INSERT but not UPDATE cannot record an outcome: 78 before the command starts")
  func noUpdatePrivilege() throws {
    let server = FaultServer.shared
    let table = try server.freshTable("noupd")
    try server.execute("DO $$ BEGIN CREATE ROLE insert_only LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
    try server.execute("GRANT SELECT, INSERT ON \(table) TO insert_only")
    try expectRefused(server, table: table, role: "insert_only", mentioning: "permission denied")
  }

  @Test("issue 12: a role whose statement_timeout cancels the claim: 78, not an outage")
  func statementTimeoutRole() throws {
    let server = FaultServer.shared
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
        + scratch.faultChild(), environment: FaultServer.shared.environment)
      #expect(result.status == 78, "\(result.stderr)")
      #expect(result.stderr.contains("invalid database URL"), "\(result.stderr)")
      #expect(!result.stderr.contains("cret") && !result.stderr.contains("notaport"), "\(result.stderr)")
    }
    #expect(scratch.executions.isEmpty)
  }

  @Test("item 35: another session holds ACCESS EXCLUSIVE on the table: every subcommand ends within --connect-timeout, 75, one line")
  func lockedTable() throws {
    let server = FaultServer.shared
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
}
