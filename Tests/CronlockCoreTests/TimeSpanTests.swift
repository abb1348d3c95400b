import Testing

@testable import CronlockCore

@Suite("durations")
struct TimeSpanTests {
  @Test("good durations parse to nanoseconds", arguments: [
    ("500ms", 500_000_000), ("30s", 30_000_000_000), ("5m", 300_000_000_000), ("1h", 3_600_000_000_000),
    ("1d", 86_400_000_000_000), ("1h30m", 5_400_000_000_000), ("1m30s", 90_000_000_000), ("1s500ms", 1_500_000_000),
    ("90m", 5_400_000_000_000),
  ] as [(String, Int64)])
  func parses(text: String, nanoseconds: Int64) throws {
    #expect(try TimeSpan(parsing: text).nanoseconds == nanoseconds)
  }

  @Test("bad durations are refused with a sentence naming the problem", arguments: [
    ("", "is empty"), ("0s", "greater than zero"), ("0m0s", "greater than zero"), ("-5m", "negative"),
    ("5", "needs a unit"), ("m", "not a number"), ("1.5h", "has a fraction; write 1h30m"), ("0.25s", "has a fraction; write 250ms"),
    ("1.0001ms", "has a fraction; write whole numbers"), ("1.5", "has a fraction; write whole numbers"), ("5x", "needs a unit"), ("5 m", "needs a unit"),
    ("99999999999999999999s", "too large"), ("200000d", "too large"), ("106751d23h47m16s855ms", "too large"),
  ])
  func refuses(text: String, problem: String) {
    #expect {
      try TimeSpan(parsing: text)
    } throws: { error in
      "\(error)".contains(problem) && "\(error)".contains("'\(text)'")
    }
  }

  @Test("the description parses back to the same value", arguments: ["500ms", "1h30m", "1d", "1s500ms", "7d", "2h3m4s5ms"])
  func roundTrips(text: String) throws {
    let span = try TimeSpan(parsing: text)
    #expect(span.description == text)
    #expect(try TimeSpan(parsing: span.description) == span)
  }

  @Test("libpq's connect_timeout takes whole seconds, at least 2")
  func secondsRoundedUp() throws {
    #expect(try TimeSpan(parsing: "500ms").secondsRoundedUp(minimum: 2) == 2)
    #expect(try TimeSpan(parsing: "2s1ms").secondsRoundedUp() == 3)
    #expect(try TimeSpan(parsing: "10s").secondsRoundedUp() == 10)
  }
}
