import CSpawn

#if canImport(Glibc)
import Glibc
#endif

/// One call made on a thread of its own, so that the caller's thread — the one that forwards
/// signals and keeps cronlock's timers — can stop waiting for it at a deadline, whatever the
/// call is blocked in (a frozen server, a black-holed packet, a DNS lookup, libpq's blocking
/// cancel). A call given up on is abandoned, never joined: it ends with the process.
public final class BackgroundCall<Value>: @unchecked Sendable {
  /// Readable once the call has returned.
  private let descriptor: Int32
  private let writeEnd: Int32
  private var lock = pthread_mutex_t()
  private var outcome: Result<Value, CronlockError>?
  private var body: (() throws(CronlockError) -> Value)?

  /// Starts `body` on a thread of its own. If no thread can be had, `body` runs here and now
  /// when `hereIfNoThread`, and is not called at all otherwise: the call fails at once (75),
  /// for a call that must not start unless cronlock can stop waiting for it — the claim, which
  /// could otherwise hold up the clock before anything is claimed. If not even the pipe it
  /// reports on can be made (no descriptors left), `body` is not called either: the caller
  /// could not learn when it returned — a claim could commit unseen while the caller waits out
  /// its deadline — so the call ends at once, failed (125), and `descriptor` is -1.
  public init(hereIfNoThread: Bool = true, _ body: @escaping () throws(CronlockError) -> Value) {
    var ends: [Int32] = [-1, -1]
    let pipeFailure = cronlock_pipe(&ends, 1, 1)
    descriptor = pipeFailure == 0 ? ends[0] : -1
    writeEnd = pipeFailure == 0 ? ends[1] : -1
    pthread_mutex_init(&lock, nil)
    guard pipeFailure == 0 else {
      outcome = .failure(.internalFailure("cannot make a pipe for a database call: \(String(cString: strerror(pipeFailure)))"))
      return
    }
    self.body = body
    if DetachedThread.start({ self.runBody() }) { return }
    if hereIfNoThread {
      runBody()
    } else {
      self.body = nil
      outcome = .failure(.unavailable(
        "cannot start a thread for the database call (a limit on processes, threads or memory was reached)"))
      var one: UInt8 = 1
      _ = write(writeEnd, &one, 1)
    }
  }

  deinit {
    if descriptor >= 0 {
      close(descriptor)
      close(writeEnd)
    }
    pthread_mutex_destroy(&lock)
  }

  private func runBody() {
    let result: Result<Value, CronlockError>
    do throws(CronlockError) {
      result = .success(try body!())
    } catch {
      result = .failure(error)
    }
    pthread_mutex_lock(&lock)
    outcome = result
    body = nil
    pthread_mutex_unlock(&lock)
    var one: UInt8 = 1
    _ = write(writeEnd, &one, 1)
  }

  /// The call's result, if it has returned.
  public var result: Result<Value, CronlockError>? {
    pthread_mutex_lock(&lock)
    defer { pthread_mutex_unlock(&lock) }
    return outcome
  }

  /// Waits for the call through `inbox` until `deadline`, or until a forwarded signal comes. A
  /// call that could not make its pipe has already ended: `.ready` at once.
  public func wait(through inbox: SignalInbox, until deadline: Deadline) -> SignalInbox.WaitResult {
    descriptor < 0 ? .ready : inbox.wait(for: descriptor, until: deadline)
  }

  /// Waits for the call until `deadline`, without listening for signals (for subcommands and
  /// for the last steps of a run); nil when the deadline came first.
  public func wait(until deadline: Deadline) -> Result<Value, CronlockError>? {
    while result == nil {
      var fds = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)]
      let ready = poll(&fds, 1, deadline.pollTimeout)
      if ready == 0 || deadline.hasPassed { return result }
    }
    return result
  }
}

/// Starts detached POSIX threads for a closure: C's entry point cannot name a generic type.
///
/// Each closure gets a new thread. A finished thread waiting for the next closure (the record
/// after a won claim, on the claim's thread) saved 0.3 ms of CPU a win, but the wake-up made the
/// win 0.6-1.4 ms slower under the kernel's fair scheduler (bench/RESULTS.md, fourth round).
enum DetachedThread {
  /// Each thread's stack: libpq (TLS, GSSAPI, the resolver) runs well within musl's default of
  /// 128 KiB. Asked for explicitly, so the 8 MiB (or, with `ulimit -s unlimited`, 32 MiB)
  /// glibc would take from the stack limit cannot make threads fail under `ulimit -v`.
  static let stackBytes = 1 << 20

  private final class Start {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
  }

  /// Runs `body` on a new detached thread; false when no thread could be made.
  static func start(_ body: @escaping () -> Void) -> Bool {
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setstacksize(&attributes, stackBytes)
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    let retained = Unmanaged.passRetained(Start(body)).toOpaque()
    var thread = pthread_t()
    let created = pthread_create(&thread, &attributes, { context in
      Unmanaged<Start>.fromOpaque(context!).takeRetainedValue().body()
      return nil
    }, retained)
    guard created == 0 else {
      Unmanaged<Start>.fromOpaque(retained).release()
      return false
    }
    return true
  }
}
