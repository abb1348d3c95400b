/// `cronlock list --format csv`: RFC 4180 — a header row, CRLF line ends, and a field quoted
/// (its quotes doubled) when it holds a comma, quote, CR, LF or any other control character.
/// Piped, values are never altered: RFC 4180 has no escapes, and the programs CSV is for must
/// get the bytes another client stored. On a terminal, text is escaped as the table escapes
/// it (`\x1B`, `\r`), so a job name cannot move the cursor or recolour the screen. As in PostgreSQL's own CSV, an unknown value is an empty field and
/// an empty string is `""`. Times are RFC 3339 in UTC.
public enum HistoryCSV {
  public static func render(_ rows: [HistoryRow], forTerminal: Bool = false) -> String {
    var lines = [HistoryRow.fieldNames.joined(separator: ",")]
    for row in rows {
      lines.append(row.fields.map { field($0.value, forTerminal: forTerminal) }.joined(separator: ","))
    }
    return lines.map { $0 + "\r\n" }.joined()
  }

  static func field(_ value: HistoryValue, forTerminal: Bool = false) -> String {
    switch value {
    case .text(let text): text.map { quoted(forTerminal ? TerminalText.escaped($0) : $0) } ?? ""
    case .number(let number): number.map { String($0) } ?? ""
    case .time(let instant): instant?.rfc3339 ?? ""
    }
  }

  public static func quoted(_ text: String) -> String {
    guard text.isEmpty || text.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || LockName.isControl($0) }) else {
      return text
    }
    return "\"" + text.replacing("\"", with: "\"\"") + "\""
  }
}
