/// `cronlock list --format csv`: RFC 4180 — a header row, CRLF line ends, and a field quoted
/// (its quotes doubled) when it holds a comma, quote, CR, LF or any other control character.
/// Values are never altered. As in PostgreSQL's own CSV, an unknown value is an empty field and
/// an empty string is `""`. Times are RFC 3339 in UTC.
public enum HistoryCSV {
  public static func render(_ rows: [HistoryRow]) -> String {
    var lines = [HistoryRow.fieldNames.joined(separator: ",")]
    for row in rows {
      lines.append(row.fields.map { field($0.value) }.joined(separator: ","))
    }
    return lines.map { $0 + "\r\n" }.joined()
  }

  static func field(_ value: HistoryValue) -> String {
    switch value {
    case .text(let text): text.map(quoted) ?? ""
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
