/// A five-field cron schedule (minute hour day-of-month month day-of-week) with Vixie cron semantics.
public struct CronExpression: Sendable, Equatable {
  /// Bit n is set when the field allows value n; day-of-week 7 is stored as 0 (Sunday).
  let minutes: UInt64
  let hours: UInt64
  let daysOfMonth: UInt64
  let months: UInt64
  let daysOfWeek: UInt64
  /// Vixie cron's rule: a day field is restricted when it does not start with `*`. When both day
  /// fields are restricted a day matches if either does, otherwise both must.
  let dayOfMonthRestricted: Bool
  let dayOfWeekRestricted: Bool
  /// The fields as written, one space apart (a macro as written): what the lock table stores.
  public let source: String

  static let macros: [(names: [String], fields: String)] = [
    (["@yearly", "@annually"], "0 0 1 1 *"), (["@monthly"], "0 0 1 * *"), (["@weekly"], "0 0 * * 0"),
    (["@daily", "@midnight"], "0 0 * * *"), (["@hourly"], "0 * * * *"),
  ]

  /// Parses five fields or a macro; throws a usage error naming the offending field and value.
  public init(parsing text: String) throws(CronlockError) {
    let fail = { (problem: String) in CronlockError.usage("cron expression '\(text)': \(problem)") }
    var fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
    source = fields.joined(separator: " ")
    if let first = fields.first, first.hasPrefix("@") {
      let macro = first.lowercased()
      if macro == "@reboot" {
        throw fail("@reboot runs once at boot and has no schedule; use a time-based expression")
      }
      guard let expansion = Self.macros.first(where: { $0.names.contains(macro) }) else {
        throw fail("unknown macro \(first) (use @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly)")
      }
      guard fields.count == 1 else { throw fail("nothing may follow \(first)") }
      fields = expansion.fields.split(separator: " ")
    }
    guard fields.count == 5 else {
      throw fail("expected 5 fields (minute hour day-of-month month day-of-week), found \(fields.count)")
    }
    minutes = try CronField.minute.parse(fields[0], fail: fail)
    hours = try CronField.hour.parse(fields[1], fail: fail)
    daysOfMonth = try CronField.dayOfMonth.parse(fields[2], fail: fail)
    months = try CronField.month.parse(fields[3], fail: fail)
    let weekdays = try CronField.dayOfWeek.parse(fields[4], fail: fail)
    daysOfWeek = (weekdays & 0x7f) | (weekdays >> 7)
    dayOfMonthRestricted = !fields[2].hasPrefix("*")
    dayOfWeekRestricted = !fields[4].hasPrefix("*")
    if !(dayOfMonthRestricted && dayOfWeekRestricted) && !monthHasAllowedDay {
      throw fail("day-of-month \(fields[2]) never occurs in month \(fields[3]), so it never fires")
    }
  }

  /// Equal when they fire at the same times, however they were written.
  public static func == (lhs: CronExpression, rhs: CronExpression) -> Bool {
    (lhs.minutes, lhs.hours, lhs.daysOfMonth, lhs.months, lhs.daysOfWeek) == (rhs.minutes, rhs.hours, rhs.daysOfMonth, rhs.months, rhs.daysOfWeek)
      && lhs.dayOfMonthRestricted == rhs.dayOfMonthRestricted && lhs.dayOfWeekRestricted == rhs.dayOfWeekRestricted
  }

  /// Whether some allowed month has an allowed day of the month (29 February counts).
  private var monthHasAllowedDay: Bool {
    let longest = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return (1...12).contains { month in
      Self.has(months, month) && (1...longest[month - 1]).contains { Self.has(daysOfMonth, $0) }
    }
  }

  /// Whether the expression allows this calendar day.
  func matches(_ date: CivilDate, daysSinceEpoch: Int64) -> Bool {
    guard Self.has(months, date.month) else { return false }
    // 1970-01-01 was a Thursday (weekday 4).
    let weekday = Int((daysSinceEpoch + 4).floorDividedBy(7).remainder)
    let dayOfMonthMatches = Self.has(daysOfMonth, date.day)
    let dayOfWeekMatches = Self.has(daysOfWeek, weekday)
    if dayOfMonthRestricted && dayOfWeekRestricted { return dayOfMonthMatches || dayOfWeekMatches }
    return dayOfMonthMatches && dayOfWeekMatches
  }

  static func has(_ set: UInt64, _ value: Int) -> Bool {
    set & (1 << UInt64(value)) != 0
  }
}
