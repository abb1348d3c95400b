import Testing

@testable import CronlockCore

/// A generator that always gives the same number, so pauses are exact.
private struct FixedRandom: RandomNumberGenerator {
  var value: UInt64
  mutating func next() -> UInt64 { value }
}

@Suite("retry decisions")
struct RetryDecisionTests {
  @Test("lost and final failures end at once; neither waits nor retries")
  func endings() {
    var decision = RetryDecision(budget: .seconds(10), doing: "claim the slot")
    #expect(decision.next(after: .lost, timeLeft: .seconds(10)) == .lost)
    let configuration = CronlockError.configuration("table t does not exist; run 'cronlock migrate'")
    #expect(decision.next(after: .final(configuration), timeLeft: .seconds(10)) == .fail(configuration))
  }

  @Test("transient failures retry with pauses that grow to a second, each within ±50 %")
  func pausesGrow() {
    var decision = RetryDecision(budget: .seconds(60), doing: "claim the slot")
    // The highest draw (a constant 0 would loop in the standard library's rejection sampling).
    var high = FixedRandom(value: .max)
    var pauses: [TimeSpan] = []
    for _ in 0..<6 {
      guard case .retry(let pause, _) = decision.next(after: .transient("refused", mayHaveCommitted: false),
                                                      timeLeft: .seconds(60), using: &high) else {
        Issue.record("expected a retry")
        return
      }
      pauses.append(pause)
    }
    // With the highest jitter each pause is one and a half steps: 100 ms, 200, 400, 800, then 1 s.
    #expect(pauses.map(\.milliseconds) == [150, 300, 600, 1200, 1500, 1500])
  }

  @Test("once an attempt may have committed, every later attempt reads the row back first")
  func readBackIsSticky() {
    var decision = RetryDecision(budget: .seconds(10), doing: "claim the slot")
    guard case .retry(_, let first) = decision.next(after: .transient("refused", mayHaveCommitted: false),
                                                    timeLeft: .seconds(9)) else {
      Issue.record("expected a retry")
      return
    }
    #expect(!first, "nothing was sent yet, so there is nothing to read back")
    _ = decision.next(after: .transient("connection lost after the INSERT", mayHaveCommitted: true), timeLeft: .seconds(8))
    #expect(decision.readBackFirst)
    guard case .retry(_, let readBack) = decision.next(after: .transient("refused", mayHaveCommitted: false),
                                                       timeLeft: .seconds(7)) else {
      Issue.record("expected a retry")
      return
    }
    #expect(readBack)
  }

  @Test("a budget too short for the next pause gives up with 75, naming the budget and the last problem")
  func givesUp() {
    var decision = RetryDecision(budget: .seconds(3), doing: "claim the slot")
    let step = decision.next(after: .transient("connection refused", mayHaveCommitted: false), timeLeft: .milliseconds(10))
    guard case .fail(let error) = step else {
      Issue.record("expected to give up, got \(step)")
      return
    }
    #expect(error.code == .unavailable && error.status == 75)
    #expect(error.message == "cannot claim the slot: gave up after --connect-timeout 3s: connection refused")
    #expect(decision.attempts == 1)
  }
}
