import Foundation
import Testing
import CronlockTestSupport

@Suite("cronlock check")
struct CheckTests {
  let server = TestServer.shared

  func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  @Test("a migrated table: exit 0, every check ok, in text and JSON", arguments: Backend.allCases)
  func ready(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let text = database.run(["check"])
    #expect(text.status == 0, "\(text.stderr)")
    #expect(text.stdout.hasSuffix("ready: cronlock run can use this table\n"))
    #expect(!text.stdout.contains("FAIL"))
    let result = database.run(["check", "--format", "json"])
    let report = try json(result.stdout)
    #expect(report["ready"] as? Bool == true)
    let checks = report["checks"] as? [[String: Any]] ?? []
    #expect(checks.allSatisfy { $0["ok"] as? Bool == true }, "\(checks)")
    switch backend {
    case .postgres:
      #expect(report["role"] as? String == "postgres")
      #expect(checks.compactMap { $0["name"] as? String } == [
        "table", "unique-index", "columns", "privilege-select", "privilege-insert", "privilege-update", "privilege-delete",
        "row-level-security", "standby", "read-only", "replication", "synchronous-commit", "clock-skew",
      ])
    case .sqlite:
      #expect(report["role"] as? String == String(cString: getpwuid(geteuid()).pointee.pw_name), "the file's user")
      #expect(checks.compactMap { $0["name"] as? String } == [
        "file-system", "directory", "privilege-write", "table", "unique-index", "columns", "clock-skew",
      ])
    }
  }

  @Test("a missing table: 78 and the fix named")
  func missingTable() throws {
    let result = CronlockBinary.run(["check", "--table", server.freshTableName()])
    #expect(result.status == 78)
    #expect(result.stdout.contains("FAIL  table"))
    #expect(result.stdout.contains("run 'cronlock migrate'"))
  }

  @Test("a seed table without cronlock's columns or unique index: 78")
  func seedTable() throws {
    let table = server.freshTableName("gorm")
    try server.execute(SeedTables.gorm(table, indexName: "idx_\(table)")[0...0].map { $0 })
    let result = CronlockBinary.run(["check", "--format", "json", "--table", table])
    #expect(result.status == 78)
    let checks = try json(result.stdout)["checks"] as? [[String: Any]] ?? []
    let failed = checks.filter { $0["ok"] as? Bool == false }.compactMap { $0["name"] as? String }
    #expect(failed == ["unique-index", "columns"])
  }

  @Test("a role that may only read: 78, naming the missing privileges")
  func readOnlyRole() throws {
    let table = try server.freshTable()
    try server.execute("DO $$ BEGIN CREATE ROLE check_reader LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
    try server.execute("GRANT SELECT ON \(table) TO check_reader")
    let result = CronlockBinary.run(["check", "--table", table], environment: ["PGUSER": "check_reader"])
    #expect(result.status == 78)
    #expect(result.stdout.contains("FAIL  may not INSERT"))
    #expect(result.stdout.contains("FAIL  may not UPDATE"))
    #expect(result.stdout.contains("warn  may not DELETE"))
  }

  @Test("an unreachable server: 75, one line, no password")
  func unreachable() {
    let result = CronlockBinary.run(["check", "--database", "postgresql://u:Hidden99@127.0.0.1:1/db", "--connect-timeout", "2s"])
    #expect(result.status == 75)
    #expect(result.stderr.hasPrefix("cronlock: cannot connect"))
    #expect(!result.stderr.contains("Hidden99"))
  }
}
