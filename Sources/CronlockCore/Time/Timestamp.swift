#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An instant as nanoseconds since 1970-01-01T00:00:00Z.
public struct Timestamp: Sendable, Hashable, Comparable {
  public let nanosecondsSinceEpoch: Int64

  public init(nanosecondsSinceEpoch: Int64) {
    self.nanosecondsSinceEpoch = nanosecondsSinceEpoch
  }

  /// Reads the system's real-time clock.
  public static func now() -> Timestamp {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Timestamp(nanosecondsSinceEpoch: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
  }

  /// Builds an instant from a UTC calendar date and time.
  public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0,
              millisecond: Int = 0) {
    let days = Int64(CivilDate.daysSinceEpoch(year: year, month: month, day: day))
    let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    nanosecondsSinceEpoch = seconds * 1_000_000_000 + Int64(millisecond) * 1_000_000
  }

  public func adding(_ span: TimeSpan) -> Timestamp {
    Timestamp(nanosecondsSinceEpoch: nanosecondsSinceEpoch + span.nanoseconds)
  }

  /// `yyyy-MM-dd HH:mm:ss.SSS` in UTC — the seed's identifier format, fractions truncated like
  /// Go's `.000`. `offsetSeconds` renders the wall clock of another zone instead.
  public func formatted(offsetSeconds: Int = 0, separator: String = " ") -> String {
    let shifted = nanosecondsSinceEpoch + Int64(offsetSeconds) * 1_000_000_000
    let (seconds, fraction) = shifted.floorDividedBy(1_000_000_000)
    let (days, secondOfDay) = seconds.floorDividedBy(86_400)
    let date = CivilDate(daysSinceEpoch: Int(days))
    let hour = Int(secondOfDay / 3600), minute = Int(secondOfDay / 60 % 60), second = Int(secondOfDay % 60)
    return "\(pad(date.year, 4))-\(pad(date.month, 2))-\(pad(date.day, 2))\(separator)"
      + "\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2)).\(pad(Int(fraction / 1_000_000), 3))"
  }

  /// RFC 3339 in UTC with milliseconds, e.g. `2026-11-29T04:50:00.000Z`.
  public var rfc3339: String { formatted(separator: "T") + "Z" }

  public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
    lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch
  }
}

private func pad(_ value: Int, _ width: Int) -> String {
  let digits = String(value)
  return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}

extension Int64 {
  /// Quotient and remainder rounded towards negative infinity; the remainder is never negative.
  func floorDividedBy(_ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
    var quotient = self / divisor
    var remainder = self % divisor
    if remainder < 0 {
      quotient -= 1
      remainder += divisor
    }
    return (quotient, remainder)
  }
}

/// A proleptic Gregorian date (Howard Hinnant's days-from-civil algorithms).
struct CivilDate: Equatable {
  let year: Int, month: Int, day: Int

  init(daysSinceEpoch: Int) {
    let z = daysSinceEpoch + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let shiftedMonth = (5 * dayOfYear + 2) / 153
    day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
    month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
    year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
  }

  static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }
}
