/// What happened to one slot that should have run (`cronlock status`).
public enum SlotState: String, Sendable, CaseIterable {
  /// Its run finished with status 0.
  case ok
  case failed
  /// Marked ABANDONED by `purge --stale-after`.
  case abandoned
  case running
  /// RUNNING, but its heartbeat stopped three intervals ago.
  case stale
  /// No row at all, and no run can be expected any more.
  case missed
  /// No row yet, but its run may still come (the slot has not ended, or --grace has not passed).
  case pending
  /// A status this version does not know (another writer's).
  case unknown

  /// Whether the slot makes `status` exit 1.
  public var needsAttention: Bool {
    switch self {
    case .ok, .running, .pending: false
    case .failed, .abandoned, .stale, .missed, .unknown: true
    }
  }

  /// The state a row's status (as `HistoryRow` shows it, STALE included) stands for.
  public init(status: String?) {
    switch status {
    case RunStatus.finished.rawValue: self = .ok
    case RunStatus.failed.rawValue: self = .failed
    case RunStatus.abandoned.rawValue: self = .abandoned
    case RunStatus.running.rawValue: self = .running
    case HistoryRow.stale: self = .stale
    default: self = .unknown
    }
  }
}

/// One slot of the window and its run, if any.
public struct SlotReport: Sendable, Equatable {
  /// The slot's name as cronlock names it in UTC.
  public var identifier: String
  public var start: Timestamp
  public var end: Timestamp?
  public var state: SlotState
  public var run: HistoryRow?
}

/// One job's slots over a window, judged from the slot rule its newest run stored.
public struct JobStatus: Sendable, Equatable {
  public var job: String
  /// The rule as stored in the newest row; nil for rows the Go lockers wrote.
  public var rule: String?
  /// Why the window's slots could not be computed (no rule, an explicit identifier, a zone this
  /// host lacks); then only `lastRun` is judged.
  public var ruleProblem: String?
  public var slots: [SlotReport] = []
  /// The window held more than `maximumSlots`: only the newest are listed.
  public var truncated = false
  public var lastRun: HistoryRow?

  /// The most slots one job's window lists, so `--since` cannot make status spin.
  public static let maximumSlots = 100_000

  public var needsAttention: Bool {
    // A job asked about by name that has no row at all has never run anywhere.
    guard ruleProblem == nil else { return lastRun.map { SlotState(status: $0.status).needsAttention } ?? true }
    return slots.contains { $0.state.needsAttention }
  }

  public func count(_ state: SlotState) -> Int { slots.count(where: { $0.state == state }) }

