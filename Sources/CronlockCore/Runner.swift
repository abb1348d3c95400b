#if canImport(Glibc)
import Glibc
#endif

/// How a run names its slot.
public enum SlotRule: Sendable, Equatable {
  /// The clock truncated to this precision.
  case precision(TimeSpan)
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

  public init(job: String, slotRule: SlotRule, worker: String, skipExitCode: Int32, command: ChildCommand) {
    self.job = job
    self.slotRule = slotRule
    self.worker = worker
    self.skipExitCode = skipExitCode
    self.command = command
  }

  /// The slot for a run that started at `now`.
  public func slot(at now: Timestamp) -> Slot {
    switch slotRule {
    case .precision(let precision): Slot.truncating(now, to: precision)
    case .identifier(let identifier): Slot.explicit(identifier)
    }
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
    let slot = options.slot(at: startedAt)
    let job = LockName.escaped(options.job)
    let context = "job '\(job)' slot '\(LockName.escaped(slot.identifier))'"

    let store: any LockStore
    let runID: Int64
    do {
      store = try openStore()
      let request = ClaimRequest(
        job: options.job, slot: slot, worker: options.worker, pid: getpid(),
        command: options.command.name, runToken: Self.makeRunToken())
      switch try store.claim(request) {
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
