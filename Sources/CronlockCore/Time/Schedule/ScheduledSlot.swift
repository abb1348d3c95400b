extension Slot {
  /// The slot of `expression`'s most recent fire at or before `now` on `zone`'s wall clock, named
  /// by that instant in UTC and claimable until the next fire; nil if it did not fire in eight years.
  public static func scheduled(_ expression: CronExpression, zone: TimeZoneRules, now: Timestamp) -> Slot? {
    guard let start = expression.mostRecentFire(atOrBefore: now, in: zone) else { return nil }
    return Slot(identifier: start.formatted(), start: start, end: expression.nextFire(after: start, in: zone))
  }
}
