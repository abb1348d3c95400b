import CSpawn

#if canImport(Glibc)
import Glibc
#endif

/// `--capture-output`: the command writes to pipes instead of cronlock's stdout and stderr, and
/// a relay thread of its own copies every byte to where it would have gone, unchanged, keeping
/// the last `limit` bytes of both streams in the order they arrived. When cronlock's stdout and
/// stderr are one file (`>log 2>&1`, cron's mail pipe, a terminal) the command gets one pipe
/// for both, so that order is exactly the command's; otherwise two, whose interleaving is the
/// order cronlock read them in. The relay blocks only itself: a stalled reader of cronlock's
/// output never holds up the run's thread, which keeps the timers and forwards signals.
final class OutputCapture: @unchecked Sendable {
  /// The write ends the command gets as its stdout and stderr (the same one when shared).
  let childStdout: Int32
  let childStderr: Int32
  /// The read ends, and where each one's bytes go.
  private let sources: [(read: Int32, target: Int32)]
  private let done: (read: Int32, write: Int32)
  private var lock = pthread_mutex_t()
  private var tail: TailBuffer
  private var lastProgress = Deadline(nanoseconds: Deadline.monotonicNow())
  private var finished = false

  /// After the command exits, what is left is relayed until the pipes close, or until nothing
  /// has arrived for this long (a background process of the command still holds them).
  static let idleAfterExit = TimeSpan.seconds(1)
  /// And never longer than this after the command's exit.
  static let longestAfterExit = TimeSpan.seconds(5)

  init(limit: Int) throws(SpawnError) {
    tail = TailBuffer(capacity: limit)
    let shared = Self.sameFile(1, 2)
    var made: [(read: Int32, write: Int32)] = []
    func pipe() throws(SpawnError) -> (read: Int32, write: Int32) {
      var ends: [Int32] = [-1, -1]
      let failure = cronlock_pipe(&ends, 0, 0)
      guard failure == 0 else {
        made.forEach { close($0.read); close($0.write) }
        throw SpawnError(errno: failure, cronlocks: "a pipe for the command's output")
      }
      made.append((ends[0], ends[1]))
      return (ends[0], ends[1])
    }
    let out = try pipe()
    let err = shared ? out : try pipe()
    done = try pipe()
    childStdout = out.write
    childStderr = err.write
    sources = shared ? [(out.read, Int32(1))] : [(out.read, Int32(1)), (err.read, Int32(2))]
    pthread_mutex_init(&lock, nil)
  }

  deinit {
    pthread_mutex_destroy(&lock)
  }

  /// Starts the relay; false when no thread could be made (then nothing may be spawned).
  func start() -> Bool {
    DetachedThread.start { self.relay() }
  }

  /// After the spawn: cronlock's copies of the write ends go, so the pipes close with the command.
  func closeChildEnds() {
    close(childStdout)
    if childStderr != childStdout { close(childStderr) }
  }

  /// Waits for the rest of the output (see `idleAfterExit`) and returns the tail kept so far.
  func finish() -> [UInt8] {
    let cap = Deadline.after(Self.longestAfterExit)
    while true {
      pthread_mutex_lock(&lock)
      let (ended, idleEnd) = (finished, min(lastProgress.extended(by: Self.idleAfterExit), cap))
      pthread_mutex_unlock(&lock)
      if ended || idleEnd.hasPassed { break }
      var fds = [pollfd(fd: done.read, events: Int16(POLLIN), revents: 0)]
      _ = poll(&fds, 1, idleEnd.pollTimeout)
    }
    pthread_mutex_lock(&lock)
    defer { pthread_mutex_unlock(&lock) }
    return tail.bytes
  }

  private func relay() {
    var open = sources
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while !open.isEmpty {
      var fds = open.map { pollfd(fd: $0.read, events: Int16(POLLIN), revents: 0) }
      if poll(&fds, nfds_t(fds.count), -1) < 0 {
        if errno == EINTR { continue }
        break
      }
      var closed: Set<Int32> = []
      for (index, source) in open.enumerated() where fds[index].revents != 0 {
        let count = buffer.withUnsafeMutableBytes { read(source.read, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        guard count > 0 else {
          closed.insert(source.read)
          continue
        }
        let chunk = buffer[0..<count]
        pthread_mutex_lock(&lock)
        tail.append(chunk)
        pthread_mutex_unlock(&lock)
        Self.writeAll(chunk, to: source.target)
        pthread_mutex_lock(&lock)
        lastProgress = Deadline(nanoseconds: Deadline.monotonicNow())
        pthread_mutex_unlock(&lock)
      }
      for descriptor in closed { close(descriptor) }
      open.removeAll { closed.contains($0.read) }
    }
    pthread_mutex_lock(&lock)
    finished = true
    pthread_mutex_unlock(&lock)
    var one: UInt8 = 1
    _ = write(done.write, &one, 1)
  }

  /// Writes every byte, retrying short writes; a target that fails (closed, full disk) is
  /// given up on for this chunk, so the command is never blocked by a dead reader.
  private static func writeAll(_ chunk: ArraySlice<UInt8>, to target: Int32) {
    chunk.withUnsafeBytes { bytes in
      var offset = 0
      while offset < bytes.count {
        let written = write(target, bytes.baseAddress! + offset, bytes.count - offset)
        if written < 0 && errno == EINTR { continue }
        guard written > 0 else { return }
        offset += written
      }
    }
  }

  /// Whether two descriptors are the same open file (device and inode), or both closed.
  private static func sameFile(_ first: Int32, _ second: Int32) -> Bool {
    var a = stat()
    var b = stat()
    let firstOpen = fstat(first, &a) == 0
    let secondOpen = fstat(second, &b) == 0
    guard firstOpen && secondOpen else { return firstOpen == secondOpen }
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino
  }
}

/// The last `capacity` bytes appended, in order.
struct TailBuffer {
  let capacity: Int
  private var storage: [UInt8] = []
  /// Where the oldest byte is once the storage is full.
  private var start = 0

  init(capacity: Int) {
    self.capacity = capacity
  }

  mutating func append(_ chunk: ArraySlice<UInt8>) {
    guard capacity > 0 else { return }
    let kept = chunk.suffix(capacity)
    for byte in kept {
      if storage.count < capacity {
        storage.append(byte)
      } else {
        storage[start] = byte
        start = (start + 1) % capacity
      }
    }
  }

  var bytes: [UInt8] { Array(storage[start...] + storage[..<start]) }
}
