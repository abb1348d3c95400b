import Testing

@testable import cronlock
import CronlockTestSupport

/// FastRunParser must agree with ArgumentParser wherever it answers, and answer for the shapes
/// crontabs use (or it is dead weight).
@Suite("the fast run parser agrees with ArgumentParser")
struct FastRunParserTests {
  static let common: [[String]] = [
    ["--job", "x", "--", "true"],
    ["run", "--job", "x", "--", "true"],
    ["-j", "x", "echo", "hi", "-v"],
    ["--job=x", "--precision=5m", "--", "/usr/local/bin/report", "--full"],
    ["--job", "x", "--precision", "1h30m", "-v", "--worker", "w1", "--skip-exit-code", "3", "--", "sh", "-c", "exit 0"],
    ["--job", "x", "--schedule", "*/5 * * * *", "--tz", "Europe/Berlin", "--max-late", "1m", "--", "true"],
    ["--job", "x", "--identifier", "pipeline-1", "--database", "postgresql://u@h/db", "--table", "ops.locks",
     "--connect-timeout", "3s", "--", "true"],
    ["--job", "x", "--identifier-zone", "local", "--max-skew", "10s", "true"],
    ["--job", "x", "--", "--job", "y"],
    ["--verbose", "--job", "x", "--", "-v"],
  ]

  static let declined: [[String]] = [
    [], ["--help"], ["-h"], ["--version"], ["migrate"], ["run", "--help"], ["--job", "x"], ["--job", "x", "--"],
    ["--job", "x", "--bogus", "--", "true"], ["--job", "x", "--job", "y", "--", "true"], ["-v", "-v", "--job", "x", "true"],
    ["--job", "x", "--precision", "0s", "--", "true"], ["--job", "x", "--precision", "1m", "--identifier", "i", "--", "true"],
    ["--job", "x", "--tz", "UTC", "--", "true"], ["--job", "x", "--skip-exit-code", "256", "--", "true"],
    ["--job", "x", "--skip-exit-code", "x", "--", "true"], ["--job", "x", "--identifier-zone", "mars", "--", "true"],
    ["--job"], ["--job", "--", "true"], ["-vj", "x", "true"], ["--job", "x", "--identifier", "i", "--max-late", "1m", "true"],
  ]

  @Test("common crontab shapes take the fast path and parse exactly as ArgumentParser does", arguments: common)
  func agreesOnCommonShapes(arguments: [String]) throws {
    let fast = try #require(FastRunParser.parse(arguments))
    let slow = try #require(try Cronlock.parseAsRoot(arguments) as? Cronlock.Run)
    #expect(fast == slow.arguments)
  }

  @Test("everything else is left to ArgumentParser", arguments: declined)
  func declines(arguments: [String]) {
    #expect(FastRunParser.parse(arguments) == nil)
  }
}
