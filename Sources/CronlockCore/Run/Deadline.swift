#if canImport(Glibc)
import Glibc
#endif

/// A point on the monotonic clock by which something must be done.
public struct Deadline: Sendable, Comparable {
  /// Monotonic nanoseconds; `Int64.max` for never.
  let nanoseconds: Int64

  public static let never = Deadline(nanoseconds: .max)

  public static func after(_ span: TimeSpan) -> Deadline {
    let (sum, overflow) = monotonicNow().addingReportingOverflow(span.nanoseconds)
    return Deadline(nanoseconds: overflow ? .max : sum)
  }

  static func monotonicNow() -> Int64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
  }

  public var hasPassed: Bool { nanoseconds != .max && Self.monotonicNow() >= nanoseconds }

  /// What is left, rounded up to whole milliseconds, as `poll` takes it (-1: wait for ever).
  var pollTimeout: Int32 {
    guard nanoseconds != .max else { return -1 }
    let left = max(0, nanoseconds - Self.monotonicNow())
    return Int32(clamping: (left + 999_999) / 1_000_000)
  }

  public static func < (lhs: Deadline, rhs: Deadline) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
}

/// Something a wait for the database also listens to — in practice the signal channel: when
/// `descriptor` becomes readable, `handle()` runs and says whether to stop waiting.
public struct Interruption {
  public let descriptor: Int32
  public let handle: () -> Bool

  public init(descriptor: Int32, handle: @escaping () -> Bool) {
    self.descriptor = descriptor
    self.handle = handle
  }
}

/// How a wait ended.
enum WaitOutcome {
  case ready, deadline, interrupted
}

/// Waits until `descriptor` has `events`, the deadline passes, or the interruption says stop.
func wait(for descriptor: Int32, events: Int16, until deadline: Deadline, interruption: Interruption?) -> WaitOutcome {
  while true {
    var fds = [pollfd(fd: descriptor, events: events, revents: 0)]
    if let interruption { fds.append(pollfd(fd: interruption.descriptor, events: Int16(POLLIN), revents: 0)) }
    let ready = poll(&fds, nfds_t(fds.count), deadline.pollTimeout)
    if ready < 0 {
      if errno == EINTR { continue }
      return .ready  // let the caller's next libpq call report what is wrong
    }
    if ready == 0 { return .deadline }
    if fds.count > 1, fds[1].revents != 0, let interruption, interruption.handle() { return .interrupted }
    if fds[0].revents != 0 { return .ready }
    if deadline.hasPassed { return .deadline }
  }
}

/// Sleeps until the deadline, or until the interruption says stop; false when interrupted.
func pause(until deadline: Deadline, interruption: Interruption?) -> Bool {
  while !deadline.hasPassed {
    var fds = interruption.map { [pollfd(fd: $0.descriptor, events: Int16(POLLIN), revents: 0)] } ?? []
    let ready = poll(&fds, nfds_t(fds.count), deadline.pollTimeout)
    if ready > 0, let interruption, interruption.handle() { return false }
  }
  return true
}
