/// A positive length of time with nanosecond resolution, written like `500ms`, `30s`, `5m`,
/// `1h`, `1d` or a sum such as `1h30m`.
public struct TimeSpan: Sendable, Hashable, Comparable, CustomStringConvertible {
  public let nanoseconds: Int64

  public init(nanoseconds: Int64) {
    self.nanoseconds = nanoseconds
  }

  public static func milliseconds(_ value: Int64) -> TimeSpan { TimeSpan(nanoseconds: value * 1_000_000) }
  public static func seconds(_ value: Int64) -> TimeSpan { TimeSpan(nanoseconds: value * 1_000_000_000) }

  /// Largest units first; `ms` must be tried before `m`.
  private static let units: [(suffix: String, nanoseconds: Int64)] = [
    ("d", 86_400_000_000_000), ("h", 3_600_000_000_000), ("ms", 1_000_000),
    ("m", 60_000_000_000), ("s", 1_000_000_000),
  ]

  /// Parses a duration; throws a one-sentence error for empty, zero, negative, unitless,
  /// fractional, unknown-unit or overflowing input.
  public init(parsing text: String) throws(TimeSpanError) {
    var rest = Substring(text)
    guard !rest.isEmpty else { throw TimeSpanError(text: text, problem: "is empty") }
    if rest.first == "-" { throw TimeSpanError(text: text, problem: "is negative") }
    var total: Int64 = 0
    while !rest.isEmpty {
      let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
      guard !digits.isEmpty else {
        throw TimeSpanError(text: text, problem: "is not a number followed by a unit (ms, s, m, h, d)")
      }
      rest = rest.dropFirst(digits.count)
      guard let unit = Self.units.first(where: { rest.hasPrefix($0.suffix) }) else {
        throw TimeSpanError(text: text, problem: "needs a unit after \(digits) (ms, s, m, h or d)")
      }
      rest = rest.dropFirst(unit.suffix.count)
      guard let count = Int64(digits) else { throw TimeSpanError(text: text, problem: "is too large") }
      let (part, partOverflow) = count.multipliedReportingOverflow(by: unit.nanoseconds)
      let (sum, sumOverflow) = total.addingReportingOverflow(part)
      if partOverflow || sumOverflow { throw TimeSpanError(text: text, problem: "is too large") }
      total = sum
    }
    guard total > 0 else { throw TimeSpanError(text: text, problem: "must be greater than zero") }
    nanoseconds = total
  }

  /// The shortest spelling that parses back to the same value, e.g. `1h30m` or `1s500ms`.
  public var description: String {
    var rest = nanoseconds
    var text = ""
    for (suffix, size) in [("d", Int64(86_400_000_000_000)), ("h", 3_600_000_000_000),
                           ("m", 60_000_000_000), ("s", 1_000_000_000), ("ms", 1_000_000)] {
      if rest >= size {
        text += "\(rest / size)\(suffix)"
        rest %= size
      }
    }
    if rest > 0 || text.isEmpty { text += "\(rest)ns" }
    return text
  }

  /// Whole seconds, rounded up, at least `minimum`.
  public func secondsRoundedUp(minimum: Int64 = 1) -> Int64 {
    max(minimum, (nanoseconds + 999_999_999) / 1_000_000_000)
  }

  public var milliseconds: Int64 { nanoseconds / 1_000_000 }

  public static func < (lhs: TimeSpan, rhs: TimeSpan) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
}

/// A duration that could not be parsed.
public struct TimeSpanError: Error, Equatable, CustomStringConvertible {
  public let text: String
  public let problem: String
  public var description: String { "duration '\(text)' \(problem)" }
}
