/// Rules for job names and identifiers (design §3): non-empty, at most 255 bytes of valid
/// UTF-8, no control characters.
public enum LockName {
  public static let maximumBytes = 255

  /// Throws an `invalidName` error (exit 65) describing the first rule `value` breaks.
  /// `repairedFromInvalidUTF8` is true when the value came from bytes that were not UTF-8
  /// (Swift repairs such bytes to U+FFFD when it decodes argv).
  public static func validate(_ value: String, as what: String, repairedFromInvalidUTF8: Bool = false)
    throws(CronlockError)
  {
    if repairedFromInvalidUTF8 { throw .invalidName("\(what) is not valid UTF-8") }
    if value.isEmpty { throw .invalidName("\(what) is empty") }
    let bytes = value.utf8.count
    if bytes > maximumBytes {
      throw .invalidName("\(what) is \(bytes) bytes long; at most \(maximumBytes) are allowed")
    }
    if let control = value.unicodeScalars.first(where: isControl) {
      throw .invalidName("\(what) contains the control character U+\(hex(control.value)): \(escaped(value))")
    }
  }

  /// C0, DEL and C1 controls (Unicode category Cc), NUL included.
  static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value)
  }

  /// `value` safe for one line of output: control and invisible formatting characters escaped.
  public static func escaped(_ value: String) -> String {
    TerminalText.escaped(value)
  }

  private static func hex(_ value: UInt32, width: Int = 4) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
  }
}
