import CronlockCore
import Foundation
import Testing
import CronlockTestSupport

@Suite("cronlock purge, end to end")
struct PurgeTests {
  /// A row last updated `updatedAgo` seconds before now, whose slot ends `slotEndsIn` seconds
  /// from now (negative: ended; nil: never). Returns its id.
  @discardableResult
  func insert(_ database: TestDatabase, job: String = "j", identifier: String, status: String, updatedAgo: Int,
              slotEndsIn: Int?) throws -> String {
    try database.query(
      """
      INSERT INTO "\(database.table)" (created_at, updated_at, job_name, job_identifier, worker, status, slot_end)
      VALUES ($1, $2, $3, $4, 'w', $5, $6)
      RETURNING id
      """, [TestDatabase.ago(updatedAgo + 60), TestDatabase.ago(updatedAgo), job, identifier, status,
            slotEndsIn.map { TestDatabase.ago(-$0) }])[0][0]!
  }

  /// Inserts a row for each `i` in `range`, in one statement: `values` selects created_at,
  /// updated_at, job_name, job_identifier, worker and status from `i` and `parameters`.
  func insertSeries(_ database: TestDatabase, _ range: ClosedRange<Int>, _ values: String, _ parameters: [String?]) throws {
    try database.execute("""
      WITH RECURSIVE series(i) AS (SELECT \(range.lowerBound) UNION ALL SELECT i + 1 FROM series WHERE i < \(range.upperBound))
      INSERT INTO "\(database.table)" (created_at, updated_at, job_name, job_identifier, worker, status)
      SELECT \(values) FROM series
      """, parameters)
  }

  func ids(_ database: TestDatabase) throws -> Set<String> {
    Set(try database.query("SELECT id FROM \"\(database.table)\"").map { $0[0]! })
  }

  func purge(_ database: TestDatabase, _ arguments: [String]) -> ProcessResult {
    database.run(["purge"] + arguments)
  }

  @Test("boundaries: RUNNING, recent, claimable and unknown statuses kept; expired terminal rows removed",
        arguments: Backend.allCases)
  func boundaries(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let hour = 3600
    var kept: Set<String> = []
    var doomed: Set<String> = []
    kept.insert(try insert(database, identifier: "running", status: "RUNNING", updatedAgo: 2 * hour, slotEndsIn: -hour))
    kept.insert(try insert(database, identifier: "recent", status: "FINISHED", updatedAgo: 30 * 60, slotEndsIn: -60))
    kept.insert(try insert(database, identifier: "almost", status: "FAILED", updatedAgo: hour - 60, slotEndsIn: nil))
    kept.insert(try insert(database, identifier: "claimable", status: "FINISHED", updatedAgo: 2 * hour, slotEndsIn: hour))
    // A slot stays claimable for an hour after it ends (late hosts, retries): its row stays too.
    kept.insert(try insert(database, identifier: "just-ended", status: "FINISHED", updatedAgo: 2 * hour, slotEndsIn: -1))
    kept.insert(try insert(database, identifier: "unknown", status: "SKIPPED", updatedAgo: 2 * hour, slotEndsIn: nil))
    doomed.insert(try insert(database, identifier: "expired", status: "FINISHED", updatedAgo: 2 * hour, slotEndsIn: -2 * hour))
    doomed.insert(try insert(database, identifier: "failed", status: "FAILED", updatedAgo: 2 * hour, slotEndsIn: -2 * hour))
    doomed.insert(try insert(database, identifier: "abandoned", status: "ABANDONED", updatedAgo: 2 * hour, slotEndsIn: -2 * hour))
    doomed.insert(try insert(database, identifier: "past-grace", status: "FINISHED", updatedAgo: 2 * hour, slotEndsIn: -hour - 1))
    doomed.insert(try insert(database, identifier: "just-old", status: "FINISHED", updatedAgo: hour + 60, slotEndsIn: nil))
    doomed.insert(try insert(database, identifier: "ci-42", status: "FINISHED", updatedAgo: 25 * hour, slotEndsIn: nil))

    let dryRun = purge(database, ["--ttl", "1h", "--dry-run", "-v"])
    #expect(dryRun.status == 0, "\(dryRun.stderr)")
    #expect(dryRun.stdout == "would delete 6 rows from \(database.shownTable)\n")
    #expect(try ids(database) == kept.union(doomed), "--dry-run deletes nothing")

    let result = purge(database, ["--ttl", "1h", "-v"])
    #expect(result.status == 0)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr == "cronlock: deleted 6 rows from \(database.shownTable)\n")
    #expect(try ids(database) == kept)

    let again = purge(database, ["--ttl", "1h"])
    #expect(again.status == 0 && again.stdout.isEmpty && again.stderr.isEmpty, "quiet without -v")
    #expect(try ids(database) == kept)
  }

