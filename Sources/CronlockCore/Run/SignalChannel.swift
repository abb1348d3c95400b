import CSpawn

#if canImport(Glibc)
import Glibc
#endif

/// The forwarded signals and SIGCHLD, readable as a descriptor (a signalfd), so one `poll`
/// can wait for the database, the child and signals at once. Needs `ForwardedSignals.block()`.
public final class SignalChannel {
  public let descriptor: Int32

  public init() {
    var mask = sigset_t()
    sigemptyset(&mask)
    for signal in ForwardedSignals.all + [SIGCHLD] { sigaddset(&mask, signal) }
    descriptor = cronlock_signalfd(&mask)
  }

  deinit {
    if descriptor >= 0 { close(descriptor) }
  }

  /// The signals queued since the last call, oldest first.
  public func drain() -> [Int32] {
    var signals: [Int32] = []
    while descriptor >= 0 {
      let next = cronlock_signalfd_next(descriptor)
      if next == 0 { break }
      signals.append(next)
    }
    return signals
  }
}
