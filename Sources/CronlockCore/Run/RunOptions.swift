#if canImport(Glibc)
import Glibc
#endif

/// How a run names its slot.
public enum SlotRule: Sendable {
  /// The clock truncated to this precision.
  case precision(TimeSpan)
  /// The most recent fire time of a cron expression on a zone's wall clock.
  case schedule(CronExpression, TimeZoneRules)
  /// Used verbatim.
  case identifier(String)
}

/// What to do when the lock state cannot be learnt (--on-db-error).
public enum DatabaseErrorPolicy: String, Sendable, CaseIterable {
  /// Exit 75; the command does not run (fail closed).
  case fail
  /// Run the command anyway, unrecorded, and say so (fail open).
  case run
  /// Exit with the skip code.
  case skip
}

/// Everything `cronlock run` was asked to do, validated by the command line.
public struct RunOptions: Sendable {
  public var job: String
  public var slotRule: SlotRule
  public var worker: String
  public var skipExitCode: Int32
  public var command: ChildCommand
  /// Names time slots on this zone's wall clock instead of UTC (`--identifier-zone local`).
  public var identifierZone: TimeZoneRules?
  /// A run that starts more than this after its slot began does not claim it.
  public var maxLate: TimeSpan?
  /// Warn when the host's clock and the database's differ by more than this.
  public var maxSkew: TimeSpan
  /// Timeout, kill-after and heartbeat while the child runs.
  public var supervision = Supervision.Policy()
  /// The whole budget for learning the claim's outcome, retries included (--connect-timeout).
  public var claimBudget = TimeSpan.seconds(10)
  /// How long to keep trying to record the outcome (--finish-timeout).
  public var finishBudget = TimeSpan.seconds(60)
  public var lockTimeout = TimeSpan.seconds(5)
  public var noOverlap = false
  /// Wait a random time in [0, splay) after reading the clock, before connecting (--splay).
  public var splay: TimeSpan?
  public var onDatabaseError = DatabaseErrorPolicy.fail
  /// Keep the last this many bytes of the command's output in its row (--capture-output).
  public var captureOutput: Int?
  /// Commands run on a win: after the claim, and after the outcome is recorded.
  public var hooks = Hooks()

  public init(job: String, slotRule: SlotRule, worker: String, skipExitCode: Int32, command: ChildCommand,
              identifierZone: TimeZoneRules? = nil, maxLate: TimeSpan? = nil, maxSkew: TimeSpan = .seconds(2)) {
    self.job = job
    self.slotRule = slotRule
    self.worker = worker
    self.skipExitCode = skipExitCode
    self.command = command
    self.identifierZone = identifierZone
    self.maxLate = maxLate
    self.maxSkew = maxSkew
  }

  /// The slot for a run that started at `now`.
  public func slot(at now: Timestamp) throws(CronlockError) -> Slot {
    let slot: Slot
    switch slotRule {
    case .precision(let precision):
      slot = Slot.truncating(now, to: precision)
    case .schedule(let expression, let zone):
      guard let scheduled = Slot.scheduled(expression, zone: zone, now: now) else {
        throw .usage("the schedule has not fired in the last eight years")
      }
      slot = scheduled
    case .identifier(let identifier):
      return Slot.explicit(identifier)
    }
    return identifierZone.map { slot.named(in: $0) } ?? slot
  }

  /// How long after its slot began a run started at `now` is, if that is more than `maxLate`.
  public func lateness(of slot: Slot, at now: Timestamp) -> TimeSpan? {
    guard let maxLate, let start = slot.start else { return nil }
    let late = TimeSpan(nanoseconds: now.nanosecondsSinceEpoch - start.nanosecondsSinceEpoch)
    // Whole milliseconds: this is for people to read.
    return late > maxLate ? .milliseconds(late.milliseconds) : nil
  }
}
