/// Fire times of a cron expression on a time zone's wall clock.
extension CronExpression {
  static let searchDays: Int64 = 8 * 366 + 2

  /// The latest instant at or before `now` at which the expression fires on `zone`'s wall clock,
  /// or nil if it did not fire in the eight years before.
  ///
  /// Fires are whole minutes of wall-clock time. Daylight saving time, as cron users expect it:
  /// - A scheduled wall time that occurs twice (fall back) fires twice, at two distinct instants,
  ///   so it yields two slots: jobs that run every few minutes keep running through the repeated hour.
  /// - A scheduled wall time that does not exist (spring forward) fires once, at the first instant
  ///   after the jump (the transition itself: 02:30 in Berlin fires at 03:00 CEST), as Vixie cron
  ///   runs fixed-time jobs skipped by a jump right after it. Several skipped times share that
  ///   instant, and its slot, with a regular fire there (02:00 and 03:00 for `0 * * * *`).
  public func mostRecentFire(atOrBefore now: Timestamp, in zone: TimeZoneRules) -> Timestamp? {
    let limit = now.nanosecondsSinceEpoch.floorDividedBy(1_000_000_000).quotient
    // Every instant showing wall time w lies in [w - maximumOffset, w - minimumOffset].
    var walk = WallClockWalk(expression: self, from: limit + Int64(zone.maximumOffset), forward: false)
    var best: Int64?
    while let wall = walk.next() {
      if let best, wall - Int64(zone.minimumOffset) <= best { break }
      for instant in Self.fireInstants(wall: wall, zone: zone) where instant <= limit && instant > best ?? .min {
        best = instant
      }
    }
    return best.map(Self.timestamp)
  }

  /// The earliest instant after `instant` at which the expression fires on `zone`'s wall clock,
  /// or nil if it does not fire in the eight years after; DST as in `mostRecentFire(atOrBefore:in:)`.
  public func nextFire(after instant: Timestamp, in zone: TimeZoneRules) -> Timestamp? {
    let limit = instant.nanosecondsSinceEpoch.floorDividedBy(1_000_000_000).quotient
    var walk = WallClockWalk(expression: self, from: limit + Int64(zone.minimumOffset), forward: true)
    var best: Int64?
    while let wall = walk.next() {
      if let best, wall - Int64(zone.maximumOffset) >= best { break }
      for instant in Self.fireInstants(wall: wall, zone: zone) where instant > limit && instant < best ?? .max {
        best = instant
      }
    }
    return best.map(Self.timestamp)
  }

  private static func fireInstants(wall: Int64, zone: TimeZoneRules) -> [Int64] {
    let resolved = zone.resolve(wall: wall)
    return resolved.gapEnd.map { [$0] } ?? resolved.instants
  }

  private static func timestamp(_ seconds: Int64) -> Timestamp {
    Timestamp(nanosecondsSinceEpoch: seconds * 1_000_000_000)
  }
}
