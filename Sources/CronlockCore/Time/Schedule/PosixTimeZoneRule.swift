/// A POSIX TZ string such as `CET-1CEST,M3.5.0,M10.5.0/3` (with RFC 8536's extensions): the rule a
/// TZif footer gives for instants after the last transition, or the value of `TZ` itself.
struct PosixTimeZoneRule: Sendable, Equatable {
  /// Seconds east of UTC (POSIX writes them west, hence the sign flip when parsing).
  let standardOffset: Int
  let daylight: Daylight?

  struct Daylight: Sendable, Equatable {
    let offset: Int
    let start: TransitionDate
    let end: TransitionDate
  }

  /// When, in local time of the rule in force before it, a change happens each year.
  struct TransitionDate: Sendable, Equatable {
    enum Day: Sendable, Equatable {
      /// `Jn`: 1–365, 29 February never counted.
      case julian(Int)
      /// `n`: 0–365, 29 February counted.
      case zeroBased(Int)
      /// `Mm.w.d`: weekday d (0 = Sunday) of week w (5 = last) of month m.
      case monthWeekDay(month: Int, week: Int, weekday: Int)
    }
    let day: Day
    let secondOfDay: Int

    /// The wall-clock moment in `year`, as seconds since the epoch on that clock.
    func localSeconds(year: Int) -> Int64 {
      let january1 = CivilDate.daysSinceEpoch(year: year, month: 1, day: 1)
      let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
      var days: Int
      switch day {
      case .julian(let n): days = january1 + n - 1 + (leap && n >= 60 ? 1 : 0)
      case .zeroBased(let n): days = january1 + n
      case .monthWeekDay(let month, let week, let weekday):
        let first = CivilDate.daysSinceEpoch(year: year, month: month, day: 1)
        let next = month == 12
          ? CivilDate.daysSinceEpoch(year: year + 1, month: 1, day: 1)
          : CivilDate.daysSinceEpoch(year: year, month: month + 1, day: 1)
        let firstWeekday = Int((Int64(first) + 4).floorDividedBy(7).remainder)
        days = first + (weekday - firstWeekday + 7) % 7 + (week - 1) * 7
        while days >= next { days -= 7 }
      }
      return Int64(days) * 86_400 + Int64(secondOfDay)
    }
  }

  init(standardOffset: Int, daylight: Daylight?) {
    self.standardOffset = standardOffset
    self.daylight = daylight
  }

  /// Parses a TZ string; nil if it is malformed.
  init?(parsing text: String) {
    var scanner = TZStringScanner(bytes: Array(text.utf8))
    guard scanner.name(), let standard = scanner.time(maximumHours: 24) else { return nil }
    standardOffset = -standard
    if scanner.atEnd {
      daylight = nil
      return
    }
    guard scanner.name() else { return nil }
    var offset = standardOffset + 3600
    if !scanner.atEnd && !scanner.peek(",") {
      guard let west = scanner.time(maximumHours: 24) else { return nil }
      offset = -west
    }
    let start: TransitionDate, end: TransitionDate
    if scanner.atEnd {
      // glibc's default when a TZ string names a daylight zone without rules: the US rules.
      start = TransitionDate(day: .monthWeekDay(month: 3, week: 2, weekday: 0), secondOfDay: 7200)
      end = TransitionDate(day: .monthWeekDay(month: 11, week: 1, weekday: 0), secondOfDay: 7200)
    } else {
      guard scanner.consume(","), let first = scanner.date(), scanner.consume(","), let second = scanner.date(),
            scanner.atEnd
      else { return nil }
      (start, end) = (first, second)
    }
    daylight = Daylight(offset: offset, start: start, end: end)
  }

  /// Seconds east of UTC at `instant` (seconds since the epoch).
  func offset(at instant: Int64) -> Int {
    guard daylight != nil else { return standardOffset }
    var offset = standardOffset
    for change in changes(around: instant, yearsAfter: 1) where change.instant <= instant {
      offset = change.offset
    }
    return offset
  }

  /// The first instant after `instant` at which the offset really changes, and the new offset.
  func nextChange(after instant: Int64) -> (instant: Int64, offset: Int)? {
    guard daylight != nil else { return nil }
    var current = offset(at: instant)
    let changes = changes(around: instant, yearsAfter: 2)
    // The last change is left out: a change of the year after could cancel it at the same instant.
    for (index, change) in changes.enumerated().dropLast() where change.instant > instant {
      // Of several changes at one instant only the last counts (all-year daylight time).
      if changes[index + 1].instant == change.instant { continue }
      if change.offset != current { return change }
      current = change.offset
    }
    return nil
  }

  /// Daylight starts and ends from the year before `instant`'s to `yearsAfter` after it, in order;
  /// at equal instants the end sorts first, so daylight time wins.
  private func changes(around instant: Int64, yearsAfter: Int) -> [(instant: Int64, offset: Int)] {
    guard let daylight else { return [] }
    let year = CivilDate(daysSinceEpoch: Int((instant + Int64(standardOffset)).floorDividedBy(86_400).quotient)).year
    var changes: [(instant: Int64, offset: Int, isStart: Bool)] = []
    for year in year - 1...year + yearsAfter {
      changes.append((daylight.start.localSeconds(year: year) - Int64(standardOffset), daylight.offset, true))
      changes.append((daylight.end.localSeconds(year: year) - Int64(daylight.offset), standardOffset, false))
    }
    changes.sort { ($0.instant, $0.isStart ? 1 : 0) < ($1.instant, $1.isStart ? 1 : 0) }
    return changes.map { ($0.instant, $0.offset) }
  }
}
