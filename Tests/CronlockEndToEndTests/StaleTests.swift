import Foundation
import Testing

/// Crashed runs do not stay RUNNING for ever: `list` shows STALE once three heartbeats are
/// missed, and `purge --stale-after` marks them ABANDONED.
@Suite("stale runs")
struct StaleTests {
  let server = TestServer.shared

  /// A RUNNING row last seen `age` seconds ago, beating every `heartbeat` seconds (nil: a Go row).
  func running(_ table: String, job: String, age: Int, heartbeat: Int?) throws {
    try server.execute(
      """
      INSERT INTO \(table) (created_at, updated_at, job_name, job_identifier, worker, status, heartbeat_seconds)
      VALUES (now() - make_interval(secs => $2::int), now() - make_interval(secs => $2::int), $1, 'slot', 'w',
              'RUNNING', $3::int)
      """, [job, String(age), heartbeat.map { String($0) }])
  }

  func listedStatuses(_ table: String) throws -> [String: String] {
    let result = CronlockBinary.run(["list", "--format", "json", "--table", table])
    #expect(result.status == 0, "\(result.stderr)")
    let rows = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    return Dictionary(uniqueKeysWithValues: rows.map { ($0["job"] as? String ?? "", $0["status"] as? String ?? "") })
  }

  @Test("list shows STALE after three missed heartbeats, by the database clock")
  func listShowsStale() throws {
    let table = try server.freshTable()
    try running(table, job: "lapsed", age: 100, heartbeat: 30)
    try running(table, job: "alive", age: 80, heartbeat: 30)
    try running(table, job: "go-row", age: 100_000, heartbeat: nil)
    #expect(try listedStatuses(table) == ["lapsed": "STALE", "alive": "RUNNING", "go-row": "RUNNING"])
  }

  @Test("purge --stale-after marks lapsed runs ABANDONED with a note, never live ones; --dry-run only counts")
  func purgeMarksStale() throws {
    let table = try server.freshTable()
    try running(table, job: "crashed", age: 7200, heartbeat: 30)
    try running(table, job: "go-crashed", age: 7200, heartbeat: nil)
    try running(table, job: "slow-beat", age: 120, heartbeat: 60)
    try running(table, job: "fresh", age: 5, heartbeat: 30)
    let dry = CronlockBinary.run(["purge", "--ttl", "1d", "--stale-after", "1m", "--dry-run", "--table", table])
    #expect(dry.status == 0)
    #expect(dry.stdout.hasPrefix("would mark 2 stale runs ABANDONED"))
    #expect(try server.query("SELECT count(*) FROM \(table) WHERE status = 'RUNNING'") == [["4"]])
    let result = CronlockBinary.run(["purge", "--ttl", "1d", "--stale-after", "1m", "-v", "--table", table])
    #expect(result.status == 0)
    #expect(result.stderr.contains("marked 2 stale runs ABANDONED"))
    let rows = try server.query("SELECT job_name, status, note LIKE 'no sign of life since %' FROM \(table) ORDER BY job_name")
    #expect(rows == [["crashed", "ABANDONED", "t"], ["fresh", "RUNNING", nil], ["go-crashed", "ABANDONED", "t"],
                     ["slow-beat", "RUNNING", nil]], "three missed beats of 60 s are longer than --stale-after 1m")
    #expect(try server.query("SELECT count(*) FROM \(table)") == [["4"]], "abandoned rows are kept for the TTL")
  }
}
