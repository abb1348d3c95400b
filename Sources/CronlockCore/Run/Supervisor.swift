import CSpawn

#if canImport(Glibc)
import Glibc
#endif

/// The signals cronlock passes on to the child's process group.
public enum ForwardedSignals {
  public static let all: [Int32] = [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2]

  /// Blocks the forwarded signals and SIGCHLD so they queue until `Supervisor` waits for them,
  /// even while cronlock is still connecting. Returns the mask the child should start with.
  public static func block() -> sigset_t {
    // An inherited SIG_IGN for SIGCHLD would make the kernel reap the child before waitpid.
    signal(SIGCHLD, SIG_DFL)
    var blocked = sigset_t()
    sigemptyset(&blocked)
    for signal in all + [SIGCHLD] { sigaddset(&blocked, signal) }
    var previous = sigset_t()
    pthread_sigmask(SIG_BLOCK, &blocked, &previous)
    return previous
  }
}

/// The command to run, as the raw bytes the user passed (argv need not be UTF-8).
public struct ChildCommand: Sendable, Equatable {
  public let arguments: [[CChar]]

  public init(rawArguments: [[CChar]]) {
    arguments = rawArguments
  }

  public init(_ arguments: [String]) {
    self.arguments = arguments.map { Array($0.utf8CString) }
  }

  /// argv[0] as text, for messages and the row (arguments may carry secrets, so never those).
  public var name: String {
    arguments.first.map { String(decoding: $0.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) } ?? ""
  }
}

/// Starts the child and carries out `Supervision`'s decisions.
public struct Supervisor {
  public let childMask: sigset_t

  public init(childMask: sigset_t) {
    self.childMask = childMask
  }

  /// Starts `command` in its own process group; returns its pid or the errno of the failure.
  public func spawn(_ command: ChildCommand, environment: [[CChar]]) -> Result<pid_t, SpawnError> {
    var argv = Self.cStrings(command.arguments)
    var envp = Self.cStrings(environment)
    defer {
      argv.forEach { free($0) }
      envp.forEach { free($0) }
    }
    var mask = childMask
    var pid: pid_t = 0
    let failure = cronlock_spawn(argv[0], &argv, &envp, &mask, &pid)
    return failure == 0 ? .success(pid) : .failure(SpawnError(errno: failure))
  }

  /// NUL-terminated copies for C, then a terminating nil; the caller frees them.
  private static func cStrings(_ strings: [[CChar]]) -> [UnsafeMutablePointer<CChar>?] {
    strings.map { bytes in bytes.withUnsafeBufferPointer { strdup($0.baseAddress!) } } + [nil]
  }

  /// Waits for the child, carrying out `supervision`'s decisions: signals forwarded to the
  /// group, the timeout's TERM and KILL, and heartbeats through `heartbeat`, during which
  /// signals are still forwarded at once. Returns how the child ended.
  public func supervise(_ pid: pid_t, _ supervision: inout Supervision, signals: SignalChannel,
                        heartbeat: (Interruption) -> Void) -> ChildOutcome
  {
    let state = SupervisionBox(supervision)
    defer { supervision = state.value }
    // During a heartbeat: forward signals, and let SIGCHLD wait for the loop.
    let forwarding = Interruption(descriptor: signals.descriptor) {
      for signal in signals.drain() where signal != SIGCHLD {
        state.perform(state.value.handle(.signalReceived(signal), at: Deadline.monotonicNow()), group: pid)
      }
      return false
    }
    while true {
      var status: Int32 = 0
      let reaped = waitpid(pid, &status, WNOHANG)
      if reaped == pid || (reaped < 0 && errno == ECHILD) {
        // ECHILD cannot happen unless someone else reaped our child; report cronlock's failure.
        let outcome = reaped == pid ? ChildOutcome(waitStatus: status) : .exited(ExitStatus.internalFailure)
        state.perform(state.value.handle(.childExited(outcome), at: Deadline.monotonicNow()), group: pid)
        return outcome
      }
      var fds = [pollfd(fd: signals.descriptor, events: Int16(POLLIN), revents: 0)]
      let wait = max(0, state.value.nextWake - Deadline.monotonicNow())
      _ = poll(&fds, 1, Int32(clamping: (wait + 999_999) / 1_000_000))
      for signal in signals.drain() where signal != SIGCHLD {
        state.perform(state.value.handle(.signalReceived(signal), at: Deadline.monotonicNow()), group: pid)
      }
      let now = Deadline.monotonicNow()
      if now >= state.value.nextWake {
        let actions = state.value.handle(.timePassed, at: now)
        state.perform(actions, group: pid)
        if actions.contains(.heartbeat) { heartbeat(forwarding) }
      }
    }
  }
}

/// The supervision the loop and its heartbeat's interruption share.
private final class SupervisionBox {
  var value: Supervision

  init(_ value: Supervision) {
    self.value = value
  }

  /// Signals go to the group now; heartbeats and the finish are the caller's.
  func perform(_ actions: [Supervision.Action], group pid: pid_t) {
    for case .signalGroup(let signal) in actions {
      kill(-pid, signal)
    }
  }
}

/// Why the command could not be started.
public struct SpawnError: Error, Equatable {
  public let errno: Int32

  public var exitStatus: Int32 { ExitStatus.forSpawnFailure(errno: errno) }
  public var reason: String { String(cString: strerror(errno)) }
}
