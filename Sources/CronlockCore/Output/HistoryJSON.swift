/// `cronlock list --format json`: one array of objects, RFC 3339 UTC times, numbers as
/// numbers, `null` for unknown. Valid JSON whatever the stored text: control characters are
/// escaped as `\u00XX`, and text that was not UTF-8 already arrived as U+FFFD.
public enum HistoryJSON {
  /// The array, one object per line, ending in a newline.
  public static func render(_ rows: [HistoryRow]) -> String {
    guard !rows.isEmpty else { return "[]\n" }
    let objects = rows.map { row in
      "{" + row.fields.map { quoted($0.name) + ":" + value($0.value) }.joined(separator: ",") + "}"
    }
    return "[\n" + objects.joined(separator: ",\n") + "\n]\n"
  }

  static func value(_ value: HistoryValue) -> String {
    switch value {
    case .text(let text): text.map(quoted) ?? "null"
    case .number(let number): number.map { String($0) } ?? "null"
    case .time(let instant): instant.map { quoted($0.rfc3339) } ?? "null"
    }
  }

  /// A JSON string literal. Beyond what RFC 8259 requires, DEL, the C1 controls and U+2028/2029
  /// are escaped too, so the output is also safe to paste into JavaScript or print.
  public static func quoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      case _ where LockName.isControl(scalar) || scalar.value == 0x2028 || scalar.value == 0x2029:
        result += "\\u" + TerminalText.hex(scalar.value, width: 4)
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result + "\""
  }
}
