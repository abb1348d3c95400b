import CronlockCore
import Foundation
import Testing

@Suite("cronlock purge, end to end")
struct PurgeTests {
  let server = TestServer.shared

  /// A row last updated `updatedAgo` seconds before the database's now, whose slot ends
  /// `slotEndsIn` seconds from now (negative: ended; nil: never). Returns its id.
  @discardableResult
  func insert(_ table: String, job: String = "j", identifier: String, status: String, updatedAgo: Int,
              slotEndsIn: Int?) throws -> String {
    try server.query(
      """
      INSERT INTO "\(table)" (created_at, updated_at, job_name, job_identifier, worker, status, slot_end)
      VALUES (now() - make_interval(secs => $1::int + 60), now() - make_interval(secs => $1::int), $2, $3, 'w', $4,
              now() + make_interval(secs => $5::int))
      RETURNING id
      """, [String(updatedAgo), job, identifier, status, slotEndsIn.map { String($0) }])[0][0]!
  }

  func ids(_ table: String) throws -> Set<String> {
    Set(try server.query("SELECT id FROM \"\(table)\"").map { $0[0]! })
  }

  func purge(_ table: String, _ arguments: [String]) -> ProcessResult {
    CronlockBinary.run(["purge", "--table", table] + arguments)
  }

  @Test("boundaries: RUNNING, recent, claimable and unknown statuses kept; expired terminal rows removed")
  func boundaries() throws {
    let table = try server.freshTable()
    let hour = 3600
    var kept: Set<String> = []
    var doomed: Set<String> = []
    kept.insert(try insert(table, identifier: "running", status: "RUNNING", updatedAgo: 2 * hour, slotEndsIn: -hour))
    kept.insert(try insert(table, identifier: "recent", status: "FINISHED", updatedAgo: 30 * 60, slotEndsIn: -60))
    kept.insert(try insert(table, identifier: "almost", status: "FAILED", updatedAgo: hour - 60, slotEndsIn: nil))
    kept.insert(try insert(table, identifier: "claimable", status: "FINISHED", updatedAgo: 2 * hour, slotEndsIn: hour))
    // A slot stays claimable for an hour after it ends (late hosts, retries): its row stays too.
    kept.insert(try insert(table, identifier: "just-ended", status: "FINISHED", updatedAgo: 2 * hour, slotEndsIn: -1))
    kept.insert(try insert(table, identifier: "unknown", status: "SKIPPED", updatedAgo: 2 * hour, slotEndsIn: nil))
    doomed.insert(try insert(table, identifier: "expired", status: "FINISHED", updatedAgo: 2 * hour, slotEndsIn: -2 * hour))
    doomed.insert(try insert(table, identifier: "failed", status: "FAILED", updatedAgo: 2 * hour, slotEndsIn: -2 * hour))
    doomed.insert(try insert(table, identifier: "abandoned", status: "ABANDONED", updatedAgo: 2 * hour, slotEndsIn: -2 * hour))
    doomed.insert(try insert(table, identifier: "past-grace", status: "FINISHED", updatedAgo: 2 * hour, slotEndsIn: -hour - 1))
    doomed.insert(try insert(table, identifier: "just-old", status: "FINISHED", updatedAgo: hour + 60, slotEndsIn: nil))
    doomed.insert(try insert(table, identifier: "ci-42", status: "FINISHED", updatedAgo: 25 * hour, slotEndsIn: nil))

    let dryRun = purge(table, ["--ttl", "1h", "--dry-run", "-v"])
    #expect(dryRun.status == 0, "\(dryRun.stderr)")
    #expect(dryRun.stdout == "would delete 6 rows from \(table)\n")
    #expect(try ids(table) == kept.union(doomed), "--dry-run deletes nothing")

    let result = purge(table, ["--ttl", "1h", "-v"])
    #expect(result.status == 0)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr == "cronlock: deleted 6 rows from \(table)\n")
    #expect(try ids(table) == kept)

    let again = purge(table, ["--ttl", "1h"])
    #expect(again.status == 0 && again.stdout.isEmpty && again.stderr.isEmpty, "quiet without -v")
    #expect(try ids(table) == kept)
  }

