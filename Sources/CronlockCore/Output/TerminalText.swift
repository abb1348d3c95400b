/// Untrusted text made safe for a terminal, measured in columns and shortened with `…`.
public enum TerminalText {
  /// Control characters (C0, DEL, C1), line and paragraph separators and bidirectional
  /// overrides escaped, so a stored name can neither move the cursor, recolour the terminal,
  /// break a line nor reorder what is shown. A backslash is doubled so escapes are unambiguous.
  public static func escaped(_ value: String) -> String {
    var text = ""
    for scalar in value.unicodeScalars {
      switch scalar {
      case "\n": text += "\\n"
      case "\t": text += "\\t"
      case "\r": text += "\\r"
      case "\\": text += "\\\\"
      case _ where LockName.isControl(scalar): text += "\\x" + hex(scalar.value, width: 2)
      case _ where isInvisibleFormatting(scalar): text += "\\u{" + hex(scalar.value, width: 4) + "}"
      default: text.unicodeScalars.append(scalar)
      }
    }
    return text
  }

  /// U+2028/2029 and the bidirectional marks, embeddings, overrides and isolates.
  static func isInvisibleFormatting(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: true
    default: false
    }
  }

  /// Columns a terminal uses for `value` (already escaped): 2 for East Asian wide characters,
  /// 0 for combining marks and zero-width formatting, 1 otherwise.
  public static func width(_ value: some StringProtocol) -> Int {
    value.unicodeScalars.reduce(0) { $0 + width(of: $1) }
  }

  static func width(of character: Character) -> Int {
    character.unicodeScalars.reduce(0) { $0 + width(of: $1) }
  }

  static func width(of scalar: Unicode.Scalar) -> Int {
    switch scalar.properties.generalCategory {
    case .nonspacingMark, .enclosingMark, .format: return 0
    default: break
    }
    switch scalar.value {
    case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
         0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
         0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
      return 2
    default:
      return 1
    }
  }

  /// `value` if it fits in `columns`, else its longest prefix of whole characters that fits
  /// with `…` after it.
  public static func truncated(_ value: String, toWidth columns: Int) -> String {
    guard width(value) > columns else { return value }
    guard columns > 0 else { return "" }
    var text = ""
    var used = 0
    for character in value {
      let next = width(of: character)
      if used + next > columns - 1 { break }
      text.append(character)
      used += next
    }
    return text + "…"
  }

  static func hex(_ value: UInt32, width: Int) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
  }
}