  /// Judges `job`'s slots from `from` to `now`. `rows` are the job's runs claimed in the window
  /// (any order); `lastRun` its newest row, whose rule decides the window's slots; `firstRun`
  /// its oldest: slots before that one's are not judged (the job did not exist yet, or purge
  /// removed what would tell). A scheduled
  /// slot is missed once `grace` has passed after its fire time with no row (or it ended); a
  /// --precision slot only once it ended, since its run may start anywhere in it.
  public static func evaluate(job: String, lastRun: HistoryRow?, firstRun: HistoryRow?, rows: [HistoryRow],
                              from: Timestamp, now: Timestamp, grace: TimeSpan) -> JobStatus
  {
    var status = JobStatus(job: job, rule: lastRun?.slotRule, lastRun: lastRun)
    guard lastRun != nil else {
      status.ruleProblem = "no runs recorded"
      return status
    }
    guard let text = lastRun?.slotRule else {
      status.ruleProblem = "its runs record no slot rule (explicit identifiers, or rows another locker wrote)"
      return status
    }
    guard let rule = StoredSlotRule(parsing: text) else {
      status.ruleProblem = "slot rule '\(LockName.escaped(text))' is not one this cronlock knows"
      return status
    }
    var slots: [(start: Timestamp, end: Timestamp?, due: Timestamp?)]
    switch rule {
    case .identifier:
      status.ruleProblem = "it names its slots with --identifier"
      return status
    case .precision(let precision):
      (slots, status.truncated) = precisionSlots(precision, from: from, now: now)
    case .schedule(let zoneName, let source):
      guard let zone = TimeZoneRules.stored(zoneName) else {
        status.ruleProblem = "time zone '\(LockName.escaped(zoneName))' of its schedule is unknown on this host"
        return status
      }
      guard let expression = try? CronExpression(parsing: source) else {
        status.ruleProblem = "schedule '\(LockName.escaped(source))' does not parse"
        return status
      }
      (slots, status.truncated) = scheduledSlots(expression, zone: zone, from: from, now: now, grace: grace)
    }
    // By the first slot's end, which the claiming host computed as status does; only a row
    // without one (a Go row) is placed by when the database took it.
    if let firstEnd = firstRun?.slotEnd {
      slots.removeAll { slot in slot.end.map { $0 < firstEnd } ?? false }
    } else if let firstClaim = firstRun?.startedAt {
      slots.removeAll { slot in slot.end.map { $0 <= firstClaim } ?? false }
    }
    var byEnd: [Int64: HistoryRow] = [:]
    var byIdentifier: [String: HistoryRow] = [:]
    for row in rows where row.job == job {
      if let end = row.slotEnd, byEnd[end.nanosecondsSinceEpoch].map({ $0.id < row.id }) ?? true {
        byEnd[end.nanosecondsSinceEpoch] = row
      }
      if let identifier = row.identifier { byIdentifier[identifier] = row }
    }
    status.slots = slots.map { slot in
      let identifier = slot.start.formatted()
      // Cronlock's rows by slot end (whatever zone named them); the Go lockers' by their UTC name.
      let run = slot.end.flatMap { byEnd[$0.nanosecondsSinceEpoch] } ?? byIdentifier[identifier]
      let state: SlotState = run.map { SlotState(status: $0.status) }
        ?? (slot.due.map { $0 <= now } ?? false ? .missed : .pending)
      return SlotReport(identifier: identifier, start: slot.start, end: slot.end, state: state, run: run)
    }
    return status
  }

  /// The --precision slots that begin in [from, now], the newest `maximumSlots` of them; each is
  /// due when it ends.
  static func precisionSlots(_ precision: TimeSpan, from: Timestamp, now: Timestamp)
    -> ([(start: Timestamp, end: Timestamp?, due: Timestamp?)], Bool)
  {
    let last = Slot.truncating(now, to: precision).start!
    var first = Slot.truncating(from, to: precision).start!
    if first < from { first = first.adding(precision) }
    guard first <= last else { return ([], false) }
    let count = (last.nanosecondsSinceEpoch - first.nanosecondsSinceEpoch) / precision.nanoseconds + 1
    let kept = min(count, Int64(maximumSlots))
    let start = last.nanosecondsSinceEpoch - (kept - 1) * precision.nanoseconds
    let slots = (0..<kept).map { index in
      let begin = Timestamp(nanosecondsSinceEpoch: start + index * precision.nanoseconds)
      let end = begin.adding(precision)
      return (start: begin, end: Optional(end), due: Optional(end))
    }
    return (slots, kept < count)
  }

  /// The fire times of `expression` in [from, now], the newest `maximumSlots` of them; each is
  /// due `grace` after it fires, or at the next fire if that comes first.
  static func scheduledSlots(_ expression: CronExpression, zone: TimeZoneRules, from: Timestamp, now: Timestamp,
                             grace: TimeSpan) -> ([(start: Timestamp, end: Timestamp?, due: Timestamp?)], Bool)
  {
    var slots: [(start: Timestamp, end: Timestamp?, due: Timestamp?)] = []
    var fire = expression.nextFire(after: from.adding(TimeSpan(nanoseconds: -1)), in: zone)
    while let start = fire, start <= now {
      let next = expression.nextFire(after: start, in: zone)
      let graceEnd = start.adding(grace)
      slots.append((start: start, end: next, due: next.map { min($0, graceEnd) } ?? graceEnd))
      fire = next
    }
    guard slots.count > maximumSlots else { return (slots, false) }
    return (Array(slots.suffix(maximumSlots)), true)
  }
}
