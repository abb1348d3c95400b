import CronlockCore
import CronlockTestSupport
import Foundation
import Testing

/// `check` tells the truth about the database `run` will use, and the table cannot be swapped
/// through search_path (issue 13, items 5 and 6).
@Suite("check tells the truth; the table is never resolved through search_path")
struct CheckTruthTests {
  let server = TestServer.shared

  @Test("the resolved, schema-qualified table is named")
  func resolvedName() throws {
    let table = try server.freshTable("truth")
    let result = CronlockBinary.run(["check", "--table", table])
    #expect(result.status == 0, "\(result.stdout)")
    #expect(result.stdout.hasPrefix("ok    table public.\(table) exists\n"), "\(result.stdout)")
  }

  @Test("a read-only role: not ready (78), the read-only line names the setting")
  func readOnlySession() throws {
    let table = try server.freshTable("truth")
    try server.runnerRole("truth_readonly", on: table, settings: ["default_transaction_read_only = on"])
    let result = CronlockBinary.run(["check", "--table", table], environment: ["PGUSER": "truth_readonly"])
    #expect(result.status == 78)
    #expect(result.stdout.contains("FAIL  this session is read-only (transaction_read_only = on, "
      + "default_transaction_read_only = on)"), "\(result.stdout)")
    #expect(result.stdout.contains("ok    connected to a primary"))
  }

  @Test("row-level security: not ready for a role it applies to; a warning for one that bypasses it")
  func rowLevelSecurity() throws {
    let table = try server.freshTable("truth")
    try server.execute("ALTER TABLE \(table) ENABLE ROW LEVEL SECURITY")
    try server.runnerRole("truth_rls", on: table)
    try server.execute("DROP POLICY IF EXISTS own ON \(table)")
    try server.execute("CREATE POLICY own ON \(table) USING (worker = current_user)")
    let runner = CronlockBinary.run(["check", "--table", table], environment: ["PGUSER": "truth_rls"])
    #expect(runner.status == 78)
    #expect(runner.stdout.contains("FAIL  row-level security is enabled on public.\(table)"), "\(runner.stdout)")
    let owner = CronlockBinary.run(["check", "--table", table])
    #expect(owner.status == 0, "\(owner.stdout)")
    #expect(owner.stdout.contains("warn  row-level security is enabled on public.\(table)"))
    #expect(owner.stdout.contains("this role bypasses it"))
  }

  @Test("another role's schema earlier on search_path: claims still go to public, check warns, migrate refuses to split")
  func shadowingSchema() throws {
    let table = try server.freshTable("truth")
    let schema = "shadow_\(UUID().uuidString.prefix(6).lowercased())"
    try server.execute("DO $$ BEGIN CREATE ROLE truth_squatter; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
    try server.execute("CREATE SCHEMA \(schema) AUTHORIZATION truth_squatter")
    try server.execute("CREATE TABLE \(schema).\(table) (LIKE public.\(table) INCLUDING ALL)")
    try server.execute("ALTER TABLE \(schema).\(table) OWNER TO truth_squatter")
    try server.execute("GRANT USAGE ON SCHEMA \(schema) TO PUBLIC")
    try server.execute("GRANT ALL ON \(schema).\(table) TO PUBLIC")
    let path = ["PGOPTIONS": "-c search_path=\(schema),public"]

    let scratch = Scratch()
    let run = CronlockBinary.run(["run", "--job", "shadow", "--identifier", "s1", "--table", table, "--"]
      + scratch.markingChild, environment: path)
    #expect(run.status == 0, "\(run.stderr)")
    #expect(scratch.markerLines.count == 1)
    #expect(try server.query("SELECT count(*) FROM public.\(table)") == [["1"]])
    #expect(try server.query("SELECT count(*) FROM \(schema).\(table)") == [["0"]], "the shadow got no claim")

    let check = CronlockBinary.run(["check", "--table", table], environment: path)
    #expect(check.status == 0, "\(check.stdout)")
    #expect(check.stdout.contains("warn  search_path resolves \(table) to \(schema).\(table), not public.\(table)"),
            "\(check.stdout)")

    // A table only search_path finds: migrate will not create a second one in public.
    let only = "truth_only_\(UUID().uuidString.prefix(6).lowercased())"
    try server.execute("CREATE TABLE \(schema).\(only) (id int)")
    let migrate = CronlockBinary.run(["migrate", "--table", only], environment: path)
    #expect(migrate.status == 78)
    #expect(migrate.stderr.contains("search_path finds \(schema).\(only)"), "\(migrate.stderr)")
    #expect(try server.query("SELECT to_regclass('public.\(only)') IS NULL") == [["t"]])
    let explicit = CronlockBinary.run(["migrate", "--table", "public.\(only)"], environment: path)
    #expect(explicit.status == 0, "\(explicit.stderr)")
  }

  @Test("a temporary table of the same name on a pooled PgBouncer connection: claims go to public, check warns")
  func shadowingTemporaryTable() throws {
    let table = try server.freshTable("truth")
    let bouncer = FaultBouncer(in: server, poolSize: 1)
    defer { bouncer.stop() }
    let viaBouncer = "host=127.0.0.1 port=\(bouncer.environment["PGPORT"]!) user=postgres dbname=postgres"
    // One server connection in the pool: the temporary table outlives this client on it.
    do {
      let squatter = try Connection.connect(url: viaBouncer, connectTimeout: .seconds(10))
      try squatter.execute("CREATE TEMPORARY TABLE \(table) (LIKE public.\(table) INCLUDING ALL)")
    }
    let environment = ["CRONLOCK_DATABASE_URL": viaBouncer]
    let check = CronlockBinary.run(["check", "--table", table], environment: environment)
    #expect(check.status == 0, "\(check.stdout)")
    #expect(check.stdout.contains("ok    table public.\(table) exists"))
    #expect(check.stdout.contains("warn  search_path resolves \(table) to pg_temp_"), "\(check.stdout)")
    #expect(check.stdout.contains(", a temporary table, not public.\(table)"))

    let scratch = Scratch()
    for _ in 0..<3 {
      let run = CronlockBinary.run(["run", "--job", "temp", "--identifier", "t1", "--table", table,
                                    "--skip-exit-code", "3", "--"] + scratch.markingChild, environment: environment)
      #expect([0, 3].contains(run.status), "\(run.stderr)")
    }
    #expect(scratch.markerLines.count == 1, "one run of the slot: \(scratch.markerLines)")
    #expect(try server.query("SELECT count(*) FROM public.\(table)") == [["1"]])
    let temporary = try Connection.connect(url: viaBouncer, connectTimeout: .seconds(10))
      .execute("SELECT count(*) FROM pg_temp.\(table)")
    #expect(temporary.value(row: 0, column: 0) == "0", "the temporary table got no claim")
  }
}
