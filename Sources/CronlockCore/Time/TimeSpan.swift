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
    if rest.first == "-", rest.dropFirst().first?.isNumber == true { throw TimeSpanError(text: text, problem: "is negative") }
    var total: Int64 = 0
    while !rest.isEmpty {
      let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
      guard !digits.isEmpty else {
        throw TimeSpanError(text: text, problem: "is not a number followed by a unit (ms, s, m, h, d)")
      }
      rest = rest.dropFirst(digits.count)
      if rest.first == "." { throw Self.fractionError(text: text, digits: digits, rest: rest.dropFirst()) }
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

  /// `1.5h` names a whole span that can be written `1h30m`: say so, or that fractions are not taken.
  private static func fractionError(text: String, digits: Substring, rest: Substring) -> TimeSpanError {
    let fraction = rest.prefix(while: { $0.isASCII && $0.isNumber })
    let after = rest.dropFirst(fraction.count)
    var problem = "has a fraction; write whole numbers of ms, s, m, h or d"
    if !fraction.isEmpty, fraction.count <= 9, let unit = units.first(where: { after.hasPrefix($0.suffix) }),
       after.dropFirst(unit.suffix.count).isEmpty, let whole = Int64(digits), let part = Int64(fraction)
    {
      var scale: Int128 = 1
      for _ in fraction { scale *= 10 }
      let size = Int128(unit.nanoseconds)
      let total = Int128(whole) * size + Int128(part) * size / scale
      if (Int128(part) * size) % scale == 0, total > 0, total <= Int128(Int64.max), total % 1_000_000 == 0 {
        problem = "has a fraction; write \(TimeSpan(nanoseconds: Int64(total)))"
      }
    }
    return TimeSpanError(text: text, problem: problem)
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
