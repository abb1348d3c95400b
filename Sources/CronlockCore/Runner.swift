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

/// The life of a run (design §5): claim, start the child only on a win, record the outcome.
public struct Runner {
  public let options: RunOptions
  public let reporter: Reporter

  public init(options: RunOptions, reporter: Reporter) {
    self.options = options
    self.reporter = reporter
  }

  /// Runs to completion and returns cronlock's exit status. `startedAt` is the clock read once
  /// at process start; `childMask` comes from `ForwardedSignals.block()`, called before any I/O.
  public func run(startedAt: Timestamp, childMask: sigset_t,
                  openStore: () throws(CronlockError) -> any LockStore) -> Int32
  {
    let slot: Slot
    do {
      slot = try options.slot(at: startedAt)
    } catch {
      reporter.error(error.message)
      return error.status
    }
    let job = LockName.escaped(options.job)
    let context = "job '\(job)' slot '\(LockName.escaped(slot.identifier))'"
    if let late = lateness(slot, startedAt) {
      reporter.info("\(context): started \(late) after the slot began (more than --max-late); not running")
      return options.skipExitCode
    }

    let store: any LockStore
    let runID: Int64
    do {
      store = try openStore()
      let request = ClaimRequest(
        job: options.job, slot: slot, worker: options.worker, pid: getpid(),
        command: options.command.name, runToken: Self.makeRunToken())
      let claim = try store.claim(request)
      warnAboutSkew(claim.clockSkew, context: context)
      switch claim.outcome {
      case .lost:
        reporter.info("\(context): another worker owns this slot; not running")
        return options.skipExitCode
      case .won(let id):
        runID = id
      }
    } catch {
      reporter.error("\(context): \(error.message); the command did not run")
      return error.status
    }
    reporter.info("\(context): claimed as run \(runID)")

    if let signal = ForwardedSignals.takePending() {
      record(RunRecord(status: .failed, signal: signal, note: "cronlock received signal \(signal) before starting the command"),
             runID: runID, in: store, context: context)
      return 128 + signal
    }

    let supervisor = Supervisor(childMask: childMask)
    let environment = ChildEnvironment.make(
      inherited: ChildEnvironment.current(), job: options.job, identifier: slot.identifier,
      runID: runID, worker: options.worker)
    switch supervisor.spawn(options.command, environment: environment) {
    case .failure(let failure):
      reporter.error("\(context): cannot run '\(LockName.escaped(options.command.name))': \(failure.reason)")
      record(RunRecord(status: .failed, exitCode: failure.exitStatus, note: "cannot run the command: \(failure.reason)"),
             runID: runID, in: store, context: context)
      return failure.exitStatus
    case .success(let pid):
      var supervision = Supervision()
      let outcome = supervisor.wait(for: pid, supervision: &supervision)
      record(supervision.record(for: outcome), runID: runID, in: store, context: context)
      return ExitStatus.forChild(outcome)
    }
  }

  private func lateness(_ slot: Slot, _ now: Timestamp) -> TimeSpan? {
    options.lateness(of: slot, at: now)
  }

  /// One line when this host's clock disagrees with the database's: slots would be miscomputed.
  private func warnAboutSkew(_ skew: ClockSkew?, context: String) {
    guard let skew, skew.magnitude > options.maxSkew else { return }
    reporter.error("\(context): warning: this host's clock is \(skew.magnitude) \(skew.milliseconds > 0 ? "ahead of" : "behind") "
      + "the database's (more than --max-skew \(options.maxSkew))")
  }

  /// Records the outcome; a failure is reported, never allowed to change the exit status.
  private func record(_ record: RunRecord, runID: Int64, in store: any LockStore, context: String) {
    do {
      try store.finish(runID: runID, record)
      reporter.info("\(context): run \(runID) recorded as \(record.status.rawValue)")
    } catch {
      reporter.error("\(context): run \(runID) is still RUNNING in the table: \(error.message)")
    }
  }

  /// 128 random bits, hex: identifies this claim if its commit is not acknowledged.
  static func makeRunToken() -> String {
    var generator = SystemRandomNumberGenerator()
    return (0..<2).map { _ in
      let word = String(generator.next() as UInt64, radix: 16)
      return String(repeating: "0", count: 16 - word.count) + word
    }.joined()
  }
}
