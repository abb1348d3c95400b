import CronlockTestSupport
import Foundation
import Testing

@testable import CronlockCore

/// A one-shot flag a closure on another thread raises, and the test waits for (bounded).
private final class Flag: @unchecked Sendable {
  private var ends: [Int32] = [-1, -1]

  init() { _ = pipe(&ends) }
  deinit {
    close(ends[0])
    close(ends[1])
  }

  func raise() {
    var byte: UInt8 = 1
    _ = write(ends[1], &byte, 1)
  }

  /// True once raised, false if `seconds` pass first.
  func wait(seconds: Int32 = 10) -> Bool {
    var fds = [pollfd(fd: ends[0], events: Int16(POLLIN), revents: 0)]
    return poll(&fds, 1, seconds * 1000) == 1
  }
}

/// What a closure saw of the thread it ran on.
private final class Seen: @unchecked Sendable {
  var thread = pthread_t()
  var blocksUSR2 = false

  func look() {
    thread = pthread_self()
    var mask = sigset_t()
    pthread_sigmask(SIG_SETMASK, nil, &mask)
    blocksUSR2 = sigismember(&mask, SIGUSR2) == 1
  }
}

/// Runs `body` with SIGUSR2 blocked on the calling thread, or unblocked, then restores the mask.
private func withUSR2(blocked: Bool, _ body: () -> Void) {
  var change = sigset_t()
  sigemptyset(&change)
  sigaddset(&change, SIGUSR2)
  var old = sigset_t()
  pthread_sigmask(blocked ? SIG_BLOCK : SIG_UNBLOCK, &change, &old)
  body()
  pthread_sigmask(SIG_SETMASK, &old, nil)
}

@Suite("the thread pool under BackgroundCall")
struct ThreadPoolTests {
  @Test("a thread whose closure returned runs the next one, with the signal mask of whoever started it")
  func reuse() {
    let pool = ThreadPool()
    var seen: [Seen] = []
    for blocked in [true, false, true] {
      let look = Seen()
      let done = Flag()
      if !seen.isEmpty {
        // Started only once the last closure's thread waits, so this one must be handed to it.
        #expect(eventually(timeout: 10) { pool.hasWaitingThread })
      }
      withUSR2(blocked: blocked) {
        #expect(pool.start {
          look.look()
          done.raise()
        })
      }
      #expect(done.wait())
      #expect(look.blocksUSR2 == blocked, "the mask the starter had, blocked: \(blocked)")
      seen.append(look)
    }
    #expect(pthread_equal(seen[0].thread, seen[1].thread) != 0 && pthread_equal(seen[1].thread, seen[2].thread) != 0)
  }

  @Test("a closure started while the thread is busy gets a thread of its own and runs at once")
  func busy() {
    let pool = ThreadPool()
    let release = Flag()
    let first = Seen()
    let firstStarted = Flag()
    let second = Seen()
    let secondDone = Flag()
    #expect(pool.start {
      first.look()
      firstStarted.raise()
      _ = release.wait()
    })
    #expect(firstStarted.wait())
    #expect(pool.start {
      second.look()
      secondDone.raise()
    })
    // The first closure is still blocked: the second ran anyway, on another thread.
    #expect(secondDone.wait())
    #expect(pthread_equal(first.thread, second.thread) == 0)
    release.raise()
  }
}
