import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import CronlockCore

@Suite("supervision decisions")
struct SupervisionTests {
  let second: Int64 = 1_000_000_000

  func make(timeout: Int64? = nil, killAfter: Int64 = 10, heartbeat: Int64 = 30) -> Supervision {
    Supervision(policy: .init(timeout: timeout.map { .seconds($0) }, killAfter: .seconds(killAfter),
                              heartbeat: .seconds(heartbeat)), startedAt: 1000 * second)
  }

  @Test("signals are forwarded, each followed by SIGCONT, until the child exits; then the group is swept and nothing more is sent")
  func forwardsThenFinishes() {
    var supervision = make()
    let t = 1001 * second
    #expect(supervision.handle(.signalReceived(SIGTERM), at: t) == [.signalGroup(SIGTERM), .signalGroup(SIGCONT)])
    #expect(supervision.handle(.signalReceived(SIGINT), at: t) == [.signalGroup(SIGINT), .signalGroup(SIGCONT)])
    #expect(supervision.handle(.childExited(.signaled(SIGTERM)), at: t)
      == [.signalGroup(SIGKILL), .finish(.signaled(SIGTERM))])
    #expect(supervision.finished)
    #expect(supervision.handle(.signalReceived(SIGHUP), at: t).isEmpty, "nothing is sent to a group that is gone")
    #expect(supervision.exitStatus(for: .signaled(SIGTERM)) == 143)
  }

  @Test("a child that simply exits is not swept: its background jobs are its own business")
  func plainExit() {
    var supervision = make()
    #expect(supervision.handle(.childExited(.exited(3)), at: 1005 * second) == [.finish(.exited(3))])
    #expect(supervision.record(for: .exited(3)) == RunRecord(status: .failed, exitCode: 3))
    #expect(supervision.exitStatus(for: .exited(3)) == 3)
  }

  @Test("heartbeats come every interval, and the next wake follows them")
  func heartbeats() {
    var supervision = make(heartbeat: 30)
    #expect(supervision.nextWake == 1030 * second)
    #expect(supervision.handle(.timePassed, at: 1029 * second).isEmpty)
    #expect(supervision.handle(.timePassed, at: 1030 * second) == [.heartbeat])
    #expect(supervision.nextWake == 1060 * second)
  }

  @Test("--timeout sends TERM, --kill-after then KILL; exit 124 and the row says so")
  func timeoutThenKill() {
    var supervision = make(timeout: 5, killAfter: 2, heartbeat: 30)
    #expect(supervision.nextWake == 1005 * second)
    #expect(supervision.handle(.timePassed, at: 1005 * second) == [.signalGroup(SIGTERM), .signalGroup(SIGCONT)],
            "a stopped command acts on TERM only once continued (coreutils timeout)")
    #expect(supervision.nextWake == 1007 * second)
    #expect(supervision.handle(.timePassed, at: 1006 * second).isEmpty)
    #expect(supervision.handle(.timePassed, at: 1007 * second) == [.signalGroup(SIGKILL)])
    #expect(supervision.nextWake == 1030 * second, "after the KILL only heartbeats remain")
    #expect(supervision.handle(.childExited(.signaled(SIGKILL)), at: 1007 * second)
      == [.signalGroup(SIGKILL), .finish(.signaled(SIGKILL))])
    let record = supervision.record(for: .signaled(SIGKILL))
    #expect(record.status == .failed && record.signal == SIGKILL)
    #expect(record.note == "timed out after 5s; sent SIGTERM, then SIGKILL after --kill-after 2s")
    #expect(supervision.exitStatus(for: .signaled(SIGKILL)) == 124)
  }

  @Test("a child that obeys the timeout's TERM: 124, no KILL, and exit 0 still counts as FAILED")
  func timeoutObeyed() {
    var supervision = make(timeout: 5, killAfter: 2)
    _ = supervision.handle(.timePassed, at: 1005 * second)
    #expect(supervision.handle(.childExited(.exited(0)), at: 1006 * second) == [.signalGroup(SIGKILL), .finish(.exited(0))])
    #expect(supervision.record(for: .exited(0)).status == .failed)
    #expect(supervision.record(for: .exited(0)).note == "timed out after 5s; sent SIGTERM")
    #expect(supervision.exitStatus(for: .exited(0)) == 124)
  }

  @Test("a late wake does everything that is due at once")
  func lateWake() {
    var supervision = make(timeout: 5, killAfter: 2, heartbeat: 3)
    #expect(supervision.handle(.timePassed, at: 1010 * second) == [.signalGroup(SIGTERM), .signalGroup(SIGCONT), .heartbeat])
    #expect(supervision.handle(.timePassed, at: 1013 * second) == [.signalGroup(SIGKILL), .heartbeat])
  }

  @Test("the row names the first forwarded signal; the child's own exit is recorded as-is")
  func records() {
    var supervision = make()
    #expect(supervision.record(for: .exited(0)) == RunRecord(status: .finished, exitCode: 0))
    _ = supervision.handle(.signalReceived(SIGTERM), at: 0)
    _ = supervision.handle(.signalReceived(SIGINT), at: 0)
    let record = supervision.record(for: .exited(7))
    #expect(record.status == .failed && record.exitCode == 7)
    #expect(record.note == "cronlock received signal 15 and forwarded it to the command")
  }

  @Test("SIGKILL and SIGCONT themselves are not followed by another SIGCONT")
  func noContinueAfterKillOrContinue() {
    #expect(Supervision.delivering(SIGKILL) == [.signalGroup(SIGKILL)])
    #expect(Supervision.delivering(SIGCONT) == [.signalGroup(SIGCONT)])
    #expect(Supervision.delivering(SIGUSR1) == [.signalGroup(SIGUSR1), .signalGroup(SIGCONT)])
  }
}
