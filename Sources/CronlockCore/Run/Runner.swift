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
      reporter.error(error.message, event: .failure(error.code))
      return error.status
    }
    let slot: Slot
    do {
      slot = try options.slot(at: startedAt)
    } catch {
      reporter.error(error.message, event: .failure(error.code))
      return error.status
    }
    let context = reporter.about(LogContext(job: options.job, slot: slot.identifier))
    if let late = options.lateness(of: slot, at: startedAt) {
      context.info("started \(late) after the slot began (more than --max-late); not running", event: .skippedLate)
      return options.skipExitCode
    }
    if let splay = options.splay {
      let end = Deadline.after(Self.randomDelay(below: splay))
      var waited = inbox.wait(for: nil, until: end)
      while waited == .ready && !end.hasPassed { waited = inbox.wait(for: nil, until: end) }  // SIGCHLD: not ours to end
      if waited == .signal {
        // Nothing is claimed yet: a forwarded signal just ends the run.
        let signal = inbox.firstSignal ?? SIGTERM
        context.info("stopped by signal \(signal) during --splay", event: .stopped)
        return 128 + signal
      }
    }
    let request = ClaimRequest(
      job: options.job, slot: slot, worker: options.worker, pid: getpid(), command: options.command.name,
      runToken: Self.makeRunToken(), lockTimeout: options.lockTimeout, heartbeat: options.supervision.heartbeat,
      noOverlap: options.noOverlap, slotRule: StoredSlotRule(options.slotRule).text)

    let reserve: DescriptorReserve
    do throws(CronlockError) {
      reserve = try DescriptorReserve()
    } catch {
      return reject(error, context)
    }
    let claimed: (store: any LockStore, runID: Int64)
    switch claim(request, context: context, inbox: inbox, reserve: reserve) {
    case .finished(let status):
      return status
    case .unknown(let error):
      return databaseFailed(error, context: context, slot: slot, environment: environment, inbox: inbox)
    case .won(let store, let runID):
      claimed = (store, runID)
    }
    let run = context.about(runID: claimed.runID)
    run.info("claimed as run \(claimed.runID)", event: .claimed)

    let heartbeats = HeartbeatThread(
      runID: claimed.runID, budget: min(options.supervision.heartbeat, .seconds(5)), reporter: run,
      openStore: openStore)
    var holdingClaimConnection = true
    let beat = {
      // A short run records its outcome on the claim's connection; a long one lets it go at
      // the first beat, and from then on holds a connection only while a beat is in flight.
      if holdingClaimConnection {
        claimed.store.closeConnection()
        holdingClaimConnection = false
      }
      heartbeats.beat()
    }
    // Made only for a hook: a run without one does no more work than before.
    func hookEnvironment() -> [[CChar]] {
      ChildEnvironment.make(
        inherited: environment, job: options.job, identifier: slot.identifier, runID: String(claimed.runID),
        worker: options.worker)
    }
    if let onStart = options.hooks.onStart {
      let result = runHook(.start, onStart, environment: HookEnvironment.make(child: hookEnvironment(), status: .running),
                           log: run, inbox: inbox, heartbeatEvery: options.supervision.heartbeat, heartbeat: beat)
      if case .stopped(let signal) = result {
        // As a signal before the start does: no command, and no claimed row left behind.
        heartbeats.stop()
        reserve.release()
        let release = Deadline.after(Self.releaseWait)
        _ = BackgroundCall { () throws(CronlockError) in claimed.store.release(request, deadline: release) }
          .wait(until: release)
        run.info("stopped by signal \(signal) before the command started", event: .stopped)
        return 128 + signal
      }
    }
    let commandStarted = Deadline.monotonicNow()
    let ran = runChild(runID: claimed.runID, slot: slot, context: run, environment: environment, inbox: inbox,
                       heartbeat: beat)
    let duration = TimeSpan(nanoseconds: Deadline.monotonicNow() - commandStarted)
    heartbeats.stop()
    let outcome: RunRecord
    let status: Int32
    switch ran {
    case .failure(let failure):
      outcome = RunRecord(status: .failed, exitCode: failure.exitStatus, note: "cannot run the command: \(failure.reason)")
      status = failure.exitStatus
    case .success(let ended):
      let supervision = ended.supervision
      if supervision.timedOutAt != nil, let timeout = options.supervision.timeout {
        run.error("the command timed out after --timeout \(timeout); sent SIGTERM"
          + (supervision.killed ? ", then SIGKILL after --kill-after \(options.supervision.killAfter)" : ""),
          event: .timedOut)
      }
      var recorded = supervision.record(for: ended.outcome)
      recorded.output = ended.output
      outcome = recorded
      status = supervision.exitStatus(for: ended.outcome)
    }
    reserve.release()
    let signalled = record(outcome, runID: claimed.runID, in: claimed.store, context: run, inbox: inbox)
    if let (hook, command) = options.hooks.after(outcome.status) {
      if let signal = signalled {
        // cronlock is being stopped: the hook would only hold that up.
        run.info("the \(hook.rawValue) hook did not run: cronlock received signal \(signal)", event: .hookStopped)
      } else {
        let environment = HookEnvironment.make(
          child: hookEnvironment(), status: outcome.status, exitStatus: status, duration: duration)
        runHook(hook, command, environment: environment, log: run, inbox: inbox)
      }
    }
    return status
  }

  /// Runs one hook to its end and says how it went; its result never changes the run's.
  @discardableResult
  private func runHook(_ hook: Hooks.Hook, _ command: String, environment: [[CChar]], log: Reporter,
                       inbox: SignalInbox, heartbeatEvery: TimeSpan? = nil, heartbeat: () -> Void = {}) -> HookResult
  {
    let result = HookRunner(timeout: options.hooks.timeout, inbox: inbox)
      .run(command, environment: environment, heartbeatEvery: heartbeatEvery, heartbeat: heartbeat)
    let report = result.report(hook, timeout: options.hooks.timeout)
    switch report.level {
    case .error: log.error(report.message, event: report.event)
    case .warning: log.warning(report.message, event: report.event)
    case .info: log.info(report.message, event: report.event)
    }
    return result
  }

  /// How a started command ended. A struct, not a tuple: a tuple inside Result has its
  /// metadata built from its mangled name at run time (0.16 M instructions of a win).
  private struct EndedChild {
    let outcome: ChildOutcome
    let supervision: Supervision
    /// The captured tail, with --capture-output.
    let output: [UInt8]?
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
  /// `reserve` is released before any further database call a run that did not win makes.
  private func claim(_ request: ClaimRequest, context: Reporter, inbox: SignalInbox, reserve: DescriptorReserve)
    -> ClaimStep
  {
    let deadline = Deadline.after(options.claimBudget)
    let store: any LockStore
    do throws(CronlockError) {
      store = try openStore()  // checks its settings only: no I/O
      var retries = context
      retries.context.prefixesText = false  // a retry line never named the job in text
      store.retryReporter = retries
    } catch {
      return error.code == .unavailable ? .unknown(error) : .finished(reject(error, context))
    }
    // The store is a class: the call returns only the claim (a tuple with an existential in it
    // would have its metadata built from its mangled name at run time, 0.16 M instructions).
    let call = BackgroundCall(hereIfNoThread: false) { () throws(CronlockError) -> Claim in
      try store.claim(request, deadline: deadline)
    }
    // The call gives up at the same deadline with a better reason; a moment's grace lets it say so.
    switch call.wait(through: inbox, until: deadline.extended(by: .milliseconds(50))) {
    case .signal:
      reserve.release()
      return .finished(stopped(by: inbox.firstSignal ?? SIGTERM, claim: call, store: store, request: request,
                               context: context))
    case .deadline:
      reserve.release()
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
    case .success(let claim)?:
      warnAboutSkew(claim.clockSkew, context: context)
      guard case .won(let runID) = claim.outcome else {
        context.info("\(claim.reason ?? "another worker owns this slot"); not running", event: .lost)
        return .finished(options.skipExitCode)
      }
      inbox.collect()
      if let signal = inbox.firstSignal {
        reserve.release()
        return .finished(stopped(by: signal, claim: call, store: store, request: request, context: context))
      }
      return .won(store, runID: runID)
    }
  }

  /// A signal came before the command started: no command, and no claimed row left behind.
  private func stopped(by signal: Int32, claim call: BackgroundCall<Claim>, store: any LockStore,
                       request: ClaimRequest, context: Reporter) -> Int32
  {
    if call.result == nil {
      // The claim may be waiting for a lock: once that is released, it would still commit.
      let asked = Deadline.after(Self.releaseWait)
      _ = BackgroundCall { () throws(CronlockError) in store.cancelInFlight() }.wait(until: asked)
    }
    if case .success(let claim)? = call.wait(until: .after(Self.releaseWait)), case .won = claim.outcome {
      let release = Deadline.after(Self.releaseWait)
      _ = BackgroundCall { () throws(CronlockError) in store.release(request, deadline: release) }.wait(until: release)
    }
    context.info("stopped by signal \(signal) before the command started", event: .stopped)
    return 128 + signal
  }

  /// A failure that is not about availability (78, 65, 125): said, and never run through.
  private func reject(_ error: CronlockError, _ context: Reporter) -> Int32 {
    context.error("\(error.message); the command did not run", event: .rejected)
    return error.status
  }

  /// Starts the command and supervises it to its end. Without a run id it runs unrecorded
  /// (--on-db-error run) and its CRONLOCK_RUN_ID is empty.
  private func runChild(runID: Int64?, slot: Slot, context: Reporter, environment: [[CChar]], inbox: SignalInbox,
                        heartbeat: () -> Void) -> Result<EndedChild, SpawnError>
  {
    let childEnvironment = ChildEnvironment.make(
      inherited: environment, job: options.job, identifier: slot.identifier,
      runID: runID.map { String($0) } ?? "", worker: options.worker)
    let supervisor = Supervisor(childMask: inbox.childMask)
    let capture: OutputCapture?
    do throws(SpawnError) {
      capture = try options.captureOutput.map { limit throws(SpawnError) in try OutputCapture(limit: limit) }
      if let capture, !capture.start() { throw SpawnError(errno: EAGAIN, cronlocks: "a thread for the command's output") }
    } catch {
      context.error("cannot capture the command's output: \(error.reason)", event: .spawnFailed)
      return .failure(error)
    }
    let spawned = supervisor.spawn(options.command, environment: childEnvironment,
                                   stdout: capture?.childStdout ?? -1, stderr: capture?.childStderr ?? -1)
    capture?.closeChildEnds()
    switch spawned {
    case .failure(let failure):
      context.error(failure.cronlocks.map { "cannot start \($0): \(failure.reason)" }
        ?? "cannot run '\(LockName.escaped(options.command.name))': \(failure.reason)", event: .spawnFailed)
      return .failure(failure)
    case .success(let started):
      var supervision = Supervision(policy: options.supervision, startedAt: Deadline.monotonicNow())
      let outcome = supervisor.supervise(started, &supervision, inbox: inbox, heartbeat: heartbeat)
      return .success(EndedChild(outcome: outcome, supervision: supervision, output: capture?.finish()))
    }
  }

  /// The lock state is unknown (75): --on-db-error decides.
  private func databaseFailed(_ error: CronlockError, context: Reporter, slot: Slot, environment: [[CChar]],
                              inbox: SignalInbox) -> Int32
  {
    switch options.onDatabaseError {
    case .fail:
      context.error("\(error.message); the command did not run", event: .dbError)
      return error.status
    case .skip:
      context.error("\(error.message); skipping (--on-db-error skip)", event: .dbError)
      return options.skipExitCode
    case .run:
      // No hooks: nothing was won, and every host that lost the database runs the command.
      context.error("\(error.message); running the command anyway, unrecorded (--on-db-error run)", event: .dbError)
      switch runChild(runID: nil, slot: slot, context: context, environment: environment, inbox: inbox, heartbeat: {}) {
      case .failure(let failure): return failure.exitStatus
      case .success(let ended): return ended.supervision.exitStatus(for: ended.outcome)
      }
    }
  }

  /// One line when this host's clock disagrees with the database's: slots would be miscomputed.
  private func warnAboutSkew(_ skew: ClockSkew?, context: Reporter) {
    guard let skew, skew.magnitude > options.maxSkew else { return }
    context.warning("this host's clock is \(skew.magnitude) \(skew.milliseconds > 0 ? "ahead of" : "behind") "
      + "the database's (more than --max-skew \(options.maxSkew))", event: .clockSkew)
  }

  /// Records the outcome, retrying through a database blip for --finish-timeout; a failure is
  /// reported, never allowed to change the exit status. A signal ends the wait at once; it is
  /// returned.
  private func record(_ record: RunRecord, runID: Int64, in store: any LockStore, context: Reporter,
                      inbox: SignalInbox) -> Int32?
  {
    let deadline = Deadline.after(options.finishBudget)
    let call = BackgroundCall { () throws(CronlockError) in
      try store.finish(runID: runID, record, deadline: deadline)
    }
    let failure: String
    var signal: Int32?
    switch call.wait(through: inbox, until: deadline.extended(by: .milliseconds(50))) {
    case .ready:
      guard case .failure(let error)? = call.result else {
        context.info("run \(runID) recorded as \(record.status.rawValue)", event: .recorded)
        return nil
      }
      failure = error.message
    case .deadline:
      failure = "no answer from the database within --finish-timeout \(options.finishBudget)"
    case .signal:
      signal = inbox.take().first ?? SIGTERM
      failure = "cronlock received signal \(signal!) while recording it"
    }
    context.error("run \(runID) is still RUNNING in the table; its outcome (\(record.status.rawValue)) "
      + "was not recorded: \(failure)", event: .recordFailed)
    return signal
  }

  /// A uniformly random time in [0, span).
  static func randomDelay(below span: TimeSpan) -> TimeSpan {
    TimeSpan(nanoseconds: span.nanoseconds > 0 ? Int64.random(in: 0..<span.nanoseconds) : 0)
  }

  /// 128 random bits as 32 hex digits: identifies this claim if its commit is not acknowledged.
  /// Written digit by digit: `String(_:radix:)` and `joined()` are generic, and the first use of
  /// joined in a process looks up its conformances at run time (0.17 M instructions of a skip).
  static func makeRunToken() -> String {
    var generator = SystemRandomNumberGenerator()
    let digits = Array("0123456789abcdef".utf8)
    var token = [UInt8](repeating: 0, count: 32)
    for half in 0..<2 {
      var word: UInt64 = generator.next()
      for index in stride(from: half * 16 + 15, through: half * 16, by: -1) {
        token[index] = digits[Int(word & 0xF)]
        word >>= 4
      }
    }
    return String(decoding: token, as: UTF8.self)
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
