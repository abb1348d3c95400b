import Foundation
import Testing
import CronlockTestSupport

/// Crashed runs do not stay RUNNING for ever: `list` shows STALE once three heartbeats are
/// missed, and `purge --stale-after` marks them ABANDONED.
@Suite("stale runs")
struct StaleTests {
  /// A RUNNING row last seen `age` seconds ago, beating every `heartbeat` seconds (nil: a Go row).
  func running(_ database: TestDatabase, job: String, age: Int, heartbeat: Int?) throws {
    try database.execute(
      """
      INSERT INTO \(database.table) (created_at, updated_at, job_name, job_identifier, worker, status, heartbeat_seconds)
      VALUES ($2, $2, $1, 'slot', 'w', 'RUNNING', $3)
      """, [job, TestDatabase.ago(age), heartbeat.map { String($0) }])
  }

  func listedStatuses(_ database: TestDatabase) throws -> [String: String] {
    let result = database.run(["list", "--format", "json"])
    #expect(result.status == 0, "\(result.stderr)")
    let rows = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    return Dictionary(uniqueKeysWithValues: rows.map { ($0["job"] as? String ?? "", $0["status"] as? String ?? "") })
  }

  @Test("list shows STALE after three missed heartbeats, by the database clock", arguments: Backend.allCases)
  func listShowsStale(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    try running(database, job: "lapsed", age: 100, heartbeat: 30)
    try running(database, job: "alive", age: 80, heartbeat: 30)
    try running(database, job: "go-row", age: 100_000, heartbeat: nil)
    #expect(try listedStatuses(database) == ["lapsed": "STALE", "alive": "RUNNING", "go-row": "RUNNING"])
  }

  @Test("purge --stale-after marks lapsed runs ABANDONED with a note, never live ones; --dry-run only counts",
        arguments: Backend.allCases)
  func purgeMarksStale(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let table = database.table
    try running(database, job: "crashed", age: 7200, heartbeat: 30)
    try running(database, job: "go-crashed", age: 7200, heartbeat: nil)
    try running(database, job: "slow-beat", age: 120, heartbeat: 60)
    try running(database, job: "fresh", age: 5, heartbeat: 30)
    let dry = database.run(["purge", "--ttl", "1d", "--stale-after", "1m", "--dry-run"])
    #expect(dry.status == 0)
    #expect(dry.stdout.hasPrefix("would mark 2 stale runs ABANDONED"))
    #expect(try database.query("SELECT count(*) FROM \(table) WHERE status = 'RUNNING'") == [["4"]])
    let result = database.run(["purge", "--ttl", "1d", "--stale-after", "1m", "-v"])
    #expect(result.status == 0)
    #expect(result.stderr.contains("marked 2 stale runs ABANDONED"))
    let rows = try database.query("""
      SELECT job_name, status, CASE WHEN note LIKE 'no sign of life since %' THEN 'yes' ELSE 'no' END
      FROM \(table) ORDER BY job_name
      """)
    #expect(rows == [["crashed", "ABANDONED", "yes"], ["fresh", "RUNNING", "no"], ["go-crashed", "ABANDONED", "yes"],
                     ["slow-beat", "RUNNING", "no"]], "three missed beats of 60 s are longer than --stale-after 1m")
    #expect(try database.query("SELECT count(*) FROM \(table)") == [["4"]], "abandoned rows are kept for the TTL")
  }
}
