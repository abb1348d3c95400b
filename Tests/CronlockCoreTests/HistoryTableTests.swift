import Testing

@testable import CronlockCore

@Suite("list: the table")
struct HistoryTableTests {
  let start = Timestamp(year: 2026, month: 11, day: 29, hour: 4, minute: 50)

  func row(_ id: Int64, job: String = "report", identifier: String = "2026-11-29 04:50:00.000",
           worker: String = "host-a", status: String = "FINISHED", exitCode: Int32? = 0, signal: Int32? = nil,
           seconds: Int64 = 12, startedAt: Timestamp? = nil) -> HistoryRow {
    HistoryRow(id: id, job: job, identifier: identifier, worker: worker, status: status, startedAt: startedAt ?? start,
               exitCode: exitCode, signal: signal, duration: .seconds(seconds))
  }

  func berlin(width: Int = 120) throws -> HistoryTable {
    HistoryTable(width: width, zone: try TimeZoneRules.named("Europe/Berlin"))
  }

  @Test("columns are aligned under their headers, started on the local clock with its offset")
  func aligned() throws {
    let text = try berlin().render([row(1), row(2, job: "backup", worker: "h", status: "RUNNING", exitCode: nil, seconds: 330)])
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    #expect(lines == [
      "JOB     IDENTIFIER               WORKER  STATUS    STARTED                    DURATION  EXIT",
      "report  2026-11-29 04:50:00.000  host-a  FINISHED  2026-11-29T05:50:00+01:00  12s       0",
      "backup  2026-11-29 04:50:00.000  h       RUNNING   2026-11-29T05:50:00+01:00  5m30s     -",
      "",
    ])
  }

  @Test("a summer instant shows the summer offset; a zone west of UTC a negative one")
  func offsets() throws {
    let july = Timestamp(year: 2026, month: 7, day: 1, hour: 12)
    #expect(try berlin().localTime(july) == "2026-07-01T14:00:00+02:00")
    let newYork = HistoryTable(zone: try TimeZoneRules.named("America/New_York"))
    #expect(newYork.localTime(july) == "2026-07-01T08:00:00-04:00")
    #expect(HistoryTable(zone: .utc).localTime(july) == "2026-07-01T12:00:00+00:00")
    let kolkata = HistoryTable(zone: try TimeZoneRules.named("Asia/Kolkata"))
    #expect(kolkata.localTime(july) == "2026-07-01T17:30:00+05:30")
  }

  @Test("long values are shortened with … so every line fits 80 columns; the time's form gives way first")
  func fitsEighty() throws {
    let long = row(1, job: "nightly-report-for-the-finance-department", worker: "web-17.production.eu-central-1.example.com")
    let lines = HistoryTable(width: 80, zone: .utc).render([long, row(2)]).split(separator: "\n").map(String.init)
    #expect(lines.allSatisfy { TerminalText.width($0) <= 80 }, "\(lines)")
    #expect(lines[1].contains("11-29 04:50:00Z"), "the narrow UTC form: \(lines)")
    #expect(lines[2].hasPrefix("report "), "a short job name is never cut")
    // The widest fixed columns leave less room: then headers give way too, and lines still fit.
    let worst = row(3, job: long.job!, identifier: "pipeline-1234567890-abcdefghij", worker: long.worker!,
                    status: "ABANDONED", exitCode: nil, signal: 9, seconds: 200_000)
    let worstLines = HistoryTable(width: 80, zone: .utc).render([worst]).split(separator: "\n").map(String.init)
    #expect(worstLines.map(TerminalText.width).allSatisfy { $0 <= 80 }, "\(worstLines)")
    #expect(worstLines[1].hasSuffix("ABANDONED  11-29 04:50:00Z  2d7h      SIGKILL"))
    #expect(!HistoryTable(width: 200, zone: .utc).render([worst]).contains("…"), "a wide terminal shortens nothing")
  }

  @Test("at 80 columns job names are whole: the time shortens, then identifiers and workers give way")
  func jobNamesStayWhole() throws {
    let started = Timestamp(year: 2026, month: 12, day: 1, hour: 18, minute: 34)
    let rows = [
      row(1, job: "sleeper", identifier: "2026-12-01 18:34:00.000", worker: "worker-host-01", status: "FINISHED",
          startedAt: started),
      row(2, job: "sleeper2", identifier: "2026-12-01 18:34:00.000", worker: "worker-host-02", status: "FAILED",
          exitCode: nil, signal: 15, startedAt: started),
    ]
    for width in [80, 72, 68] {
      let lines = try berlin(width: width).render(rows).split(separator: "\n").map(String.init)
      #expect(lines.allSatisfy { TerminalText.width($0) <= width }, "\(width): \(lines)")
      #expect(lines[1].hasPrefix("sleeper  ") && lines[2].hasPrefix("sleeper2  "), "\(width): \(lines)")
    }
    let eighty = try berlin(width: 80).render(rows).split(separator: "\n").map(String.init)
    #expect(eighty[1].contains("12-01 18:34:00Z"), "\(eighty)")
    #expect(eighty[1].contains("  2026-12-01…  "), "the identifier keeps more than 8 columns: \(eighty)")
    #expect(!eighty[1].contains("+01:00"))
    // Wide enough for everything: the local ISO form with its offset, nothing shortened.
    let wide = try berlin(width: 120).render(rows)
    #expect(wide.contains("2026-12-01T19:34:00+01:00") && !wide.contains("…"))
  }

  @Test("a run stopped by --timeout shows timeout, not the signal that ended it")
  func timedOut() {
    var stopped = row(1, status: "FAILED", exitCode: nil, signal: 15)
    stopped.note = "timed out after 2s; sent SIGTERM"
    let line = HistoryTable(width: 200, zone: .utc).render([stopped]).split(separator: "\n")[1]
    #expect(line.hasSuffix("  timeout"), "\(line)")
    #expect(HistoryTable.exit(code: nil, signal: 15, note: "cronlock received signal 15 and forwarded it") == "SIGTERM")
  }

  @Test("shortening keeps whole characters and counts wide ones as two columns")
  func truncation() {
    #expect(TerminalText.truncated("abcdef", toWidth: 6) == "abcdef")
    #expect(TerminalText.truncated("abcdefg", toWidth: 6) == "abcde…")
    #expect(TerminalText.truncated("日本語のジョブ", toWidth: 6) == "日本…")
    #expect(TerminalText.width("日本…") == 5)
    #expect(TerminalText.truncated("e\u{301}e\u{301}e\u{301}x", toWidth: 3) == "e\u{301}e\u{301}…")
    #expect(TerminalText.width("e\u{301}") == 1)
  }

  @Test("wide characters stay aligned")
  func wideAlignment() {
    let text = HistoryTable(width: 200, zone: .utc).render([row(1, job: "日本"), row(2, job: "abcde")])
    let lines = text.split(separator: "\n").map(String.init)
    let offsets = lines.map { line in TerminalText.width(line.prefix(while: { $0 != "2" && $0 != "I" })) }
    #expect(Set(offsets).count == 1, "\(lines)")
  }

  @Test("control characters, bidi overrides and backslashes in stored names are escaped")
  func escaping() {
    let nasty = "a\u{1B}[31mred\u{7}\nb\tc\r\u{7F}\u{85}\u{202E}d\\e"
    let text = HistoryTable(width: 300, zone: .utc).render([row(1, job: nasty, identifier: "x\u{0}y", worker: "w\u{2028}")])
    #expect(text.contains("a\\x1B[31mred\\x07\\nb\\tc\\r\\x7F\\x85\\u{202E}d\\\\e"))
    #expect(text.contains("x\\x00y"))
    #expect(text.contains("w\\u{2028}"))
    #expect(!text.unicodeScalars.contains { LockName.isControl($0) && $0 != "\n" })
    #expect(text.split(separator: "\n").count == 2, "one line per row")
  }

  @Test("colour only when asked for: bold header, status by kind, padding outside the codes")
  func colour() {
    let rows = [row(1, status: "FAILED", exitCode: 1), row(2, status: "RUNNING", exitCode: nil), row(3, status: "OTHER")]
    let plain = HistoryTable(width: 200, zone: .utc).render(rows)
    #expect(!plain.contains("\u{1B}"))
    let coloured = HistoryTable(width: 200, colour: true, zone: .utc).render(rows)
    let lines = coloured.split(separator: "\n").map(String.init)
    #expect(lines[0].hasPrefix("\u{1B}[1mJOB\u{1B}[0m     \u{1B}[1mIDENTIFIER"))
    #expect(lines[1].contains("\u{1B}[31mFAILED\u{1B}[0m   2026"))
    #expect(lines[2].contains("\u{1B}[36mRUNNING\u{1B}[0m  2026"))
    #expect(lines[3].contains("  OTHER    2026"), "an unknown status is shown plainly")
  }

  @Test("unknown values show as -")
  func unknowns() {
    let goRow = HistoryRow(id: 1, job: "report", identifier: "s", worker: "go-service", status: "FINISHED")
    let line = HistoryTable(width: 200, zone: .utc).render([goRow]).split(separator: "\n")[1]
    #expect(line == "report  s           go-service  FINISHED  -        -         -")
  }

  @Test("durations use the two largest units", arguments: [
    (350, "350ms"), (2_500, "2.5s"), (42_000, "42s"), (312_000, "5m12s"), (11_100_000, "3h5m"), (183_600_000, "2d3h"),
    (0, "0ms"),
  ] as [(Int64, String)])
  func durations(milliseconds: Int64, text: String) {
    #expect(HistoryTable.duration(.milliseconds(milliseconds)) == text)
  }

  @Test("exit: the code, a portable signal name, or -")
  func exits() {
    #expect(HistoryTable.exit(code: 3, signal: nil) == "3")
    #expect(HistoryTable.exit(code: nil, signal: 15) == "SIGTERM")
    #expect(HistoryTable.exit(code: nil, signal: 10) == "SIG10", "USR1 on Linux, BUS on the BSDs")
    #expect(HistoryTable.exit(code: nil, signal: nil) == "-")
  }

  @Test("colour on a terminal only, never with NO_COLOR (even empty) or TERM=dumb; width from COLUMNS or the terminal")
  func terminalOutput() {
    #expect(TerminalOutput(isTerminal: true, terminalWidth: 132, noColor: nil, term: "xterm", columns: nil)
      == TerminalOutput(colour: true, width: 132, isTerminal: true))
    #expect(TerminalOutput(isTerminal: true, terminalWidth: 132, noColor: "1", term: "xterm", columns: nil).colour == false)
    #expect(TerminalOutput(isTerminal: true, terminalWidth: 132, noColor: "", term: "xterm", columns: nil).colour == false)
    #expect(TerminalOutput(isTerminal: true, terminalWidth: 132, noColor: nil, term: "dumb", columns: nil).colour == false)
    #expect(TerminalOutput(isTerminal: false, terminalWidth: nil, noColor: nil, term: "xterm", columns: nil)
      == TerminalOutput(colour: false, width: 80))
    #expect(TerminalOutput(isTerminal: false, terminalWidth: nil, noColor: nil, term: nil, columns: "120").width == 120)
    #expect(TerminalOutput(isTerminal: true, terminalWidth: 0, noColor: nil, term: nil, columns: "junk").width == 80)
  }
}
