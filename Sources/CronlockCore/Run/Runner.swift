#if canImport(Glibc)
import Glibc
#endif

/// The life of a run (design §5): claim, start the child only on a win, supervise it, record
/// the outcome. One thread — the one that calls `run` — owns the timers and the signals; every
/// database call is made on a `BackgroundCall` (or the heartbeat's thread) that this thread
/// stops waiting for at its deadline, so no database can hold up the timeout, the signal
/// forwarding or cronlock's exit.
public struct Runner {
  public let options: RunOptions
  public let reporter: Reporter
  /// Makes a store; called once for the claim (whose store then records the outcome) and once
  /// for the heartbeats, which run on their own thread with their own connection.
  public let openStore: () throws(CronlockError) -> any LockStore

  public init(options: RunOptions, reporter: Reporter,
              openStore: @escaping () throws(CronlockError) -> any LockStore)
  {
    self.options = options
    self.reporter = reporter
    self.openStore = openStore
  }

  /// How long a stopped run waits for a claim already in flight, and then for the release of
  /// a claim it won, so that no claimed row is left behind.
  static let releaseWait = TimeSpan.milliseconds(500)

  /// Runs to completion and returns cronlock's exit status. `startedAt` is the clock read once
  /// at process start; `environment` the inherited environment the child's is made from. The
  /// run blocks the forwarded signals in the calling thread through `inbox`, made here unless
  /// given (tests give their own).
  public func run(startedAt: Timestamp, environment: [[CChar]] = ChildEnvironment.current(),
                  inbox given: SignalInbox? = nil) -> Int32
  {
    let inbox: SignalInbox
    do throws(CronlockError) {
      if let given { inbox = given } else { inbox = try SignalInbox() }
    } catch {
      reporter.error(error.message)
      return error.status
    }
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
    if let splay = options.splay {
      let end = Deadline.after(Self.randomDelay(below: splay))
      var waited = inbox.wait(for: nil, until: end)
      while waited == .ready && !end.hasPassed { waited = inbox.wait(for: nil, until: end) }  // SIGCHLD: not ours to end
      if waited == .signal {
        // Nothing is claimed yet: a forwarded signal just ends the run.
        let signal = inbox.firstSignal ?? SIGTERM
        reporter.info("\(context): stopped by signal \(signal) during --splay")
        return 128 + signal
      }
    }
    let request = ClaimRequest(
      job: options.job, slot: slot, worker: options.worker, pid: getpid(), command: options.command.name,
      runToken: Self.makeRunToken(), lockTimeout: options.lockTimeout, heartbeat: options.supervision.heartbeat,
      noOverlap: options.noOverlap, slotRule: StoredSlotRule(options.slotRule).text)

    let claimed: (store: any LockStore, runID: Int64)
    switch claim(request, context: context, inbox: inbox) {
    case .finished(let status):
      return status
    case .unknown(let error):
      return databaseFailed(error, context: context, slot: slot, environment: environment, inbox: inbox)
    case .won(let store, let runID):
      claimed = (store, runID)
    }
    reporter.info("\(context): claimed as run \(claimed.runID)")

    let heartbeats = HeartbeatThread(
      runID: claimed.runID, budget: min(options.supervision.heartbeat, .seconds(5)), reporter: reporter,
      context: context, openStore: openStore)
    var holdingClaimConnection = true
    let ran = runChild(runID: claimed.runID, slot: slot, context: context, environment: environment, inbox: inbox) {
      // A short run records its outcome on the claim's connection; a long one lets it go at
      // the first beat, and from then on holds a connection only while a beat is in flight.
      if holdingClaimConnection {
        claimed.store.closeConnection()
        holdingClaimConnection = false
      }
      heartbeats.beat()
    }
    heartbeats.stop()
    switch ran {
    case .failure(let failure):
      record(RunRecord(status: .failed, exitCode: failure.exitStatus, note: "cannot run the command: \(failure.reason)"),
             runID: claimed.runID, in: claimed.store, context: context, inbox: inbox)
      return failure.exitStatus
    case .success(let (outcome, supervision, output)):
      if supervision.timedOutAt != nil, let timeout = options.supervision.timeout {
        reporter.error("\(context): the command timed out after --timeout \(timeout); sent SIGTERM"
          + (supervision.killed ? ", then SIGKILL after --kill-after \(options.supervision.killAfter)" : ""))
      }
      var outcomeRecord = supervision.record(for: outcome)
      outcomeRecord.output = output
      record(outcomeRecord, runID: claimed.runID, in: claimed.store, context: context, inbox: inbox)
      return supervision.exitStatus(for: outcome)
    }
  }

