import CronlockCore
import Testing

@Suite struct CronExpressionTests {
  private func parse(_ text: String) throws -> CronExpression {
    try CronExpression(parsing: text)
  }

  /// The next `count` fires after `start`, on the UTC clock, formatted in UTC.
  private func fires(_ text: String, after start: Timestamp, count: Int = 4) throws -> [String] {
    let expression = try parse(text)
    var instant = start
    var result: [String] = []
    for _ in 0..<count {
      guard let next = expression.nextFire(after: instant, in: .utc) else { break }
      result.append(next.formatted())
      instant = next
    }
    return result
  }

  @Test(arguments: [
    ("*/15 * * * *", "0,15,30,45 * * * *"),
    ("1-30/7 * * * *", "1,8,15,22,29 * * * *"),
    ("5/20 * * * *", "5,25,45 * * * *"),
    ("1,5,10-12 * * * *", "1,5,10,11,12 * * * *"),
    ("0 */6 * * *", "0 0,6,12,18 * * *"),
    ("0 0 * JAN-MAR MON-FRI", "0 0 * 1-3 1-5"),
    ("0 0 * jan,Jun,DEC sun", "0 0 * 1,6,12 0"),
    ("0 0 * * 7", "0 0 * * 0"),
    ("0 0 * * 5-7", "0 0 * * 0,5,6"),
    ("0 0 * * SUN-SAT", "0 0 * * 0-6"),
    ("0 0 * */4 *", "0 0 * 1,5,9 *"),
    ("  0\t0   * * *  ", "0 0 * * *"),
    ("00 07 01 01 *", "0 7 1 1 *"),
    ("@yearly", "0 0 1 1 *"),
    ("@annually", "0 0 1 1 *"),
    ("@monthly", "0 0 1 * *"),
    ("@weekly", "0 0 * * 0"),
    ("@daily", "0 0 * * *"),
    ("@midnight", "0 0 * * *"),
    ("@hourly", "0 * * * *"),
    ("@Daily", "0 0 * * *"),
  ])
  func spellingsOfTheSameSchedule(_ text: String, _ equivalent: String) throws {
    #expect(try parse(text) == parse(equivalent))
  }

