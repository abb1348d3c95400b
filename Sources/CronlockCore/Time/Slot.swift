/// The time bucket a run claims: all hosts that compute the same slot race for it.
public struct Slot: Sendable, Equatable {
  /// The string stored in `job_identifier`.
  public let identifier: String
  /// When the slot began; nil for an explicit identifier.
  public let start: Timestamp?
  /// When the slot stops being claimable; nil when it never does (an explicit identifier).
  public let end: Timestamp?

  /// How long after its end a slot may still be claimed, by the database's clock: a host
  /// that fires late or retries through an outage still wins (or loses) its own slot. Purge
  /// never deletes a row before then, so no host can win a slot whose row is gone.
  public static let claimableAfterEnd = TimeSpan.seconds(3600)

  /// Seconds from 0001-01-01T00:00:00Z (Go's zero time) to the Unix epoch.
  static let goZeroToUnixSeconds: Int128 = 62_135_596_800

  /// The slot containing `now`, aligned like Go's `time.Truncate`: whole multiples of
  /// `precision` since Go's zero time, named in UTC.
  public static func truncating(_ now: Timestamp, to precision: TimeSpan) -> Slot {
    let sinceZero = Int128(now.nanosecondsSinceEpoch) + goZeroToUnixSeconds * 1_000_000_000
    let step = Int128(precision.nanoseconds)
    // sinceZero is positive for any instant after year 1, so % is a true modulo here.
    let startSinceZero = sinceZero - sinceZero % step
    let start = Timestamp(nanosecondsSinceEpoch: Int64(startSinceZero - goZeroToUnixSeconds * 1_000_000_000))
    return Slot(identifier: start.formatted(), start: start, end: start.adding(precision))
  }

  /// The same slot named by its start on `zone`'s wall clock, the way gocron-ent-lock names it
  /// on a host in that zone (`--identifier-zone local`).
  public func named(in zone: TimeZoneRules) -> Slot {
    guard let start else { return self }
    return Slot(identifier: start.formatted(offsetSeconds: zone.offset(at: start)), start: start, end: end)
  }

  /// A slot named by the caller (a CI pipeline id, say); it never expires.
  public static func explicit(_ identifier: String) -> Slot {
    Slot(identifier: identifier, start: nil, end: nil)
  }
}
