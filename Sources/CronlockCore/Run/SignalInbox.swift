import CSpawn

#if canImport(Glibc)
import Glibc
#endif

/// The signals cronlock passes on to the command's process group.
public enum ForwardedSignals {
  public static let all: [Int32] = [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2]
}

/// Where the forwarded signals arrive: it blocks them in the calling thread (and so in every
/// thread started after it), owns the signalfd they queue on, and remembers the first one —
/// the signal that stops a run still claiming. Waiting here never runs anything else: a wait
/// says what happened and the caller decides.
public final class SignalInbox {
  public let descriptor: Int32
  /// The mask the command starts with: the one in force before the inbox blocked its signals.
  public let childMask: sigset_t
  /// The first forwarded signal received, if any.
  public private(set) var firstSignal: Int32?
  private var pending: [Int32] = []
  /// A SIGCHLD arrived since the last wait: a child may have exited.
  private var childChanged = false

  /// Blocks the forwarded signals and opens the signalfd; fails only when the system refuses
  /// (then cronlock could be stopped by nothing but SIGKILL, so the caller must not go on).
  public init() throws(CronlockError) {
    // An inherited SIG_IGN for SIGCHLD would make the kernel reap the child before waitpid.
    signal(SIGCHLD, SIG_DFL)
    // A write to a pipe whose reader is gone (the guardian, swept with the group) must fail
    // with EPIPE, not end cronlock. The command gets SIGPIPE's default back before exec.
    signal(SIGPIPE, SIG_IGN)
    var blocked = sigset_t()
    sigemptyset(&blocked)
    for signal in ForwardedSignals.all + [SIGCHLD] { sigaddset(&blocked, signal) }
    var previous = sigset_t()
    pthread_sigmask(SIG_BLOCK, &blocked, &previous)
    childMask = previous
    descriptor = cronlock_signalfd(&blocked)
    guard descriptor >= 0 else {
      let reason = String(cString: strerror(errno))
      var restore = previous
      pthread_sigmask(SIG_SETMASK, &restore, nil)
      throw .internalFailure("cannot receive signals (signalfd: \(reason))")
    }
  }

  deinit {
    close(descriptor)
  }

  /// Reads what has queued; SIGCHLD only ends a wait (as `.ready`) and is not kept.
  public func collect() {
    while true {
      let next = cronlock_signalfd_next(descriptor)
      if next == 0 { return }
      guard next != SIGCHLD else {
        childChanged = true
        continue
      }
      if firstSignal == nil { firstSignal = next }
      pending.append(next)
    }
  }

  /// The forwarded signals received since the last call, oldest first.
  public func take() -> [Int32] {
    collect()
    defer { pending.removeAll() }
    return pending
  }

  /// How a wait ended.
  public enum WaitResult: Equatable {
    /// The descriptor waited for is readable.
    case ready
    /// A forwarded signal arrived (see `firstSignal`, `take()`).
    case signal
    /// The deadline passed first.
    case deadline
  }

  /// Waits until `descriptor` is readable (or, without one, a child changed state), a
  /// forwarded signal arrives, or `deadline` passes. Signals received but not taken count.
  public func wait(for descriptor: Int32?, until deadline: Deadline) -> WaitResult {
    while true {
      collect()
      if !pending.isEmpty { return .signal }
      if childChanged {
        childChanged = false
        if descriptor == nil { return .ready }
      }
      var fds = [pollfd(fd: self.descriptor, events: Int16(POLLIN), revents: 0)]
      if let descriptor { fds.append(pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)) }
      let ready = poll(&fds, nfds_t(fds.count), deadline.pollTimeout)
      if ready < 0 && errno != EINTR { return .deadline }
      if fds.count > 1 && fds[1].revents != 0 { return .ready }
      if ready == 0 || deadline.hasPassed {
        collect()
        return pending.isEmpty ? .deadline : .signal
      }
    }
  }
}