  @Test("--job limits the purge to one job")
  func oneJob() throws {
    let table = try server.freshTable()
    try insert(table, job: "a", identifier: "1", status: "FINISHED", updatedAgo: 7200, slotEndsIn: nil)
    try insert(table, job: "a", identifier: "2", status: "FAILED", updatedAgo: 7200, slotEndsIn: -7200)
    let other = try insert(table, job: "b", identifier: "1", status: "FINISHED", updatedAgo: 7200, slotEndsIn: nil)
    #expect(purge(table, ["--ttl", "1h", "--job", "b", "--dry-run"]).stdout == "would delete 1 row of job 'b' from \(table)\n")
    let result = purge(table, ["--ttl", "1h", "-j", "a", "-v"])
    #expect(result.stderr == "cronlock: deleted 2 rows of job 'a' from \(table)\n")
    #expect(try ids(table) == [other])
  }

  @Test("a TTL under one minute is refused with 64, and nothing is deleted", arguments: ["59s", "500ms", "30s"])
  func shortTTL(ttl: String) throws {
    let table = try server.freshTable()
    let row = try insert(table, identifier: "x", status: "FINISHED", updatedAgo: 7200, slotEndsIn: nil)
    let result = purge(table, ["--ttl", ttl])
    #expect(result.status == 64)
    #expect(result.stderr.hasPrefix("cronlock: --ttl \(ttl) is under one minute"), "\(result.stderr)")
    #expect(try ids(table) == [row])
    #expect(purge(table, ["--ttl", "1m"]).status == 0, "one minute is allowed")
    #expect(try ids(table).isEmpty)
  }

  @Test("--ttl is required and must be a duration")
  func ttlUsage() {
    #expect(CronlockBinary.run(["purge"]).status == 64)
    let zero = CronlockBinary.run(["purge", "--ttl", "0s"])
    #expect(zero.status == 64 && zero.stderr.contains("greater than zero"))
  }

  @Test("thousands of rows with one updated_at go in several batches, and rows whose slot is open stay")
  func batches() throws {
    let table = try server.freshTable()
    // One statement: every row has the same updated_at, so batches must break ties by id.
    try server.execute("""
      INSERT INTO "\(table)" (created_at, updated_at, job_name, job_identifier, worker, status, slot_end)
      SELECT now() - interval '3 hours', now() - interval '2 hours', 'bulk', 'b' || i, 'w',
             CASE WHEN i % 10 = 0 THEN 'FAILED' WHEN i % 7 = 0 THEN 'RUNNING' ELSE 'FINISHED' END,
             CASE WHEN i % 16 = 0 THEN now() + interval '1 hour' END
      FROM generate_series(1, 6000) i
      """)
    let expected = try server.query("""
      SELECT count(*) FROM "\(table)" WHERE status <> 'RUNNING' AND slot_end IS NULL
      """)[0][0]!
    #expect(Int(expected)! > 2 * PurgeRequest.defaultBatchSize)
    #expect(purge(table, ["--ttl", "1h", "--dry-run"]).stdout == "would delete \(expected) rows from \(table)\n")
    let result = purge(table, ["--ttl", "1h", "-v"])
    #expect(result.stderr == "cronlock: deleted \(expected) rows from \(table)\n")
    let left = try server.query("""
      SELECT count(*), count(*) FILTER (WHERE status = 'RUNNING' OR slot_end > now()) FROM "\(table)"
      """)[0]
    #expect(left[0] == left[1] && Int(left[0]!)! == 6000 - Int(expected)!)
  }

