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

/// How a wait ended.
enum WaitOutcome {
  case ready, deadline
}

/// Waits until `descriptor` has `events` or the deadline passes. Nothing else: the thread that
/// listens for signals never makes this wait (see `BackgroundCall`).
func wait(for descriptor: Int32, events: Int16, until deadline: Deadline) -> WaitOutcome {
  while true {
    var fds = [pollfd(fd: descriptor, events: events, revents: 0)]
    let ready = poll(&fds, 1, deadline.pollTimeout)
    if ready < 0 {
      if errno == EINTR { continue }
      return .ready  // let the caller's next libpq call report what is wrong
    }
    if ready == 0 { return .deadline }
    if fds[0].revents != 0 { return .ready }
    if deadline.hasPassed { return .deadline }
  }
}

/// Sleeps until the deadline.
func pause(until deadline: Deadline) {
  while !deadline.hasPassed {
    var none: [pollfd] = []
    _ = poll(&none, 0, deadline.pollTimeout)
  }
}