  @Test func differentSchedulesDiffer() throws {
    #expect(try parse("*/15 * * * *") != parse("*/20 * * * *"))
    #expect(try parse("0 0 1 * 1") != parse("0 0 1 * *"))
    // All weekdays, but restricted: with a restricted day-of-month either field matches, so daily.
    #expect(try parse("0 0 1 * 0-6") != parse("0 0 1 * *"))
    #expect(try fires("0 0 1 * 0-6", after: Timestamp(year: 2026, month: 1, day: 1), count: 2) == [
      "2026-01-02 00:00:00.000", "2026-01-03 00:00:00.000",
    ])
  }

  @Test func stepsAndRangesFireWhereExpected() throws {
    let start = Timestamp(year: 2026, month: 1, day: 1)
    #expect(try fires("*/20 * * * *", after: start) == [
      "2026-01-01 00:20:00.000", "2026-01-01 00:40:00.000", "2026-01-01 01:00:00.000", "2026-01-01 01:20:00.000",
    ])
    #expect(try fires("55/2 9-10 * * *", after: start) == [
      "2026-01-01 09:55:00.000", "2026-01-01 09:57:00.000", "2026-01-01 09:59:00.000", "2026-01-01 10:55:00.000",
    ])
    #expect(try fires("@weekly", after: start, count: 2) == ["2026-01-04 00:00:00.000", "2026-01-11 00:00:00.000"])
    #expect(try fires("30 8 * * MON-FRI", after: Timestamp(year: 2026, month: 1, day: 2, hour: 9), count: 2) == [
      "2026-01-05 08:30:00.000", "2026-01-06 08:30:00.000",
    ])
  }

  @Test func monthEndsAndLeapDays() throws {
    #expect(try fires("0 0 31 * *", after: Timestamp(year: 2026, month: 1, day: 31)) == [
      "2026-03-31 00:00:00.000", "2026-05-31 00:00:00.000", "2026-07-31 00:00:00.000", "2026-08-31 00:00:00.000",
    ])
    #expect(try fires("59 23 31 12 *", after: Timestamp(year: 2026, month: 6, day: 1), count: 1) == [
      "2026-12-31 23:59:00.000",
    ])
    #expect(try fires("0 12 28-31 2 *", after: Timestamp(year: 2027, month: 2, day: 27), count: 3) == [
      "2027-02-28 12:00:00.000", "2028-02-28 12:00:00.000", "2028-02-29 12:00:00.000",
    ])
    let leapDay = try parse("0 0 29 2 *")
    #expect(leapDay.mostRecentFire(atOrBefore: Timestamp(year: 2027, month: 6, day: 1), in: .utc)?.formatted()
      == "2024-02-29 00:00:00.000")
    #expect(leapDay.nextFire(after: Timestamp(year: 2024, month: 2, day: 29), in: .utc)?.formatted()
      == "2028-02-29 00:00:00.000")
    // 2100 is not a leap year: eight years between leap days.
    #expect(leapDay.mostRecentFire(atOrBefore: Timestamp(year: 2103, month: 12, day: 31), in: .utc)?.formatted()
      == "2096-02-29 00:00:00.000")
    #expect(leapDay.nextFire(after: Timestamp(year: 2096, month: 2, day: 29), in: .utc)?.formatted()
      == "2104-02-29 00:00:00.000")
  }

  @Test func restrictedDayFieldsMatchEitherDay() throws {
    // 2026-02-13 is a Friday; the next Fridays are the 20th and 27th, the next 13th is in March.
    let start = Timestamp(year: 2026, month: 2, day: 1)
    #expect(try fires("0 0 13 * 5", after: start, count: 5) == [
      "2026-02-06 00:00:00.000", "2026-02-13 00:00:00.000", "2026-02-20 00:00:00.000", "2026-02-27 00:00:00.000",
      "2026-03-06 00:00:00.000",
    ])
    #expect(try fires("0 0 10,11 * FRI", after: start, count: 3) == [
      "2026-02-06 00:00:00.000", "2026-02-10 00:00:00.000", "2026-02-11 00:00:00.000",
    ])
    // A day field starting with `*` is unrestricted for this rule, so both must match.
    #expect(try fires("0 0 */2 * 5", after: start, count: 3) == [
      "2026-02-13 00:00:00.000", "2026-02-27 00:00:00.000", "2026-03-13 00:00:00.000",
    ])
    #expect(try fires("0 0 13 * *", after: start, count: 2) == ["2026-02-13 00:00:00.000", "2026-03-13 00:00:00.000"])
    // `*/5` on 0-7 is Sunday and Friday.
    #expect(try fires("0 0 * * */5", after: start, count: 3) == [
      "2026-02-06 00:00:00.000", "2026-02-08 00:00:00.000", "2026-02-13 00:00:00.000",
    ])
  }

  @Test(arguments: [
    ("61 * * * *", "minute value 61 is out of range 0-59"),
    ("* 24 * * *", "hour value 24 is out of range 0-23"),
    ("* * 0 * *", "day-of-month value 0 is out of range 1-31"),
    ("* * 32 * *", "day-of-month value 32 is out of range 1-31"),
    ("* * * 13 *", "month value 13 is out of range 1-12"),
    ("* * * 0 *", "month value 0 is out of range 1-12"),
    ("* * * * 8", "day-of-week value 8 is out of range 0-7"),
    ("99999999999999999999 * * * *", "minute value 99999999999999999999 is out of range 0-59"),
    ("* * * FOO *", "month value 'FOO' is not a number or a month name (JAN-DEC)"),
    ("* * * * FRIDAY", "day-of-week value 'FRIDAY' is not a number or a weekday name (SUN-SAT)"),
    ("JAN * * * *", "minute value 'JAN' is not a number"),
    ("x * * * *", "minute value 'x' is not a number"),
    ("*5 * * * *", "minute value '*5' is not a number"),
    ("1.5 * * * *", "minute value '1.5' is not a number"),
    ("*/0 * * * *", "minute step 0 is out of range 1-60"),
    ("*/61 * * * *", "minute step 61 is out of range 1-60"),
    ("* */x * * *", "hour step 'x' is not a number"),
    ("*/ * * * *", "minute step '' is not a number"),
    ("* * * * 1/0", "day-of-week step 0 is out of range 1-8"),
    ("5-2 * * * *", "minute range 5-2 is reversed (5 is after 2)"),
    ("* * * DEC-JAN *", "month range DEC-JAN is reversed (12 is after 1)"),
    ("1,,2 * * * *", "minute field '1,,2' has an empty list entry"),
    ("1, * * * *", "minute field '1,' has an empty list entry"),
    (",1 * * * *", "minute field ',1' has an empty list entry"),
    ("1-2-3 * * * *", "minute entry '1-2-3' is not a value, range or step"),
    ("1/2/3 * * * *", "minute entry '1/2/3' has more than one step"),
    ("*-5 * * * *", "minute entry '*-5' uses '*' inside a range"),
    ("-5 * * * *", "minute entry '-5' is missing a value"),
    ("5- * * * *", "minute entry '5-' is missing a value"),
    ("", "expected 5 fields (minute hour day-of-month month day-of-week), found 0"),
    ("* * * *", "expected 5 fields (minute hour day-of-month month day-of-week), found 4"),
    ("* * * * * *", "expected 5 fields (minute hour day-of-month month day-of-week), found 6"),
    ("@reboot", "@reboot runs once at boot and has no schedule; use a time-based expression"),
    ("@fortnightly", "unknown macro @fortnightly (use @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly)"),
    ("@daily now", "nothing may follow @daily"),
    ("0 0 30 2 *", "day-of-month 30 never occurs in month 2, so it never fires"),
    ("0 0 31 APR,JUN *", "day-of-month 31 never occurs in month APR,JUN, so it never fires"),
  ])
  func rejectsWithUsageError(_ text: String, _ problem: String) {
    #expect(throws: CronlockError.usage("cron expression '\(text)': \(problem)")) {
      try CronExpression(parsing: text)
    }
  }

  @Test func usageErrorsExitWith64() {
    let error = #expect(throws: CronlockError.self) { try CronExpression(parsing: "61 * * * *") }
    #expect(error?.status == 64)
    #expect(error?.description == "cron expression '61 * * * *': minute value 61 is out of range 0-59")
  }

  @Test func impossibleDaysAreFineWhenWeekdaysCanMatch() throws {
    // Both day fields restricted: Mondays in February still fire.
    let expression = try parse("0 0 30 2 MON")
    #expect(expression.nextFire(after: Timestamp(year: 2026, month: 1, day: 1), in: .utc)?.formatted()
      == "2026-02-02 00:00:00.000")
  }
}
