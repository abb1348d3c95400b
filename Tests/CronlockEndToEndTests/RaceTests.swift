import Foundation
import Testing
import CronlockTestSupport

@Suite("many hosts, one slot")
struct RaceTests {
  @Test("32 processes racing for one slot: exactly one child runs and one row exists", arguments: Backend.allCases)
  func thirtyTwoWayRace(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    for round in 1...3 {
      let scratch = Scratch()
      let processes = (0..<32).map { index in
        database.start(["--job", "race", "--identifier", "round-\(round)", "--worker", "w\(index)", "--"]
          + scratch.markingChild)
      }
      let statuses = processes.map { $0.finish().status }
      #expect(statuses.allSatisfy { $0 == 0 }, "\(statuses)")
      let lines = scratch.markerLines
      #expect(lines.count == 1, "round \(round): \(lines)")
      let rows = try database.query(
        "SELECT id, status FROM \(database.table) WHERE job_identifier = $1", ["round-\(round)"])
      #expect(rows.count == 1)
      #expect(lines.first == "round-\(round) \(rows.first?[0] ?? "")", "the child ran under the row's run id")
      #expect(rows.first?[1] == "FINISHED")
    }
  }

  @Test("32 first runs on a new SQLite file create the table once and run one child")
  func raceOnNewSQLiteFile() throws {
    let database = try TestDatabase.fresh(.sqlite, migrated: false)
    let scratch = Scratch()
    let processes = (0..<32).map { index in
      database.start(["--job", "race", "--identifier", "first", "--worker", "w\(index)", "--"] + scratch.markingChild)
    }
    let results = processes.map { $0.finish() }
    #expect(results.allSatisfy { $0.status == 0 && $0.stderr.isEmpty }, "\(results.map { ($0.status, $0.stderr) })")
    #expect(scratch.markerLines.count == 1)
    #expect(try database.query("SELECT count(*), min(status) FROM \(database.table)") == [["1", "FINISHED"]])
  }

  @Test("the skip code is what every loser returns", arguments: Backend.allCases)
  func losersReturnSkipCode(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let scratch = Scratch()
    let processes = (0..<8).map { _ in
      database.start(["--job", "skip", "--identifier", "one", "--skip-exit-code", "42", "--"] + scratch.markingChild)
    }
    let statuses = processes.map { $0.finish().status }.sorted()
    #expect(statuses == [0] + Array(repeating: 42, count: 7))
    #expect(scratch.markerLines.count == 1)
  }
}
