/// A size as `--capture-output` takes it: a whole number of bytes, optionally with the unit
/// `B`, `KiB` or `MiB` (powers of 1024), e.g. `64KiB`.
public enum ByteSize {
  public static let units: [(suffix: String, bytes: Int)] = [("MiB", 1 << 20), ("KiB", 1 << 10), ("B", 1)]

  /// The bytes, or why the text is not a size.
  public static func parse(_ text: String) -> Result<Int, ByteSizeError> {
    let unit = units.first { text.hasSuffix($0.suffix) } ?? (suffix: "", bytes: 1)
    let digits = text.dropLast(unit.suffix.count)
    guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
      return .failure(ByteSizeError(text: text, problem: "is not a size such as 64KiB (units: B, KiB, MiB)"))
    }
    // At most 7 digits: anything longer is far past every range, and cannot overflow.
    guard digits.count <= 7, let count = Int(digits) else {
      return .failure(ByteSizeError(text: text, problem: "is out of range"))
    }
    return .success(count * unit.bytes)
  }

  /// `64KiB`, `1MiB`, `100B`: the largest unit that divides it.
  public static func description(_ bytes: Int) -> String {
    let unit = units.first { bytes > 0 && bytes % $0.bytes == 0 } ?? (suffix: "B", bytes: 1)
    return "\(bytes / unit.bytes)\(unit.suffix)"
  }
}

public struct ByteSizeError: Error, Equatable, CustomStringConvertible {
  public let text: String
  public let problem: String
  public var description: String { "size '\(text)' \(problem)" }
}
