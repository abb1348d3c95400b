import Foundation
import Testing

@testable import CronlockCore
import CronlockTestSupport

@Suite("list: JSON and CSV")
struct HistoryMachineFormatTests {
  static let nasty = "q\"uote\\back,comma\r\nline\u{0}\u{1}\u{1F}\u{7F}\u{85}\u{2028}\u{202E}é日本😀"

  let full = HistoryRow(
    id: 42, job: "report", identifier: "2026-11-29 04:50:00.000", worker: "host-a", status: "FAILED",
    startedAt: Timestamp(year: 2026, month: 11, day: 29, hour: 4, minute: 50, second: 1, millisecond: 250),
    updatedAt: Timestamp(year: 2026, month: 11, day: 29, hour: 4, minute: 51),
    finishedAt: Timestamp(year: 2026, month: 11, day: 29, hour: 4, minute: 51),
    slotEnd: Timestamp(year: 2026, month: 11, day: 29, hour: 4, minute: 51),
    exitCode: 3, pid: 1234, command: "/bin/sh", note: nil, cronlockVersion: "0.1.0",
    duration: .milliseconds(58_750))
  let goRow = HistoryRow(id: 7, job: "report", identifier: "x", worker: "go-service", status: "RUNNING")

  func parseJSON(_ text: String) throws -> [[String: Any]] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
  }

  @Test("JSON: one array; numbers are numbers, times RFC 3339 UTC, unknown is null")
  func json() throws {
    let text = HistoryJSON.render([full, goRow])
    let objects = try parseJSON(text)
    #expect(objects.count == 2)
    #expect(objects[0]["id"] as? Int == 42)
    #expect(objects[0]["started_at"] as? String == "2026-11-29T04:50:01.250Z")
    #expect(objects[0]["duration_ms"] as? Int == 58_750)
    #expect(objects[0]["exit_code"] as? Int == 3)
    #expect(objects[0]["note"] is NSNull)
    #expect(objects[1]["exit_code"] is NSNull && objects[1]["finished_at"] is NSNull && objects[1]["slot_end"] is NSNull)
    #expect(objects[1]["worker"] as? String == "go-service")
    #expect(text.contains("\"id\":42,"), "a number, not a string")
    #expect(HistoryJSON.render([]) == "[]\n")
  }

  @Test("JSON stays valid and exact whatever the stored text")
  func jsonEscaping() throws {
    let row = HistoryRow(id: 1, job: Self.nasty, identifier: "", worker: "\u{1B}[2J")
    let text = HistoryJSON.render([row])
    #expect(try parseJSON(text)[0]["job"] as? String == Self.nasty)
    #expect(try parseJSON(text)[0]["identifier"] as? String == "")
    #expect(text.contains("\\u0000\\u0001\\u001F\\u007F\\u0085\\u2028"))
    #expect(text.contains("\\u001B[2J"))
    #expect(!text.unicodeScalars.contains { LockName.isControl($0) && $0 != "\n" })
  }

  @Test("CSV: a header, CRLF, quoting only where needed, NULL empty and empty string quoted")
  func csv() throws {
    let text = HistoryCSV.render([full, goRow])
    let records = try CSV.parse(text)
    #expect(records.count == 3)
    #expect(records[0] == HistoryRow.fieldNames)
    #expect(records[0].prefix(6) == ["id", "job", "identifier", "worker", "status", "started_at"])
    let first = Dictionary(uniqueKeysWithValues: zip(records[0], records[1]))
    #expect(first["id"] == "42" && first["exit_code"] == "3" && first["duration_ms"] == "58750")
    #expect(first["started_at"] == "2026-11-29T04:50:01.250Z")
    #expect(first["note"] == "")
    #expect(text.hasPrefix("id,job,identifier,worker,status,started_at,"))
    #expect(text.hasSuffix("\r\n"))
    #expect(text.split(separator: "\r\n").count == 3)
    #expect(HistoryCSV.render([]) == HistoryRow.fieldNames.joined(separator: ",") + "\r\n")
    #expect(HistoryCSV.render([HistoryRow(id: 1, job: "")]).contains("\r\n1,\"\",,"))
  }

  @Test("CSV on a terminal escapes ESC, BEL and CR as the table does; piped, it is byte-exact")
  func csvOnTerminal() throws {
    let row = HistoryRow(id: 1, job: "evil\u{1B}]0;pwned\u{07}\r,x", worker: "w")
    let shown = try CSV.parse(HistoryFormat.csv.render([row], table: HistoryTable(width: 80, colour: false, zone: .utc), terminal: true))
    #expect(shown[1][1] == "evil\\x1B]0;pwned\\x07\\r,x")
    #expect(!shown.joined().joined().unicodeScalars.contains { $0.value < 0x20 })
    let piped = try CSV.parse(HistoryFormat.csv.render([row], table: HistoryTable(width: 80, colour: false, zone: .utc)))
    #expect(piped[1][1] == row.job)
  }

  @Test("CSV stays valid and exact whatever the stored text")
  func csvEscaping() throws {
    let row = HistoryRow(id: 1, job: Self.nasty, identifier: "plain", worker: "\"")
    let records = try CSV.parse(HistoryCSV.render([row]))
    #expect(records.count == 2)
    #expect(records[1][1] == Self.nasty)
    #expect(records[1][2] == "plain")
    #expect(records[1][3] == "\"")
    #expect(HistoryCSV.quoted("a\"b") == "\"a\"\"b\"")
    #expect(HistoryCSV.quoted("a b") == "a b")
    #expect(HistoryCSV.quoted("a\u{1B}b") == "\"a\u{1B}b\"", "any control character is quoted, never altered")
  }

  @Test("duration: to the finish, to now while RUNNING, to the last update for Go's FINISHED rows")
  func duration() {
    let start = Timestamp(year: 2026, month: 1, day: 1)
    let later = { (seconds: Int64) in start.adding(.seconds(seconds)) }
    #expect(HistoryRow.duration(status: "FAILED", startedAt: start, updatedAt: later(9), finishedAt: later(5), now: later(99))
      == .seconds(5))
    #expect(HistoryRow.duration(status: "RUNNING", startedAt: start, updatedAt: later(9), finishedAt: nil, now: later(99))
      == .seconds(99))
    #expect(HistoryRow.duration(status: "FINISHED", startedAt: start, updatedAt: later(9), finishedAt: nil, now: later(99))
      == .seconds(9))
    #expect(HistoryRow.duration(status: "RUNNING", startedAt: later(5), updatedAt: nil, finishedAt: nil, now: start) == nil,
            "a writer's clock ahead of the database's gives no duration, not a negative one")
    #expect(HistoryRow.duration(status: "FINISHED", startedAt: nil, updatedAt: later(9), finishedAt: nil, now: start) == nil)
  }
}
