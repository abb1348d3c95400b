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

  /// A forwarded signal that arrived and is still waiting, consumed.
  public static func takePending() -> Int32? {
    var pending = sigset_t()
    sigpending(&pending)
    guard let signal = all.first(where: { sigismember(&pending, $0) == 1 }) else { return nil }
    var just = sigset_t()
    sigemptyset(&just)
    sigaddset(&just, signal)
    var received: Int32 = 0
    sigwait(&just, &received)
    return received
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

  /// Waits for the child, forwarding signals to its group; returns how it ended.
  public func wait(for pid: pid_t, supervision: inout Supervision) -> ChildOutcome {
    var waited = sigset_t()
    sigemptyset(&waited)
    for signal in ForwardedSignals.all + [SIGCHLD] { sigaddset(&waited, signal) }
    while true {
      var status: Int32 = 0
      // Reap before waiting: SIGCHLD may have been consumed while the child was starting.
      let reaped = waitpid(pid, &status, WNOHANG)
      if reaped == pid,
        case .finish(let outcome)? = supervision.handle(.childExited(ChildOutcome(waitStatus: status)))
      {
        return outcome
      }
      if reaped < 0 && errno != EINTR {
        // Nothing left to wait for; cannot happen unless someone else reaped our child.
        return .exited(ExitStatus.internalFailure)
      }
      var received: Int32 = 0
      guard sigwait(&waited, &received) == 0, received != SIGCHLD else { continue }
      if case .forward(let signal)? = supervision.handle(.signalReceived(received)) {
        kill(-pid, signal)
      }
    }
  }
}

/// Why the command could not be started.
public struct SpawnError: Error, Equatable {
  public let errno: Int32

  public var exitStatus: Int32 { ExitStatus.forSpawnFailure(errno: errno) }
  public var reason: String { String(cString: strerror(errno)) }
}
