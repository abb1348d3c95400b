import Testing

@testable import CronlockCore

@Suite("slot identifiers")
struct SlotTests {
  /// 2026-11-29T04:50:12.158Z.
  let instant = Timestamp(year: 2026, month: 11, day: 29, hour: 4, minute: 50, second: 12, millisecond: 158)

  /// What gocron-ent-lock writes on a TZ=UTC host:
  /// time.Now().Truncate(precision).Format("2006-01-02 15:04:05.000").
  @Test("identifiers equal the Go library's on a UTC host", arguments: [
    ("1m", "2026-11-29 04:50:00.000"), ("1s", "2026-11-29 04:50:12.000"), ("500ms", "2026-11-29 04:50:12.000"),
    ("1h", "2026-11-29 04:00:00.000"), ("1d", "2026-11-29 00:00:00.000"), ("5m", "2026-11-29 04:50:00.000"),
    ("100ms", "2026-11-29 04:50:12.100"), ("90m", "2026-11-29 04:30:00.000"), ("7h", "2026-11-29 03:00:00.000"),
    // Go's zero time, 0001-01-01, was a Monday; the Unix epoch a Thursday (which would give 11-26).
    ("7d", "2026-11-23 00:00:00.000"),
  ])
  func goVectors(precision: String, identifier: String) throws {
    let slot = Slot.truncating(instant, to: try TimeSpan(parsing: precision))
    #expect(slot.identifier == identifier)
    #expect(slot.start!.formatted() == identifier)
    #expect(slot.end == slot.start!.adding(try TimeSpan(parsing: precision)))
  }

  @Test("an instant exactly on a boundary starts its own slot; one nanosecond earlier is the previous slot")
  func boundaries() {
    let boundary = Timestamp(year: 2026, month: 1, day: 1)
    #expect(Slot.truncating(boundary, to: .seconds(60)).identifier == "2026-01-01 00:00:00.000")
    let before = Timestamp(nanosecondsSinceEpoch: boundary.nanosecondsSinceEpoch - 1)
    #expect(Slot.truncating(before, to: .seconds(60)).identifier == "2025-12-31 23:59:00.000")
  }

  @Test("dates far from the epoch and before it render correctly")
  func calendarEdges() {
    #expect(Timestamp(year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 59, millisecond: 999).formatted()
      == "2024-02-29 23:59:59.999")
    #expect(Timestamp(year: 1969, month: 12, day: 31, hour: 23).formatted() == "1969-12-31 23:00:00.000")
    #expect(Timestamp(year: 2100, month: 3, day: 1).formatted() == "2100-03-01 00:00:00.000")
    #expect(Timestamp(nanosecondsSinceEpoch: 0).rfc3339 == "1970-01-01T00:00:00.000Z")
    #expect(Slot.truncating(Timestamp(year: 1969, month: 12, day: 31, hour: 13), to: .seconds(86_400)).identifier
      == "1969-12-31 00:00:00.000")
  }

  @Test("an explicit identifier is used verbatim and never expires")
  func explicit() {
    let slot = Slot.explicit("pipeline-4711")
    #expect(slot.identifier == "pipeline-4711" && slot.start == nil && slot.end == nil)
  }
}
