import CSpawn

#if canImport(Glibc)
import Glibc
#endif

/// Refreshes the run's heartbeat on a thread of its own, so a database that freezes during a
/// beat delays only the beat: the supervising thread just wakes this one (a byte on a pipe,
/// never blocking) and goes on keeping the timeout and forwarding signals. Each beat opens a
/// connection and closes it again: a long run holds no connection between beats.
final class HeartbeatThread: @unchecked Sendable {
  private let runID: Int64
  private let budget: TimeSpan
  private let openStore: () throws(CronlockError) -> any LockStore
  /// Says what goes wrong, about the run.
  private let reporter: Reporter
  private var readEnd: Int32 = -1
  private var writeEnd: Int32 = -1
  private var started = false

  /// `budget` bounds each beat; the thread starts with the first beat.
  init(runID: Int64, budget: TimeSpan, reporter: Reporter,
       openStore: @escaping () throws(CronlockError) -> any LockStore)
  {
    self.runID = runID
    self.budget = budget
    self.reporter = reporter
    self.openStore = openStore
  }

  /// Asks for one beat now; never blocks. Beats asked for while one is in flight coalesce.
  func beat() {
    if !started {
      started = true
      var ends: [Int32] = [-1, -1]
      guard cronlock_pipe(&ends, 0, 1) == 0 else {
        reporter.info("heartbeats are off: cannot make a pipe (\(String(cString: strerror(errno))))", event: .heartbeatFailed)
        return
      }
      readEnd = ends[0]
      writeEnd = ends[1]
      guard DetachedThread.start({ self.loop() }) else {
        close(readEnd)
        close(writeEnd)
        writeEnd = -1
        reporter.info("heartbeats are off: cannot start their thread", event: .heartbeatFailed)
        return
      }
    }
    guard writeEnd >= 0 else { return }
    var byte: UInt8 = 1
    _ = write(writeEnd, &byte, 1)  // a full pipe means beats are already queued
  }

  /// No more beats: the thread ends after the one in flight, if any. Nobody waits for it.
  func stop() {
    if writeEnd >= 0 { close(writeEnd) }
    writeEnd = -1
  }

  private func loop() {
    defer { close(readEnd) }
    var store: (any LockStore)?
    var buffer = [UInt8](repeating: 0, count: 64)
    while true {
      let got = read(readEnd, &buffer, buffer.count)
      if got < 0 && errno == EINTR { continue }
      guard got > 0 else { return }
      do throws(CronlockError) {
        let current: any LockStore
        if let store { current = store } else { current = try openStore() }
        store = current
        defer { current.closeConnection() }
        try current.heartbeat(runID: runID, deadline: .after(budget))
      } catch {
        reporter.info("heartbeat of run \(runID) failed: \(error.message)", event: .heartbeatFailed)
      }
    }
  }
}
