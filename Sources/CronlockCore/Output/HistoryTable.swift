/// `cronlock list`'s table: aligned columns, untrusted text escaped, long values shortened
/// with `…` so each line fits `width` columns.
public struct HistoryTable: Sendable {
  public var width: Int
  /// ANSI colours for the status and the header; the caller decides (`TerminalOutput`).
  public var colour: Bool
  /// The zone "started" is shown in, with its offset.
  public var zone: TimeZoneRules

  public init(width: Int = 80, colour: Bool = false, zone: TimeZoneRules) {
    self.width = width
    self.colour = colour
    self.zone = zone
  }

  static let headers = ["JOB", "IDENTIFIER", "WORKER", "STATUS", "STARTED", "DURATION", "EXIT"]
  /// What gives way when a line is too wide, in this order: the time's form (the local
  /// ISO 8601 form, 25 columns, becomes `11-29 04:50:00Z`, 15), then identifier and worker,
  /// widest first, down to these widths, then down to `floor`; the job name comes last, so
  /// `sleeper` and `sleeper2` still differ at 80 columns.
  static let preferredMinimum = [6, 10, 6]
  static let floor = 5
  static let gap = "  "
  static let unknown = "-"

  /// The whole table, header first, one line per row, each ending in a newline.
  public func render(_ rows: [HistoryRow]) -> String {
    var cells = self.cells(rows, time: localTime)
    if total(Self.naturalWidths(cells)) > width {
      cells = self.cells(rows, time: Self.shortTime)
    }
    let widths = fittedWidths(natural: Self.naturalWidths(cells))
    var lines = [line(Self.headers, widths: widths, style: colour ? "1" : nil, statusStyle: nil)]
    for (row, values) in zip(rows, cells) {
      lines.append(line(values, widths: widths, style: nil, statusStyle: colour ? Self.colour(of: row.status) : nil))
    }
    return lines.map { $0 + "\n" }.joined()
  }

  private func cells(_ rows: [HistoryRow], time: (Timestamp) -> String) -> [[String]] {
    rows.map { row in
      [row.job, row.identifier, row.worker, row.status].map { $0.map(TerminalText.escaped) ?? Self.unknown }
        + [row.startedAt.map(time) ?? Self.unknown, row.duration.map(Self.duration) ?? Self.unknown,
           Self.exit(code: row.exitCode, signal: row.signal, note: row.note)]
    }
  }

  private static func naturalWidths(_ cells: [[String]]) -> [Int] {
    headers.indices.map { column in
      ([headers[column]] + cells.map { $0[column] }).map(TerminalText.width).max() ?? 0
    }
  }

  private func total(_ widths: [Int]) -> Int { widths.reduce(0, +) + Self.gap.count * (widths.count - 1) }

  /// Natural widths, narrowed in `preferredMinimum`'s order until the line fits.
  func fittedWidths(natural: [Int]) -> [Int] {
    var widths = natural
    var excess = total(widths) - width
    // Identifier and worker to their preferred widths, then to the floor; the job last.
    let stages: [(columns: [Int], minimum: (Int) -> Int)] = [
      ([1, 2], { min(natural[$0], Self.preferredMinimum[$0]) }),
      ([1, 2], { min(natural[$0], Self.floor) }),
      ([0], { min(natural[$0], Self.preferredMinimum[$0]) }),
      ([0], { min(natural[$0], Self.floor) }),
    ]
    for stage in stages where excess > 0 {
      while excess > 0 {
        let candidates = stage.columns.filter { widths[$0] > stage.minimum($0) }
        guard let widest = candidates.max(by: { widths[$0] < widths[$1] }) else { break }
        widths[widest] -= 1
        excess -= 1
      }
    }
    return widths
  }

  private func line(_ values: [String], widths: [Int], style: String?, statusStyle: String?) -> String {
    var text = ""
    for (column, value) in values.enumerated() {
      let shown = TerminalText.truncated(value, toWidth: widths[column])
      let padding = String(repeating: " ", count: max(0, widths[column] - TerminalText.width(shown)))
      let cellStyle = column == 3 ? statusStyle ?? style : style
      text += cellStyle.map { "\u{1B}[\($0)m" + shown + "\u{1B}[0m" } ?? shown
      if column < values.count - 1 { text += padding + Self.gap }
    }
    return text
  }

  /// `2026-11-29T05:50:00+01:00`: ISO 8601 on `zone`'s clock, with its offset at that instant.
  func localTime(_ instant: Timestamp) -> String {
    let offset = zone.offset(at: instant)
    let wall = instant.formatted(offsetSeconds: offset, separator: "T").dropLast(4)  // no milliseconds
    let minutes = abs(offset) / 60
    return wall + (offset < 0 ? "-" : "+") + Self.twoDigits(minutes / 60) + ":" + Self.twoDigits(minutes % 60)
  }

  /// `11-29 04:50:00Z`: the narrow form, in UTC so it needs no offset.
  static func shortTime(_ instant: Timestamp) -> String {
    String(instant.formatted(separator: " ").dropFirst(5).dropLast(4)) + "Z"  // no year, no milliseconds
  }

  private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

  /// The two largest units: `350ms`, `2.5s`, `42s`, `5m12s`, `3h5m`, `2d3h`.
  static func duration(_ span: TimeSpan) -> String {
    let milliseconds = span.milliseconds
    let seconds = milliseconds / 1000
    switch seconds {
    case ..<1: return "\(milliseconds)ms"
    case ..<10: return "\(seconds).\(milliseconds % 1000 / 100)s"
    case ..<60: return "\(seconds)s"
    case ..<3600: return "\(seconds / 60)m\(seconds % 60)s"
    case ..<86_400: return "\(seconds / 3600)h\(seconds / 60 % 60)m"
    default: return "\(seconds / 86_400)d\(seconds / 3600 % 24)h"
    }
  }

  /// The exit code, `SIGKILL` for a run killed by a signal, `timeout` for one that --timeout
  /// stopped (whichever signal ended it), `-` when unknown. Only signals numbered alike on
  /// Linux and the BSDs are named (the row may come from another host).
  static func exit(code: Int32?, signal: Int32?, note: String? = nil) -> String {
    if note?.hasPrefix(timedOutNote) == true { return "timeout" }
    if let signal { return "SIG" + (portableSignalNames[signal] ?? String(signal)) }
    return code.map { String($0) } ?? unknown
  }

  /// How Supervision's note for a run stopped by --timeout begins.
  static let timedOutNote = "timed out after "

  static let portableSignalNames: [Int32: String] = [
    1: "HUP", 2: "INT", 3: "QUIT", 4: "ILL", 5: "TRAP", 6: "ABRT", 8: "FPE", 9: "KILL", 11: "SEGV",
    13: "PIPE", 14: "ALRM", 15: "TERM",
  ]

  /// SGR parameters per status: running cyan, finished green, failed red, abandoned yellow.
  static func colour(of status: String?) -> String? {
    status.flatMap { statusColours[$0] }
  }

  static let statusColours: [String: String] = [
    RunStatus.running.rawValue: "36", RunStatus.finished.rawValue: "32",
    RunStatus.failed.rawValue: "31", RunStatus.abandoned.rawValue: "33",
  ]
}
