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
  public var onDatabaseError = DatabaseErrorPolicy.fail

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

/// The life of a run (design §5): claim, start the child only on a win, supervise it,
/// record the outcome.
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
    let context = "job '\(LockName.escaped(options.job))' slot '\(LockName.escaped(slot.identifier))'"
    if let late = options.lateness(of: slot, at: startedAt) {
      reporter.info("\(context): started \(late) after the slot began (more than --max-late); not running")
      return options.skipExitCode
    }

    let signals = SignalChannel()
    var stopSignal: Int32?
    // While claiming, a forwarded signal ends cronlock: stop waiting for the database at once.
    let stopOnSignal = Interruption(descriptor: signals.descriptor) {
      stopSignal = stopSignal ?? signals.drain().first { $0 != SIGCHLD }
      return stopSignal != nil
    }
    let request = ClaimRequest(
      job: options.job, slot: slot, worker: options.worker, pid: getpid(), command: options.command.name,
      runToken: Self.makeRunToken(), lockTimeout: options.lockTimeout, heartbeat: options.supervision.heartbeat,
      noOverlap: options.noOverlap)
    let store: any LockStore
    let claim: Claim
    do {
      store = try openStore()
      claim = try store.claim(request, deadline: .after(options.claimBudget), interruption: stopOnSignal)
    } catch {
      if let signal = stopSignal {
        return 128 + signal  // nothing claimed: a claim in flight was cancelled or never sent
      }
      return databaseFailed(error, context: context, signals: signals, childMask: childMask, slot: slot)
    }
    warnAboutSkew(claim.clockSkew, context: context)
    guard case .won(let runID) = claim.outcome else {
      reporter.info("\(context): \(claim.reason ?? "another worker owns this slot"); not running")
      return options.skipExitCode
    }
    if let signal = stopSignal ?? signals.drain().first(where: { $0 != SIGCHLD }) {
      // Stopped before the command started: leave no claimed row behind.
      store.release(request, deadline: .after(.seconds(2)))
      return 128 + signal
    }
    reporter.info("\(context): claimed as run \(runID)")

    let heartbeatBudget = min(options.supervision.heartbeat, .seconds(5))
    let ran = runChild(runID: runID, slot: slot, context: context, signals: signals, childMask: childMask) { forwarding in
      do throws(CronlockError) {
        try store.heartbeat(runID: runID, deadline: .after(heartbeatBudget), interruption: forwarding)
      } catch {
        reporter.info("\(context): heartbeat of run \(runID) failed: \(error.message)")
      }
    }
    switch ran {
    case .failure(let failure):
      record(RunRecord(status: .failed, exitCode: failure.exitStatus, note: "cannot run the command: \(failure.reason)"),
             runID: runID, in: store, context: context)
      return failure.exitStatus
    case .success(let (outcome, supervision)):
      record(supervision.record(for: outcome), runID: runID, in: store, context: context)
      return supervision.exitStatus(for: outcome)
    }
  }

  /// Starts the command and supervises it to its end. Without a run id it runs unrecorded
  /// (--on-db-error run) and its CRONLOCK_RUN_ID is empty.
  private func runChild(runID: Int64?, slot: Slot, context: String, signals: SignalChannel, childMask: sigset_t,
                        heartbeat: (Interruption) -> Void) -> Result<(ChildOutcome, Supervision), SpawnError>
  {
    let environment = ChildEnvironment.make(
      inherited: ChildEnvironment.current(), job: options.job, identifier: slot.identifier,
      runID: runID.map { String($0) } ?? "", worker: options.worker)
    let supervisor = Supervisor(childMask: childMask)
    switch supervisor.spawn(options.command, environment: environment) {
    case .failure(let failure):
      reporter.error("\(context): cannot run '\(LockName.escaped(options.command.name))': \(failure.reason)")
      return .failure(failure)
    case .success(let pid):
      var supervision = Supervision(policy: options.supervision, startedAt: Deadline.monotonicNow())
      let outcome = supervisor.supervise(pid, &supervision, signals: signals, heartbeat: heartbeat)
      return .success((outcome, supervision))
    }
  }

  /// The lock state is unknown (75) or the setup is wrong (78): --on-db-error decides for 75.
  private func databaseFailed(_ error: CronlockError, context: String, signals: SignalChannel, childMask: sigset_t,
                              slot: Slot) -> Int32
  {
    guard error.status == ExitStatus.databaseUnavailable else {
      reporter.error("\(context): \(error.message); the command did not run")
      return error.status
    }
    switch options.onDatabaseError {
    case .fail:
      reporter.error("\(context): \(error.message); the command did not run")
      return error.status
    case .skip:
      reporter.error("\(context): \(error.message); skipping (--on-db-error skip)")
      return options.skipExitCode
    case .run:
      reporter.error("\(context): \(error.message); running the command anyway, unrecorded (--on-db-error run)")
      switch runChild(runID: nil, slot: slot, context: context, signals: signals, childMask: childMask, heartbeat: { _ in }) {
      case .failure(let failure): return failure.exitStatus
      case .success(let (outcome, supervision)): return supervision.exitStatus(for: outcome)
      }
    }
  }

  /// One line when this host's clock disagrees with the database's: slots would be miscomputed.
  private func warnAboutSkew(_ skew: ClockSkew?, context: String) {
    guard let skew, skew.magnitude > options.maxSkew else { return }
    reporter.error("\(context): warning: this host's clock is \(skew.magnitude) \(skew.milliseconds > 0 ? "ahead of" : "behind") "
      + "the database's (more than --max-skew \(options.maxSkew))")
  }

  /// Records the outcome, retrying through a database blip for --finish-timeout; a failure is
  /// reported, never allowed to change the exit status.
  private func record(_ record: RunRecord, runID: Int64, in store: any LockStore, context: String) {
    do {
      try store.finish(runID: runID, record, deadline: .after(options.finishBudget), interruption: nil)
      reporter.info("\(context): run \(runID) recorded as \(record.status.rawValue)")
    } catch {
      reporter.error("\(context): run \(runID) is still RUNNING in the table; its outcome (\(record.status.rawValue)) "
        + "was not recorded: \(error.message)")
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
