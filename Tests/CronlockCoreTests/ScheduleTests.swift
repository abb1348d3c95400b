@testable import CronlockCore
import Testing

@Suite struct ScheduleTests {
  private func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0)
    -> Timestamp
  {
    Timestamp(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
  }

  /// The next `count` fires after `start` on `zone`'s wall clock, as UTC identifiers.
  private func fires(_ text: String, _ zone: String, after start: Timestamp, count: Int) throws -> [String] {
    let expression = try CronExpression(parsing: text)
    let rules = try TimeZoneRules.named(zone)
    var instant = start
    var result: [String] = []
    for _ in 0..<count {
      guard let next = expression.nextFire(after: instant, in: rules) else { break }
      result.append(next.formatted())
      instant = next
    }
    return result
  }

  private func mostRecent(_ text: String, _ zone: String, _ now: Timestamp) throws -> String? {
    try CronExpression(parsing: text).mostRecentFire(atOrBefore: now, in: TimeZoneRules.named(zone))?.formatted()
  }

  @Test func berlinSpringForward() throws {
    // 2026-03-29 02:00 CET jumps to 03:00 CEST at 01:00 UTC.
    #expect(try fires("*/5 * * * *", "Europe/Berlin", after: utc(2026, 3, 29, 0, 45), count: 5) == [
      "2026-03-29 00:50:00.000", "2026-03-29 00:55:00.000", "2026-03-29 01:00:00.000",
      "2026-03-29 01:05:00.000", "2026-03-29 01:10:00.000",
    ])
    #expect(try fires("30 2 * * *", "Europe/Berlin", after: utc(2026, 3, 28), count: 3) == [
      "2026-03-28 01:30:00.000", "2026-03-29 01:00:00.000", "2026-03-30 00:30:00.000",
    ])
    #expect(try fires("0 * * * *", "Europe/Berlin", after: utc(2026, 3, 28, 23, 30), count: 3) == [
      "2026-03-29 00:00:00.000", "2026-03-29 01:00:00.000", "2026-03-29 02:00:00.000",
    ])
    #expect(try mostRecent("30 2 * * *", "Europe/Berlin", utc(2026, 3, 29, 1, 2)) == "2026-03-29 01:00:00.000")
    #expect(try mostRecent("30 2 * * *", "Europe/Berlin", utc(2026, 3, 29, 0, 59)) == "2026-03-28 01:30:00.000")
    #expect(try mostRecent("*/5 * * * *", "Europe/Berlin", utc(2026, 3, 29, 0, 59, 59)) == "2026-03-29 00:55:00.000")
    #expect(try mostRecent("*/5 * * * *", "Europe/Berlin", utc(2026, 3, 29, 1, 4)) == "2026-03-29 01:00:00.000")
  }

  @Test func berlinFallBack() throws {
    // 2026-10-25 03:00 CEST falls back to 02:00 CET at 01:00 UTC: 02:00-02:59 happens twice.
    #expect(try fires("*/5 * * * *", "Europe/Berlin", after: utc(2026, 10, 25, 0, 50), count: 4) == [
      "2026-10-25 00:55:00.000", "2026-10-25 01:00:00.000", "2026-10-25 01:05:00.000", "2026-10-25 01:10:00.000",
    ])
    #expect(try fires("30 2 * * *", "Europe/Berlin", after: utc(2026, 10, 24, 12), count: 3) == [
      "2026-10-25 00:30:00.000", "2026-10-25 01:30:00.000", "2026-10-26 01:30:00.000",
    ])
    #expect(try fires("0 * * * *", "Europe/Berlin", after: utc(2026, 10, 24, 22, 30), count: 4) == [
      "2026-10-24 23:00:00.000", "2026-10-25 00:00:00.000", "2026-10-25 01:00:00.000", "2026-10-25 02:00:00.000",
    ])
    // During the second 02:xx the first one's fires are still the most recent where they are latest.
    #expect(try mostRecent("30 2 * * *", "Europe/Berlin", utc(2026, 10, 25, 1, 10)) == "2026-10-25 00:30:00.000")
    #expect(try mostRecent("30 2 * * *", "Europe/Berlin", utc(2026, 10, 25, 1, 45)) == "2026-10-25 01:30:00.000")
    #expect(try mostRecent("*/5 * * * *", "Europe/Berlin", utc(2026, 10, 25, 1, 12)) == "2026-10-25 01:10:00.000")
    #expect(try mostRecent("50 2 * * *", "Europe/Berlin", utc(2026, 10, 25, 1, 12)) == "2026-10-25 00:50:00.000")
  }

  @Test func newYorkSpringForward() throws {
    // 2026-03-08 02:00 EST jumps to 03:00 EDT at 07:00 UTC.
    #expect(try fires("*/5 * * * *", "America/New_York", after: utc(2026, 3, 8, 6, 50), count: 3) == [
      "2026-03-08 06:55:00.000", "2026-03-08 07:00:00.000", "2026-03-08 07:05:00.000",
    ])
    #expect(try fires("30 2 * * *", "America/New_York", after: utc(2026, 3, 7), count: 3) == [
      "2026-03-07 07:30:00.000", "2026-03-08 07:00:00.000", "2026-03-09 06:30:00.000",
    ])
    #expect(try fires("0 * * * *", "America/New_York", after: utc(2026, 3, 8, 5, 30), count: 3) == [
      "2026-03-08 06:00:00.000", "2026-03-08 07:00:00.000", "2026-03-08 08:00:00.000",
    ])
  }

  @Test func newYorkFallBack() throws {
    // 2026-11-01 02:00 EDT falls back to 01:00 EST at 06:00 UTC: 01:00-01:59 happens twice.
    #expect(try fires("*/5 * * * *", "America/New_York", after: utc(2026, 11, 1, 5, 50), count: 3) == [
      "2026-11-01 05:55:00.000", "2026-11-01 06:00:00.000", "2026-11-01 06:05:00.000",
    ])
    #expect(try fires("30 2 * * *", "America/New_York", after: utc(2026, 10, 31), count: 3) == [
      "2026-10-31 06:30:00.000", "2026-11-01 07:30:00.000", "2026-11-02 07:30:00.000",
    ])
    #expect(try fires("30 1 * * *", "America/New_York", after: utc(2026, 10, 31, 12), count: 3) == [
      "2026-11-01 05:30:00.000", "2026-11-01 06:30:00.000", "2026-11-02 06:30:00.000",
    ])
    #expect(try fires("0 * * * *", "America/New_York", after: utc(2026, 11, 1, 4, 30), count: 3) == [
      "2026-11-01 05:00:00.000", "2026-11-01 06:00:00.000", "2026-11-01 07:00:00.000",
    ])
  }

  @Test func slotsAcrossTheFoldAreDistinct() throws {
    let expression = try CronExpression(parsing: "30 2 * * *")
    let berlin = try TimeZoneRules.named("Europe/Berlin")
    let first = try #require(Slot.scheduled(expression, zone: berlin, now: utc(2026, 10, 25, 0, 40)))
    let second = try #require(Slot.scheduled(expression, zone: berlin, now: utc(2026, 10, 25, 1, 40)))
    #expect(first == Slot(identifier: "2026-10-25 00:30:00.000", start: utc(2026, 10, 25, 0, 30),
                          end: utc(2026, 10, 25, 1, 30)))
    #expect(second == Slot(identifier: "2026-10-25 01:30:00.000", start: utc(2026, 10, 25, 1, 30),
                           end: utc(2026, 10, 26, 1, 30)))
  }

  @Test func slotInTheGapLastsUntilTheNextFire() throws {
    let slot = Slot.scheduled(try CronExpression(parsing: "30 2 * * *"), zone: try TimeZoneRules.named("Europe/Berlin"),
                              now: utc(2026, 3, 29, 1, 2))
    #expect(slot == Slot(identifier: "2026-03-29 01:00:00.000", start: utc(2026, 3, 29, 1),
                         end: utc(2026, 3, 30, 0, 30)))
  }

  @Test func lateStartsMapToTheFireTime() throws {
    let expression = try CronExpression(parsing: "0 9 * * *")
    let berlin = try TimeZoneRules.named("Europe/Berlin")
    let fire = utc(2026, 6, 1, 7)
    for now in [fire, fire.adding(.seconds(59)), fire.adding(.seconds(240)), utc(2026, 6, 2, 6, 59, 59)] {
      let slot = Slot.scheduled(expression, zone: berlin, now: now)
      #expect(slot == Slot(identifier: "2026-06-01 07:00:00.000", start: fire, end: utc(2026, 6, 2, 7)))
    }
    let justBefore = Slot.scheduled(expression, zone: berlin, now: fire.adding(TimeSpan(nanoseconds: -1)))
    #expect(justBefore?.identifier == "2026-05-31 07:00:00.000")
  }

  @Test func identifierIsUTCWhateverTheHostZone() throws {
    // Hosts in different zones, each evaluating in its own zone, agree on the same instant's slot.
    let now = utc(2026, 10, 25, 1, 7, 30)
    let hosts = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]
    for host in hosts {
      let zone = TimeZoneRules.local(tzVariable: host, directories: ["/usr/share/zoneinfo"])
      let slot = Slot.scheduled(try CronExpression(parsing: "*/15 * * * *"), zone: zone, now: now)
      #expect(slot?.identifier == "2026-10-25 01:00:00.000", "\(host)")
      #expect(slot?.end == utc(2026, 10, 25, 1, 15), "\(host)")
    }
    // With an explicit zone the host's zone plays no part and the identifier stays UTC.
    let berlin = try TimeZoneRules.named("Europe/Berlin")
    let slot = Slot.scheduled(try CronExpression(parsing: "0 9 * * *"), zone: berlin, now: utc(2026, 1, 15, 12))
    #expect(slot?.identifier == "2026-01-15 08:00:00.000")
  }

  @Test func sparseSchedulesResolveQuicklyOrNotAtAll() throws {
    let clock = ContinuousClock()
    let leapDay = try CronExpression(parsing: "0 0 29 2 *")
    let berlin = try TimeZoneRules.named("Europe/Berlin")
    var slot: Slot?
    let elapsed = clock.measure {
      slot = Slot.scheduled(leapDay, zone: berlin, now: utc(2027, 6, 1))
    }
    #expect(slot == Slot(identifier: "2024-02-28 23:00:00.000", start: utc(2024, 2, 28, 23),
                         end: utc(2028, 2, 28, 23)))
    #expect(elapsed < .seconds(1))
    // Sunday 29 February: 2004, then 2032; nothing in the eight years before 2030.
    let sundayLeapDay = try CronExpression(parsing: "0 0 29 2 */7")
    #expect(Slot.scheduled(sundayLeapDay, zone: .utc, now: utc(2030, 1, 1)) == nil)
    #expect(sundayLeapDay.nextFire(after: utc(2030, 1, 1), in: .utc)?.formatted() == "2032-02-29 00:00:00.000")
  }

  @Test func subMinuteOffsetsAndFarDates() throws {
    // Before 1893 Berlin kept local mean time, +0:53:28.
    #expect(try mostRecent("0 12 * * *", "Europe/Berlin", utc(1890, 6, 1, 12)) == "1890-06-01 11:06:32.000")
    #expect(try mostRecent("0 0 1 1 *", "America/New_York", utc(2040, 6, 1)) == "2040-01-01 05:00:00.000")
  }
}
