/// RFC 4180, strictly: records end in CRLF; a stray quote, text after a closing quote, a bare
/// CR or LF, or a missing final CRLF is a problem, never silently accepted.
public enum CSV {
  public struct Problem: Error, CustomStringConvertible, Equatable {
    public let description: String
  }

  public static func parse(_ text: String) throws(Problem) -> [[String]] {
    var records: [[String]] = []
    var record: [String] = []
    var field = ""
    var scalars = Array(text.unicodeScalars)[...]
    var quoted = false
    while let scalar = scalars.popFirst() {
      if quoted {
        if scalar != "\"" {
          field.unicodeScalars.append(scalar)
        } else if scalars.first == "\"" {
          scalars.removeFirst()
          field.unicodeScalars.append("\"")
        } else {
          quoted = false
          guard scalars.first == "," || scalars.first == "\r" else { throw Problem(description: "text after a closing quote") }
        }
        continue
      }
      switch scalar {
      case "\"":
        guard field.isEmpty else { throw Problem(description: "a quote inside an unquoted field") }
        quoted = true
      case ",":
        record.append(field)
        field = ""
      case "\r":
        guard scalars.popFirst() == "\n" else { throw Problem(description: "CR without LF") }
        records.append(record + [field])
        record = []
        field = ""
      case "\n":
        throw Problem(description: "a bare LF")
      default:
        field.unicodeScalars.append(scalar)
      }
    }
    guard !quoted, field.isEmpty, record.isEmpty else { throw Problem(description: "the text does not end with CRLF") }
    return records
  }
}
