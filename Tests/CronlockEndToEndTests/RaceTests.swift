import Foundation
import Testing

@Suite("many hosts, one slot")
struct RaceTests {
  let server = TestServer.shared

  @Test("32 processes racing for one slot: exactly one child runs and one row exists")
  func thirtyTwoWayRace() throws {
    let table = try server.freshTable()
    for round in 1...3 {
      let scratch = Scratch()
      let processes = (0..<32).map { index in
        CronlockBinary.start(
          ["--job", "race", "--identifier", "round-\(round)", "--table", table, "--worker", "w\(index)", "--"]
            + scratch.markingChild)
      }
      let statuses = processes.map { $0.finish().status }
      #expect(statuses.allSatisfy { $0 == 0 }, "\(statuses)")
      let lines = scratch.markerLines
      #expect(lines.count == 1, "round \(round): \(lines)")
      let rows = try server.query(
        "SELECT id, status FROM \(table) WHERE job_identifier = $1", ["round-\(round)"])
      #expect(rows.count == 1)
      #expect(lines.first == "round-\(round) \(rows.first?[0] ?? "")", "the child ran under the row's run id")
      #expect(rows.first?[1] == "FINISHED")
    }
  }

  @Test("the skip code is what every loser returns")
  func losersReturnSkipCode() throws {
    let table = try server.freshTable()
    let scratch = Scratch()
    let processes = (0..<8).map { _ in
      CronlockBinary.start(["--job", "skip", "--identifier", "one", "--skip-exit-code", "42", "--table", table, "--"]
        + scratch.markingChild)
    }
    let statuses = processes.map { $0.finish().status }.sorted()
    #expect(statuses == [0] + Array(repeating: 42, count: 7))
    #expect(scratch.markerLines.count == 1)
  }
}
