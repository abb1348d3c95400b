/// A time zone's UTC offsets over time, read from the system's TZif files without Foundation.
public struct TimeZoneRules: Sendable {
  /// The IANA name (`Europe/Berlin`), `UTC`, `localtime` or the TZ string it was built from.
  public let name: String
  /// Transition instants (seconds since the epoch), strictly ascending.
  let transitions: [Int64]
  /// The offset in effect from the transition at the same index.
  let offsetsAfter: [Int]
  /// The offset before the first transition (or always, without transitions and footer).
  let initialOffset: Int
  /// The rule for instants from the last transition on.
  let footer: PosixTimeZoneRule?
  /// Bounds of every offset the zone uses, which bound the instants of any wall-clock time.
  let minimumOffset: Int
  let maximumOffset: Int

  /// Coordinated Universal Time.
  public static let utc = TimeZoneRules(name: "UTC", rule: PosixTimeZoneRule(standardOffset: 0, daylight: nil))

  init(name: String, file: TZifFile) {
    self.name = name
    transitions = file.transitions
    offsetsAfter = file.offsetsAfter
    initialOffset = file.offsets.first ?? 0
    footer = file.footer.flatMap(PosixTimeZoneRule.init(parsing:))
    let all = file.offsets + [footer?.standardOffset, footer?.daylight?.offset].compactMap { $0 }
    minimumOffset = all.min() ?? 0
    maximumOffset = all.max() ?? 0
  }

  init(name: String, rule: PosixTimeZoneRule) {
    self.name = name
    transitions = []
    offsetsAfter = []
    initialOffset = rule.standardOffset
    footer = rule
    let all = [rule.standardOffset, rule.daylight?.offset ?? rule.standardOffset]
    minimumOffset = all.min() ?? 0
    maximumOffset = all.max() ?? 0
  }

  /// Seconds east of UTC at `instant`.
  public func offset(at instant: Timestamp) -> Int {
    offset(atSecond: instant.nanosecondsSinceEpoch.floorDividedBy(1_000_000_000).quotient)
  }

  /// The instants at which the zone's clock shows this wall-clock time: none in a gap (spring
  /// forward), two in a fold (fall back, earlier first), otherwise one.
  public func instants(forLocal year: Int, month: Int, day: Int, hour: Int, minute: Int) -> [Timestamp] {
    let wall = Int64(CivilDate.daysSinceEpoch(year: year, month: month, day: day)) * 86_400
      + Int64(hour * 3600 + minute * 60)
    return resolve(wall: wall).instants.map { Timestamp(nanosecondsSinceEpoch: $0 * 1_000_000_000) }
  }

  func offset(atSecond instant: Int64) -> Int {
    guard let first = transitions.first, instant >= first else {
      return transitions.isEmpty ? footer?.offset(at: instant) ?? initialOffset : initialOffset
    }
    if let footer, let last = transitions.last, instant >= last { return footer.offset(at: instant) }
    return offsetsAfter[lastTransitionIndex(atOrBefore: instant)]
  }

  /// The first instant after `instant` at which the offset really changes, and the new offset.
  func nextTransition(after instant: Int64) -> (instant: Int64, offset: Int)? {
    let current = offset(atSecond: instant)
    var index = transitions.isEmpty || instant < transitions[0] ? 0 : lastTransitionIndex(atOrBefore: instant) + 1
    while index < transitions.count {
      if offsetsAfter[index] != current { return (transitions[index], offsetsAfter[index]) }
      index += 1
    }
    return footer?.nextChange(after: max(instant, transitions.last ?? instant))
  }

  /// The instants showing `wall` (seconds since the epoch on this zone's clock); for a wall time
  /// in a gap, also the instant the gap ends.
  func resolve(wall: Int64) -> (instants: [Int64], gapEnd: Int64?) {
    // Any instant showing `wall` lies in [wall - maximumOffset, wall - minimumOffset]; walk the
    // offsets in force there and keep each candidate that really has that offset.
    let high = wall - Int64(minimumOffset)
    var segmentStart = wall - Int64(maximumOffset)
    var offset = offset(atSecond: segmentStart)
    var instants: [Int64] = []
    var gapEnd: Int64?
    while true {
      let next = nextTransition(after: segmentStart).flatMap { $0.instant <= high ? $0 : nil }
      let candidate = wall - Int64(offset)
      if candidate >= segmentStart && candidate < (next?.instant ?? high + 1) { instants.append(candidate) }
      guard let next else { break }
      if wall >= next.instant + Int64(offset) && wall < next.instant + Int64(next.offset) { gapEnd = next.instant }
      (segmentStart, offset) = (next.instant, next.offset)
    }
    return (instants, instants.isEmpty ? gapEnd : nil)
  }

  /// Index of the last transition at or before `instant`, which must not precede the first.
  private func lastTransitionIndex(atOrBefore instant: Int64) -> Int {
    var low = 0, high = transitions.count - 1
    while low < high {
      let middle = (low + high + 1) / 2
      if transitions[middle] <= instant { low = middle } else { high = middle - 1 }
    }
    return low
  }
}
