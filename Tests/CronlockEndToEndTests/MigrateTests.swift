import CronlockCore
import Foundation
import Testing
import CronlockTestSupport

@Suite("cronlock migrate")
struct MigrateTests {
  let server = TestServer.shared

  /// The table's columns in order, from the backend's catalog.
  func columns(_ database: TestDatabase) throws -> [String] {
    let sql = database.backend == .postgres
      ? "SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position"
      : "SELECT name FROM pragma_table_info($1) ORDER BY cid"
    return try database.query(sql, [database.table]).map { $0[0]! }
  }

  /// How many unique indexes (not the primary key) and other indexes the table has, from the
  /// backend's catalog.
  func indexes(_ database: TestDatabase) throws -> (unique: Int, other: Int) {
    let row = try database.backend == .postgres
      ? database.query("""
        SELECT count(*) FILTER (WHERE indisunique AND NOT indisprimary), count(*) FILTER (WHERE NOT indisunique)
        FROM pg_index WHERE indrelid = to_regclass($1)
        """, ["\"\(database.table)\""])[0]
      : database.query("""
        SELECT count(*) FILTER (WHERE "unique"), count(*) FILTER (WHERE NOT "unique") FROM pragma_index_list($1)
        """, [database.table])[0]
    return (Int(row[0]!)!, Int(row[1]!)!)
  }

  func uniqueIndexes(_ table: String) throws -> Int {
    try indexes(TestDatabase(backend: .postgres, table: table, url: nil)).unique
  }

  @Test("creates the table with the seed's seven columns first, then cronlock's, and is idempotent",
        arguments: Backend.allCases)
  func createsTable(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend, migrated: false)
    for _ in 0..<2 {
      let result = database.run(["migrate"])
      #expect(result.status == 0 && result.stderr.isEmpty && result.stdout.isEmpty, "\(result.stderr)")
    }
    let names = try columns(database)
    #expect(Array(names.prefix(7)) == ["id", "created_at", "updated_at", "job_name", "job_identifier", "worker", "status"])
    #expect(Set(names.dropFirst(7)) == Set(PostgresSchema.cronlockColumns.map(\.name)))
    let (unique, other) = try indexes(database)
    #expect(unique == 1 && other == 2, "one unique index; the list and purge indexes")
  }

  @Test("16 concurrent migrations, twice: all exit 0 and leave one schema", arguments: Backend.allCases)
  func concurrentMigrations(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend, migrated: false)
    for _ in 0..<2 {
      let processes = (0..<16).map { _ in database.start(["migrate"]) }
      let results = processes.map { $0.finish() }
      #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.stderr))")
    }
    let (unique, other) = try indexes(database)
    #expect(unique == 1 && other == 2)
    #expect(try columns(database).count == 7 + PostgresSchema.cronlockColumns.count)
  }

  @Test("adopts gocron-ent-lock's table; a row the Go library wrote makes cronlock lose")
  func adoptsEntTable() throws {
    let table = server.freshTableName("ent")
    try server.execute(SeedTables.ent(table))
    try server.execute(SeedTables.goRow(table), ["report", "2026-11-29 04:50:00.000"])
    #expect(CronlockBinary.run(["migrate", "--table", table]).status == 0)
    #expect(try uniqueIndexes(table) == 1, "the seed's own unique index is found by catalog and kept")
    try expectGoRowWins(table)
  }

  @Test("adopts gocron-gorm-lock's table, even when its idx_name was never created")
  func adoptsGormTable() throws {
    // gorm names the index idx_name; when another table already has an idx_name, Postgres skips it.
    let other = server.freshTableName("other")
    let indexName = "idx_name_\(other)"
    try server.execute(["CREATE TABLE \"\(other)\" (name text)", "CREATE INDEX \"\(indexName)\" ON \"\(other)\" (name)"])
    let table = server.freshTableName("gorm")
    try server.execute(SeedTables.gorm(table, indexName: indexName))
    #expect(try uniqueIndexes(table) == 0, "the seed's index silently failed to exist")
    try server.execute(SeedTables.goRow(table), ["report", "2026-11-29 04:50:00.000"])
    let result = CronlockBinary.run(["migrate", "-v", "--table", table])
    #expect(result.status == 0)
    #expect(result.stderr.contains("created the unique index"))
    #expect(result.stderr.contains("table public.\(table) exists; added cronlock's missing columns"), "\(result.stderr)")
    #expect(try uniqueIndexes(table) == 1)
    let again = CronlockBinary.run(["migrate", "-v", "--table", table])
    #expect(again.stderr == "cronlock: table public.\(table) is up to date; nothing to add\n", "not 'added what was missing'")
    #expect(try server.query("SELECT data_type FROM information_schema.columns WHERE table_name = $1 AND column_name = 'job_name'", [table]) == [["text"]])
    try expectGoRowWins(table)
  }

  /// A run for the slot the Go service already holds must not start its child.
  func expectGoRowWins(_ table: String) throws {
    let scratch = Scratch()
    let result = CronlockBinary.run(
      ["--job", "report", "--identifier", "2026-11-29 04:50:00.000", "--table", table, "--"] + scratch.markingChild)
    #expect(result.status == 0)
    #expect(scratch.markerLines.isEmpty)
    let other = CronlockBinary.run(
      ["--job", "report", "--identifier", "2026-11-29 04:55:00.000", "--table", table, "--"] + scratch.markingChild)
    #expect(other.status == 0)
    #expect(scratch.markerLines.count == 1, "the next slot runs on the adopted table")
  }

  @Test("--print-sql prints the script and touches nothing")
  func printSQL() throws {
    let table = server.freshTableName()
    let result = CronlockBinary.run(["migrate", "--print-sql", "--table", table, "--database", "host=/nonexistent"])
    #expect(result.status == 0)
    #expect(result.stdout.hasPrefix("BEGIN;\n"))
    #expect(result.stdout.contains("CREATE TABLE IF NOT EXISTS \"public\".\"\(table)\""), "named with its schema")
    #expect(result.stdout.hasSuffix("COMMIT;\n"))
    #expect(try server.query("SELECT to_regclass($1)", [table]) == [[nil]])
  }

  @Test("migrate as a role that may not create tables: 78 with a clear message")
  func migrateWithoutPrivilege() throws {
    try server.execute("DO $$ BEGIN CREATE ROLE no_ddl LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
    try server.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    let result = CronlockBinary.run(["migrate", "--table", server.freshTableName()], environment: ["PGUSER": "no_ddl"])
    #expect(result.status == 78)
    #expect(result.stderr.hasPrefix("cronlock: cannot migrate"))
  }
}
