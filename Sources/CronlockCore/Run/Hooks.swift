#if canImport(Glibc)
import Glibc
#endif

/// The commands `--on-start`, `--on-success` and `--on-failure` run, each with `/bin/sh -c`,
/// only on the host that won the slot, and their bound (`--hook-timeout`).
public struct Hooks: Sendable, Equatable {
  public var onStart: String?
  public var onSuccess: String?
  public var onFailure: String?
  public var timeout: TimeSpan

  /// After the timeout's (or a signal's) SIGTERM, how long a hook's group has before SIGKILL.
  public static let killAfter = TimeSpan.seconds(1)

  public init(onStart: String? = nil, onSuccess: String? = nil, onFailure: String? = nil,
              timeout: TimeSpan = .seconds(10)) {
    self.onStart = onStart
    self.onSuccess = onSuccess
    self.onFailure = onFailure
    self.timeout = timeout
  }

  /// The hook for a run recorded with `status`: --on-success for FINISHED, else --on-failure.
  public func after(_ status: RunStatus) -> (Hook, String)? {
    status == .finished ? onSuccess.map { (.success, $0) } : onFailure.map { (.failure, $0) }
  }

  /// Which hook, named as its option.
  public enum Hook: String, Sendable {
    case start = "--on-start"
    case success = "--on-success"
    case failure = "--on-failure"
  }
}

/// How a hook ended, decided from its supervision; never changes the run's row or exit.
public enum HookResult: Sendable, Equatable {
  case succeeded
  case exited(Int32)
  case signaled(Int32)
  /// --hook-timeout passed: SIGTERM went to its group, and SIGKILL if `killed`.
  case timedOut(killed: Bool)
  /// cronlock received this forwarded signal while the hook ran, and ended the hook.
  case stopped(Int32)
  case cannotStart(String)

  public init(_ outcome: ChildOutcome, _ supervision: Supervision) {
    if let signal = supervision.firstForwardedSignal {
      self = .stopped(signal)
    } else if supervision.timedOutAt != nil {
      self = .timedOut(killed: supervision.killed)
    } else {
      switch outcome {
      case .exited(0): self = .succeeded
      case .exited(let code): self = .exited(code)
      case .signaled(let signal): self = .signaled(signal)
      }
    }
  }

  /// The stderr line for a hook that failed (an error), ran (info) or was stopped (info).
  public func report(_ hook: Hooks.Hook, timeout: TimeSpan) -> (level: Reporter.Level, event: LogEvent, message: String) {
    let name = "the \(hook.rawValue) hook"
    switch self {
    case .succeeded: return (.info, .hookRan, "\(name) exited with status 0")
    case .exited(let code): return (.error, .hookFailed, "\(name) exited with status \(code)")
    case .signaled(let signal): return (.error, .hookFailed, "\(name) was killed by signal \(signal)")
    case .timedOut(let killed):
      return (.error, .hookFailed, "\(name) timed out after --hook-timeout \(timeout); sent SIGTERM"
        + (killed ? ", then SIGKILL after \(Hooks.killAfter)" : ""))
    case .stopped(let signal): return (.info, .hookStopped, "\(name) was stopped: cronlock received signal \(signal)")
    case .cannotStart(let reason): return (.error, .hookFailed, "cannot run \(name): \(reason)")
    }
  }
}

/// The environment a hook starts with: the command's (`ChildEnvironment`), plus the outcome.
public enum HookEnvironment {
  static let outcomeNames = ["CRONLOCK_STATUS", "CRONLOCK_EXIT_CODE", "CRONLOCK_DURATION_MS"]

  /// `child` with `CRONLOCK_STATUS`, and for a finished command `CRONLOCK_EXIT_CODE` (the
  /// status cronlock exits with) and `CRONLOCK_DURATION_MS`; inherited ones are replaced.
  public static func make(child: [[CChar]], status: RunStatus, exitStatus: Int32? = nil, duration: TimeSpan? = nil)
    -> [[CChar]]
  {
    var added = [("CRONLOCK_STATUS", status.rawValue)]
    if let exitStatus { added.append(("CRONLOCK_EXIT_CODE", String(exitStatus))) }
    if let duration { added.append(("CRONLOCK_DURATION_MS", String(duration.milliseconds))) }
    let replaced = Set(outcomeNames.map { Array($0.utf8).map { CChar(bitPattern: $0) } })
    let kept = child.filter { entry in !replaced.contains(Array(entry.prefix { $0 != 61 /* = */ && $0 != 0 })) }
    return kept + added.map { Array("\($0.0)=\($0.1)".utf8CString) }
  }
}

/// Runs one hook through the command's own machinery — guardian, process group, the one
/// thread's poll — so a hook is bounded by --hook-timeout and a forwarded signal ends it at
/// once (SIGTERM, then SIGKILL after `Hooks.killAfter`). Its stdin is /dev/null, so it cannot
/// eat input meant for the command; stdout and stderr are cronlock's.
struct HookRunner {
  let timeout: TimeSpan
  let inbox: SignalInbox

  /// `heartbeat` is called at `heartbeatEvery` while the hook runs (the row is still RUNNING
  /// during --on-start); nil when nothing needs refreshing.
  func run(_ command: String, environment: [[CChar]], heartbeatEvery: TimeSpan? = nil, heartbeat: () -> Void = {})
    -> HookResult
  {
    let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
    defer { if devNull >= 0 { close(devNull) } }
    let supervisor = Supervisor(childMask: inbox.childMask)
    switch supervisor.spawn(ChildCommand(["/bin/sh", "-c", command]), environment: environment, stdin: devNull) {
    case .failure(let failure):
      return .cannotStart(failure.reason)
    case .success(let started):
      let policy = Supervision.Policy(
        timeout: timeout, killAfter: Hooks.killAfter, heartbeat: heartbeatEvery ?? .seconds(366 * 86_400),
        endsOnSignal: true)
      var supervision = Supervision(policy: policy, startedAt: Deadline.monotonicNow())
      let outcome = supervisor.supervise(started, &supervision, inbox: inbox, heartbeat: heartbeat)
      return HookResult(outcome, supervision)
    }
  }
}
