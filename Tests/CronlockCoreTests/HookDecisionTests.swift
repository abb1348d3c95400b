import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import CronlockCore

@Suite("hook decisions")
struct HookDecisionTests {
  let second: Int64 = 1_000_000_000

  func hookSupervision() -> Supervision {
    Supervision(policy: .init(timeout: .seconds(10), killAfter: Hooks.killAfter, heartbeat: .seconds(30),
                              endsOnSignal: true), startedAt: 1000 * second)
  }

  @Test("a signal ends a hook like its timeout: SIGTERM and SIGCONT once, SIGKILL after the grace")
  func signalEndsHook() {
    var supervision = hookSupervision()
    #expect(supervision.handle(.signalReceived(SIGUSR1), at: 1001 * second) == [.signalGroup(SIGTERM), .signalGroup(SIGCONT)])
    #expect(supervision.handle(.signalReceived(SIGINT), at: 1001 * second).isEmpty, "already ending")
    #expect(supervision.nextWake == 1002 * second)
    #expect(supervision.handle(.timePassed, at: 1002 * second) == [.signalGroup(SIGKILL)])
    #expect(supervision.handle(.childExited(.signaled(SIGKILL)), at: 1002 * second)
      == [.signalGroup(SIGKILL), .finish(.signaled(SIGKILL))])
    #expect(HookResult(.signaled(SIGKILL), supervision) == .stopped(SIGUSR1))
  }

  @Test("the command's supervision still forwards every signal")
  func commandUnchanged() {
    var supervision = Supervision(policy: .init(), startedAt: 0)
    #expect(supervision.handle(.signalReceived(SIGUSR1), at: 1) == [.signalGroup(SIGUSR1), .signalGroup(SIGCONT)])
    #expect(supervision.timedOutAt == nil)
  }

  @Test("how a hook ended", arguments: [
    (ChildOutcome.exited(0), HookResult.succeeded), (.exited(3), .exited(3)), (.signaled(SIGSEGV), .signaled(SIGSEGV)),
  ])
  func results(outcome: ChildOutcome, expected: HookResult) {
    #expect(HookResult(outcome, hookSupervision()) == expected)
  }

  @Test("a timed-out hook, and the lines each result makes")
  func timeoutAndReports() {
    var supervision = hookSupervision()
    _ = supervision.handle(.timePassed, at: 1010 * second)
    #expect(HookResult(.signaled(SIGTERM), supervision) == .timedOut(killed: false))
    _ = supervision.handle(.timePassed, at: 1011 * second)
    #expect(HookResult(.signaled(SIGKILL), supervision) == .timedOut(killed: true))
    let timeout = TimeSpan.seconds(10)
    #expect(HookResult.timedOut(killed: true).report(.start, timeout: timeout).message
      == "the --on-start hook timed out after --hook-timeout 10s; sent SIGTERM, then SIGKILL after 1s")
    #expect(HookResult.exited(2).report(.failure, timeout: timeout).level == .error)
    #expect(HookResult.exited(2).report(.failure, timeout: timeout).event == .hookFailed)
    #expect(HookResult.succeeded.report(.success, timeout: timeout).level == .info)
    #expect(HookResult.stopped(SIGTERM).report(.success, timeout: timeout).event == .hookStopped)
    #expect(HookResult.cannotStart("No such file or directory").report(.start, timeout: timeout).message
      == "cannot run the --on-start hook: No such file or directory")
  }

  @Test("FINISHED picks --on-success; every other outcome --on-failure")
  func choice() {
    let hooks = Hooks(onSuccess: "ok", onFailure: "bad")
    #expect(hooks.after(.finished)?.0 == .success && hooks.after(.finished)?.1 == "ok")
    #expect(hooks.after(.failed)?.0 == .failure)
    #expect(Hooks(onFailure: "bad").after(.finished) == nil)
  }

  @Test("the outcome replaces inherited CRONLOCK_STATUS, _EXIT_CODE and _DURATION_MS")
  func environment() {
    let child = ["PATH=/bin", "CRONLOCK_STATUS=stale", "CRONLOCK_EXIT_CODE=9", "CRONLOCK_JOB=j"].map { Array($0.utf8CString) }
    let text = { (entries: [[CChar]]) in entries.map { String(decoding: $0.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self) } }
    #expect(text(HookEnvironment.make(child: child, status: .running))
      == ["PATH=/bin", "CRONLOCK_JOB=j", "CRONLOCK_STATUS=RUNNING"])
    #expect(text(HookEnvironment.make(child: child, status: .failed, exitStatus: 124, duration: .milliseconds(1500)))
      == ["PATH=/bin", "CRONLOCK_JOB=j", "CRONLOCK_STATUS=FAILED", "CRONLOCK_EXIT_CODE=124", "CRONLOCK_DURATION_MS=1500"])
  }
}