  @Test("--job limits the purge to one job", arguments: Backend.allCases)
  func oneJob(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    try insert(database, job: "a", identifier: "1", status: "FINISHED", updatedAgo: 7200, slotEndsIn: nil)
    try insert(database, job: "a", identifier: "2", status: "FAILED", updatedAgo: 7200, slotEndsIn: -7200)
    let other = try insert(database, job: "b", identifier: "1", status: "FINISHED", updatedAgo: 7200, slotEndsIn: nil)
    #expect(purge(database, ["--ttl", "1h", "--job", "b", "--dry-run"]).stdout
      == "would delete 1 row of job 'b' from \(database.shownTable)\n")
    let result = purge(database, ["--ttl", "1h", "-j", "a", "-v"])
    #expect(result.stderr == "cronlock: deleted 2 rows of job 'a' from \(database.shownTable)\n")
    #expect(try ids(database) == [other])
  }

  @Test("a TTL under one minute is refused with 64, and nothing is deleted",
        arguments: Backend.allCases, ["59s", "500ms", "30s"])
  func shortTTL(backend: Backend, ttl: String) throws {
    let database = try TestDatabase.fresh(backend)
    let row = try insert(database, identifier: "x", status: "FINISHED", updatedAgo: 7200, slotEndsIn: nil)
    let result = purge(database, ["--ttl", ttl])
    #expect(result.status == 64)
    #expect(result.stderr.hasPrefix("cronlock: --ttl \(ttl) is under one minute"), "\(result.stderr)")
    #expect(try ids(database) == [row])
    #expect(purge(database, ["--ttl", "1m"]).status == 0, "one minute is allowed")
    #expect(try ids(database).isEmpty)
  }

  @Test("--ttl is required and must be a duration")
  func ttlUsage() {
    #expect(CronlockBinary.run(["purge"]).status == 64)
    let zero = CronlockBinary.run(["purge", "--ttl", "0s"])
    #expect(zero.status == 64 && zero.stderr.contains("greater than zero"))
  }

  @Test("thousands of rows with one updated_at go in several batches, and rows whose slot is open stay",
        arguments: Backend.allCases)
  func batches(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let table = database.table
    // One statement: every row has the same updated_at, so batches must break ties by id.
    try insertSeries(database, 1...6000, """
      $1, $2, 'bulk', 'b' || i, 'w', CASE WHEN i % 10 = 0 THEN 'FAILED' WHEN i % 7 = 0 THEN 'RUNNING' ELSE 'FINISHED' END
      """, [TestDatabase.ago(3 * 3600), TestDatabase.ago(2 * 3600)])
    try database.execute("UPDATE \"\(table)\" SET slot_end = $1 WHERE CAST(substr(job_identifier, 2) AS integer) % 16 = 0",
                         [TestDatabase.ago(-3600)])
    let expected = try database.query("""
      SELECT count(*) FROM "\(table)" WHERE status <> 'RUNNING' AND slot_end IS NULL
      """)[0][0]!
    #expect(Int(expected)! > 2 * PurgeRequest.defaultBatchSize)
    #expect(purge(database, ["--ttl", "1h", "--dry-run"]).stdout == "would delete \(expected) rows from \(database.shownTable)\n")
    let result = purge(database, ["--ttl", "1h", "-v"])
    #expect(result.stderr == "cronlock: deleted \(expected) rows from \(database.shownTable)\n")
    let left = try database.query("""
      SELECT count(*), count(CASE WHEN status = 'RUNNING' OR slot_end IS NOT NULL THEN 1 END) FROM "\(table)"
      """)[0]
    #expect(left[0] == left[1] && Int(left[0]!)! == 6000 - Int(expected)!)
  }

  @Test("batches of 7 step through ties, kept rows and every status; the count matches --dry-run's",
        arguments: Backend.allCases)
  func smallBatches(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let table = database.table
    // Ten ties of ten rows: rows 10g+1 to 10g+10 were last updated 2 h + g seconds ago.
    for group in 0..<10 {
      try insertSeries(database, (10 * group + 1)...(10 * group + 10), """
        $1, $2, CASE WHEN i % 5 = 0 THEN 'other' ELSE 'j' END, 'b' || i, 'w',
        CASE i % 4 WHEN 0 THEN 'FINISHED' WHEN 1 THEN 'FAILED' WHEN 2 THEN 'ABANDONED' ELSE 'RUNNING' END
        """, [TestDatabase.ago(3 * 3600), TestDatabase.ago(2 * 3600 + group)])
    }
    try database.execute("UPDATE \"\(table)\" SET slot_end = $1 WHERE CAST(substr(job_identifier, 2) AS integer) % 3 = 0",
                         [TestDatabase.ago(-3600)])
    let store = try database.store()
    let request = PurgeRequest(ttl: .seconds(3600), job: "j", batchSize: 7)
    let expected = try database.query("""
      SELECT id FROM "\(table)" WHERE job_name = 'j' AND status <> 'RUNNING' AND slot_end IS NULL
      """).map { $0[0]! }
    #expect(expected.count > 3 * 7)
    #expect(try store.countPurgeable(request) == expected.count)
    #expect(try store.purge(request) == expected.count)
    #expect(try ids(database).isDisjoint(with: expected) && ids(database).count == 100 - expected.count)
  }

  @Test("after a purge, a late run for a slot that is still open does not run its child", arguments: Backend.allCases)
  func lateRunAfterPurge(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let scratch = Scratch()
    let yearly = ["--job", "yearly", "--schedule", "@yearly", "--tz", "UTC", "--"] + scratch.markingChild
    #expect(database.run(yearly).status == 0)
    #expect(scratch.markerLines.count == 1)
    // Age the row past the TTL, as if the run had finished hours ago; its slot lasts all year.
    try database.execute("UPDATE \"\(database.table)\" SET created_at = $1, updated_at = $2, finished_at = $2",
                         [TestDatabase.ago(3 * 3600), TestDatabase.ago(2 * 3600)])
    #expect(try database.query("SELECT count(*) FROM \"\(database.table)\" WHERE slot_end > $1", [TestDatabase.ago(0)])
      == [["1"]])
    let dryRun = purge(database, ["--ttl", "1h", "--dry-run"])
    #expect(dryRun.stdout.hasPrefix("would delete 0 rows from \(database.shownTable); a row goes once it is FINISHED"))
    #expect(dryRun.stdout.contains("its slot ended over 1h ago"), "the reason: the slot's grace hour")
    let result = purge(database, ["--ttl", "1h", "-v"])
    #expect(result.stderr.hasPrefix("cronlock: deleted 0 rows from \(database.shownTable); a row goes once"))
    #expect(result.stderr.split(separator: "\n").count == 1)
    let late = database.run(yearly)
    #expect(late.status == 0)
    #expect(scratch.markerLines.count == 1, "the late host lost: the row that holds the slot was kept")
  }

  @Test("a purged explicit identifier has no end: it can be claimed again, as purge's help says",
        arguments: Backend.allCases)
  func explicitIdentifierAfterPurge(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let scratch = Scratch()
    let pipeline = ["--job", "deploy", "--identifier", "ci-42", "--"] + scratch.markingChild
    #expect(database.run(pipeline).status == 0)
    try database.execute("UPDATE \"\(database.table)\" SET updated_at = $1", [TestDatabase.ago(2 * 3600)])
    #expect(purge(database, ["--ttl", "1h", "-v"]).stderr == "cronlock: deleted 1 row from \(database.shownTable)\n")
    #expect(database.run(pipeline).status == 0)
    #expect(scratch.markerLines.count == 2)
    let help = CronlockBinary.run(["purge", "--help"]).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    #expect(help.contains("the same identifier can be claimed, and its command run, again"))
    #expect(help.contains("never RUNNING"))
  }

  @Test("a table missing from the database is 78, also for --dry-run", arguments: Backend.allCases)
  func missingTable(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    for extra in [[], ["--dry-run"]] {
      let result = purge(database, ["--ttl", "1h", "--table", TestServer.shared.freshTableName()] + extra)
      #expect(result.status == 78 && result.stderr.contains("cronlock migrate"), "\(result.stderr)")
    }
  }
}