  private enum ClaimStep {
    case won(any LockStore, runID: Int64)
    /// The run ends here with this status (lost, stopped by a signal, or set up wrong).
    case finished(Int32)
    /// The lock state could not be learnt; --on-db-error decides.
    case unknown(CronlockError)
  }

  /// The claim, made on a background call that this thread waits for until --connect-timeout
  /// ends or a forwarded signal arrives — whichever comes first ends the wait.
  private func claim(_ request: ClaimRequest, context: String, inbox: SignalInbox) -> ClaimStep {
    let deadline = Deadline.after(options.claimBudget)
    var store: any LockStore
    do throws(CronlockError) {
      store = try openStore()  // checks its settings only: no I/O
      store.retryReporter = reporter
    } catch {
      return error.code == .unavailable ? .unknown(error) : .finished(reject(error, context))
    }
    let call = BackgroundCall { () throws(CronlockError) -> (any LockStore, Claim) in
      (store, try store.claim(request, deadline: deadline))
    }
    // The call gives up at the same deadline with a better reason; a moment's grace lets it say so.
    switch inbox.wait(for: call.descriptor, until: deadline.extended(by: .milliseconds(50))) {
    case .signal:
      return .finished(stopped(by: inbox.firstSignal ?? SIGTERM, claim: call, store: store, request: request,
                               context: context))
    case .deadline:
      // A claim waiting for a lock would commit once the lock goes: ask the server to drop it.
      let asked = Deadline.after(Self.releaseWait)
      _ = BackgroundCall { () throws(CronlockError) in store.cancelInFlight() }.wait(until: asked)
      return .unknown(.unavailable(
        "cannot claim the slot: no answer from the database within --connect-timeout \(options.claimBudget)"))
    case .ready:
      break
    }
    switch call.result {
    case .failure(let error)?:
      return error.code == .unavailable || error.code == .interrupted ? .unknown(error) : .finished(reject(error, context))
    case nil:
      return .unknown(.internalFailure("the claim ended without a result"))
    case .success(let (store, claim))?:
      warnAboutSkew(claim.clockSkew, context: context)
      guard case .won(let runID) = claim.outcome else {
        reporter.info("\(context): \(claim.reason ?? "another worker owns this slot"); not running")
        return .finished(options.skipExitCode)
      }
      inbox.collect()
      if let signal = inbox.firstSignal {
        return .finished(stopped(by: signal, claim: call, store: store, request: request, context: context))
      }
      return .won(store, runID: runID)
    }
  }

  /// A signal came before the command started: no command, and no claimed row left behind.
  private func stopped(by signal: Int32, claim call: BackgroundCall<(any LockStore, Claim)>, store: any LockStore,
                       request: ClaimRequest, context: String) -> Int32
  {
    if call.result == nil {
      // The claim may be waiting for a lock: once that is released, it would still commit.
      let asked = Deadline.after(Self.releaseWait)
      _ = BackgroundCall { () throws(CronlockError) in store.cancelInFlight() }.wait(until: asked)
    }
    if case .success(let (_, claim))? = call.wait(until: .after(Self.releaseWait)), case .won = claim.outcome {
      let release = Deadline.after(Self.releaseWait)
      _ = BackgroundCall { () throws(CronlockError) in store.release(request, deadline: release) }.wait(until: release)
    }
    reporter.info("\(context): stopped by signal \(signal) before the command started")
    return 128 + signal
  }

  /// A failure that is not about availability (78, 65, 125): said, and never run through.
  private func reject(_ error: CronlockError, _ context: String) -> Int32 {
    reporter.error("\(context): \(error.message); the command did not run")
    return error.status
  }