  @Test("batches of 7 step through ties, kept rows and every status; the count matches --dry-run's")
  func smallBatches() throws {
    let table = try server.freshTable()
    try server.execute("""
      INSERT INTO "\(table)" (created_at, updated_at, job_name, job_identifier, worker, status, slot_end)
      SELECT now() - interval '3 hours', now() - interval '2 hours' - (i / 10) * interval '1 second',
             CASE WHEN i % 5 = 0 THEN 'other' ELSE 'j' END, 'b' || i, 'w',
             (ARRAY['FINISHED', 'FAILED', 'ABANDONED', 'RUNNING'])[1 + i % 4],
             CASE WHEN i % 3 = 0 THEN now() + interval '1 hour' END
      FROM generate_series(1, 100) i
      """)
    let store = try PostgresLockStore(url: DatabaseURL(server.conninfo), table: TableName(parsing: table),
                                      connectTimeout: .seconds(10))
    let request = PurgeRequest(ttl: .seconds(3600), job: "j", batchSize: 7)
    let expected = try server.query("""
      SELECT id FROM "\(table)" WHERE job_name = 'j' AND status <> 'RUNNING' AND slot_end IS NULL
      """).map { $0[0]! }
    #expect(expected.count > 3 * 7)
    #expect(try store.countPurgeable(request) == expected.count)
    #expect(try store.purge(request) == expected.count)
    #expect(try ids(table).isDisjoint(with: expected) && ids(table).count == 100 - expected.count)
  }

  @Test("after a purge, a late run for a slot that is still open does not run its child")
  func lateRunAfterPurge() throws {
    let table = try server.freshTable()
    let scratch = Scratch()
    let yearly = ["--job", "yearly", "--schedule", "@yearly", "--tz", "UTC", "--table", table, "--"] + scratch.markingChild
    #expect(CronlockBinary.run(yearly).status == 0)
    #expect(scratch.markerLines.count == 1)
    // Age the row past the TTL, as if the run had finished hours ago; its slot lasts all year.
    try server.execute("""
      UPDATE "\(table)" SET created_at = created_at - interval '3 hours', updated_at = updated_at - interval '2 hours',
                            finished_at = finished_at - interval '2 hours'
      """)
    #expect(try server.query("SELECT count(*) FROM \"\(table)\" WHERE slot_end > now()") == [["1"]])
    let result = purge(table, ["--ttl", "1h", "-v"])
    #expect(result.stderr == "cronlock: deleted 0 rows from \(table)\n")
    let late = CronlockBinary.run(yearly)
    #expect(late.status == 0)
    #expect(scratch.markerLines.count == 1, "the late host lost: the row that holds the slot was kept")
  }

  @Test("a purged explicit identifier has no end: it can be claimed again, as purge's help says")
  func explicitIdentifierAfterPurge() throws {
    let table = try server.freshTable()
    let scratch = Scratch()
    let pipeline = ["--job", "deploy", "--identifier", "ci-42", "--table", table, "--"] + scratch.markingChild
    #expect(CronlockBinary.run(pipeline).status == 0)
    try server.execute("UPDATE \"\(table)\" SET updated_at = updated_at - interval '2 hours'")
    #expect(purge(table, ["--ttl", "1h", "-v"]).stderr == "cronlock: deleted 1 row from \(table)\n")
    #expect(CronlockBinary.run(pipeline).status == 0)
    #expect(scratch.markerLines.count == 2)
    let help = CronlockBinary.run(["purge", "--help"]).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    #expect(help.contains("the same identifier can be claimed, and its command run, again"))
    #expect(help.contains("never RUNNING"))
  }

  @Test("a missing table is 78, also for --dry-run")
  func missingTable() {
    for extra in [[], ["--dry-run"]] {
      let result = purge(server.freshTableName(), ["--ttl", "1h"] + extra)
      #expect(result.status == 78 && result.stderr.contains("cronlock migrate"), "\(result.stderr)")
    }
  }
}
