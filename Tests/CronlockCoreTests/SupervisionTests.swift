import Testing

@testable import CronlockCore

@Suite("supervision decisions")
struct SupervisionTests {
  @Test("signals are forwarded until the child exits; its outcome ends supervision")
  func forwardsThenFinishes() {
    var supervision = Supervision()
    #expect(supervision.handle(.signalReceived(15)) == .forward(15))
    #expect(supervision.handle(.signalReceived(2)) == .forward(2))
    #expect(supervision.handle(.childExited(.signaled(15))) == .finish(.signaled(15)))
    #expect(supervision.finished)
    #expect(supervision.handle(.signalReceived(1)) == nil, "nothing is sent to a group that is gone")
  }

  @Test("the row names the first forwarded signal; the child's own exit is recorded as-is")
  func records() {
    var supervision = Supervision()
    #expect(supervision.record(for: .exited(0)) == RunRecord(status: .finished, exitCode: 0))
    _ = supervision.handle(.signalReceived(15))
    _ = supervision.handle(.signalReceived(2))
    let record = supervision.record(for: .exited(7))
    #expect(record.status == .failed && record.exitCode == 7)
    #expect(record.note == "cronlock received signal 15 and forwarded it to the command")
  }
}