  /// Starts the command and supervises it to its end. Without a run id it runs unrecorded
  /// (--on-db-error run) and its CRONLOCK_RUN_ID is empty.
  private func runChild(runID: Int64?, slot: Slot, context: String, environment: [[CChar]], inbox: SignalInbox,
                        heartbeat: () -> Void) -> Result<(ChildOutcome, Supervision, [UInt8]?), SpawnError>
  {
    let childEnvironment = ChildEnvironment.make(
      inherited: environment, job: options.job, identifier: slot.identifier,
      runID: runID.map { String($0) } ?? "", worker: options.worker)
    let supervisor = Supervisor(childMask: inbox.childMask)
    let capture: OutputCapture?
    do throws(SpawnError) {
      capture = try options.captureOutput.map { limit throws(SpawnError) in try OutputCapture(limit: limit) }
      if let capture, !capture.start() { throw SpawnError(errno: EAGAIN, isCronlocks: true) }
    } catch {
      reporter.error("\(context): cannot capture the command's output: \(error.reason)")
      return .failure(error)
    }
    let spawned = supervisor.spawn(options.command, environment: childEnvironment,
                                   stdout: capture?.childStdout ?? -1, stderr: capture?.childStderr ?? -1)
    capture?.closeChildEnds()
    switch spawned {
    case .failure(let failure):
      reporter.error(failure.isCronlocks
        ? "\(context): cannot start the command's guardian: \(failure.reason)"
        : "\(context): cannot run '\(LockName.escaped(options.command.name))': \(failure.reason)")
      return .failure(failure)
    case .success(let started):
      var supervision = Supervision(policy: options.supervision, startedAt: Deadline.monotonicNow())
      let outcome = supervisor.supervise(started, &supervision, inbox: inbox, heartbeat: heartbeat)
      return .success((outcome, supervision, capture?.finish()))
    }
  }

  /// The lock state is unknown (75): --on-db-error decides.
  private func databaseFailed(_ error: CronlockError, context: String, slot: Slot, environment: [[CChar]],
                              inbox: SignalInbox) -> Int32
  {
    switch options.onDatabaseError {
    case .fail:
      reporter.error("\(context): \(error.message); the command did not run")
      return error.status
    case .skip:
      reporter.error("\(context): \(error.message); skipping (--on-db-error skip)")
      return options.skipExitCode
    case .run:
      reporter.error("\(context): \(error.message); running the command anyway, unrecorded (--on-db-error run)")
      switch runChild(runID: nil, slot: slot, context: context, environment: environment, inbox: inbox, heartbeat: {}) {
      case .failure(let failure): return failure.exitStatus
      case .success(let (outcome, supervision, _)): return supervision.exitStatus(for: outcome)
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
  /// reported, never allowed to change the exit status. A signal ends the wait at once.
  private func record(_ record: RunRecord, runID: Int64, in store: any LockStore, context: String,
                      inbox: SignalInbox)
  {
    let deadline = Deadline.after(options.finishBudget)
    let call = BackgroundCall { () throws(CronlockError) in
      try store.finish(runID: runID, record, deadline: deadline)
    }
    let failure: String
    switch inbox.wait(for: call.descriptor, until: deadline.extended(by: .milliseconds(50))) {
    case .ready:
      guard case .failure(let error)? = call.result else {
        reporter.info("\(context): run \(runID) recorded as \(record.status.rawValue)")
        return
      }
      failure = error.message
    case .deadline:
      failure = "no answer from the database within --finish-timeout \(options.finishBudget)"
    case .signal:
      failure = "cronlock received signal \(inbox.take().first ?? SIGTERM) while recording it"
    }
    reporter.error("\(context): run \(runID) is still RUNNING in the table; its outcome (\(record.status.rawValue)) "
      + "was not recorded: \(failure)")
  }

  /// A uniformly random time in [0, span).
  static func randomDelay(below span: TimeSpan) -> TimeSpan {
    TimeSpan(nanoseconds: span.nanoseconds > 0 ? Int64.random(in: 0..<span.nanoseconds) : 0)
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

extension Deadline {
  /// This deadline moved later by `span` (never stays never).
  func extended(by span: TimeSpan) -> Deadline {
    guard nanoseconds != .max else { return self }
    let (sum, overflow) = nanoseconds.addingReportingOverflow(span.nanoseconds)
    return Deadline(nanoseconds: overflow ? .max : sum)
  }
}
