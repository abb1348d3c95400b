import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import CronlockCore

@Suite("exit statuses")
struct ExitStatusTests {
  @Test("waitpid statuses decode to exit codes and signals")
  func decodesWaitStatus() {
    #expect(ChildOutcome(waitStatus: 0) == .exited(0))
    #expect(ChildOutcome(waitStatus: 3 << 8) == .exited(3))
    #expect(ChildOutcome(waitStatus: 255 << 8) == .exited(255))
    #expect(ChildOutcome(waitStatus: 15) == .signaled(15))
    #expect(ChildOutcome(waitStatus: 11 | 0x80) == .signaled(11), "a core dump flag does not change the signal")
  }

  @Test("a child's outcome maps like a shell's: its code, or 128+N", arguments: [
    (ChildOutcome.exited(0), 0), (.exited(1), 1), (.exited(255), 255), (.signaled(9), 137), (.signaled(15), 143),
    (.signaled(11), 139),
  ] as [(ChildOutcome, Int32)])
  func childStatus(outcome: ChildOutcome, status: Int32) {
    #expect(ExitStatus.forChild(outcome) == status)
  }

  @Test("a command that cannot start: 127 when missing, 126 otherwise")
  func spawnFailures() {
    #expect(ExitStatus.forSpawnFailure(errno: ENOENT) == 127)
    #expect(ExitStatus.forSpawnFailure(errno: EACCES) == 126)
    #expect(ExitStatus.forSpawnFailure(errno: ENOEXEC) == 126)
  }

  @Test("the recorded status: FINISHED only for exit 0")
  func records() {
    #expect(RunRecord(child: .exited(0)) == RunRecord(status: .finished, exitCode: 0))
    #expect(RunRecord(child: .exited(2)) == RunRecord(status: .failed, exitCode: 2))
    #expect(RunRecord(child: .signaled(9)).status == .failed)
    #expect(RunRecord(child: .signaled(9)).signal == 9)
  }

  @Test("the documented table has every status design §6 names for this release")
  func summary() {
    #expect(ExitStatus.summary.map(\.status) == ["child's", "0", "1", "64", "65", "75", "78", "124", "125", "126", "127"])
  }
}
