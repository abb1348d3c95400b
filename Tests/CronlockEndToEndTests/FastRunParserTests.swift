import CronlockCore
import Foundation
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
    ["--job", "x", "--precision", "92000d", "--", "true"], ["--job", "x", "--heartbeat", "30000d", "--", "true"],
    ["--job", "x", "--lock-timeout", "30d", "--", "true"], ["--job", "x", "--precision", "1.5h", "--", "true"],
    ["--job", "x", "--no-overlap=yes", "--", "true"], ["-j=x", "true"],
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

  /// Options and values for the corpus: every option of the table, valid values at the edges
  /// of its range, and values just outside it.
  static func samples(_ option: OptionSpec) -> (valid: [String], invalid: [String]) {
    switch option.value {
    case .flag: return ([], [])
    case .text:
      let text = ["schedule": "*/5 * * * *", "tz": "Europe/Berlin", "database": "sqlite:/nonexistent/x.db",
                  "table": "ops.locks"][option.long] ?? "w-1"
      return ([text], [])
    case .duration(let range):
      return ([range.lowerBound.description, range.upperBound.description],
              [TimeSpan(nanoseconds: range.upperBound.nanoseconds + 1_000_000).description, "1.5h", "0s"])
    case .integer(let range):
      return (["\(range.lowerBound)", "\(range.upperBound)"], ["\(range.upperBound + 1)", "x"])
    case .size(let range):
      return (["\(range.lowerBound)B", ByteSize.description(range.upperBound), "64KiB"],
              ["\(range.upperBound + 1)", "0", "5KB", "1.5MiB", "-1"])
    case .choice(let choices): return (choices, ["bogus"])
    }
  }

  /// What an option needs beside it to be valid at all.
  static let partners: [String: [String]] = ["tz": ["--schedule", "@daily"], "kill-after": ["--timeout", "1h"]]

  /// Every option × `--opt v` / `--opt=v` / short × with and without `run` and `--` × the
  /// option groups in every rotation; `valid` says whether ArgumentParser must accept it.
  static func corpus() -> [(arguments: [String], valid: Bool)] {
    var cases: [(arguments: [String], valid: Bool)] = []
    for option in RunOptionTable.all {
      let (valid, invalid) = samples(option)
      var forms: [([String], Bool)] = []
      if option.takesValue {
        for (value, ok) in valid.map({ ($0, true) }) + invalid.map({ ($0, false) }) {
          forms.append(([option.flag, value], ok))
          forms.append(([option.flag + "=" + value], ok))
          if let short = option.short { forms.append((["-\(short)", value], ok)) }
        }
      } else {
        forms = option.spellings.map { ([$0], true) }
      }
      for (form, ok) in forms {
        var groups = [form] + (partners[option.long].map { [$0] } ?? [])
        if option.long != "job" { groups.append(["--job", "nightly"]) }
        // Out-of-range values need one shape each; valid ones every shape.
        for rotation in ok ? Array(groups.indices) : [0] {
          let options = Array((groups[rotation...] + groups[..<rotation]).joined())
          for prefix in ok ? [[], ["run"]] : [[]] {
            for separator in ok ? [["--"], []] : [["--"]] {
              cases.append((prefix + options + separator + ["echo", "hi"], ok))
            }
          }
        }
      }
    }
    return cases
  }

  @Test("a generated corpus of every option: the fast parser agrees with ArgumentParser or declines")
  func corpusAgrees() throws {
    let corpus = Self.corpus()
    #expect(corpus.count > 300)
    var answered = 0
    for (arguments, valid) in corpus {
      let fast = FastRunParser.parse(arguments)
      let slow = (try? Cronlock.parseAsRoot(arguments)) as? Cronlock.Run
      if valid {
        // Every valid shape of the corpus is one cron uses, so the fast path must take it.
        #expect(fast != nil, "fast parser declined \(arguments)")
        #expect(slow != nil, "ArgumentParser refused \(arguments)")
      } else {
        #expect(fast == nil, "fast parser accepted invalid \(arguments)")
        #expect(slow == nil, "ArgumentParser accepted invalid \(arguments)")
      }
      if let fast {
        answered += 1
        #expect(fast == slow?.arguments, "\(arguments)")
      }
    }
    #expect(answered > 0)
  }

  @Test("the fast parser's spellings and help text are ArgumentParser's own (--experimental-dump-help)")
  func optionSetsMatchDump() throws {
    let dump = Shell.run([CronlockBinary.path, "run", "--experimental-dump-help"])
    #expect(dump.status == 0)
    let json = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
    let command = try #require(json["command"] as? [String: Any])
    let arguments = try #require(command["arguments"] as? [[String: Any]])
    var spellings: Set<String> = []
    var abstracts: [String: String] = [:]
    var flags: Set<String> = []
    for argument in arguments where ["option", "flag"].contains(argument["kind"] as? String) {
      let names = (argument["names"] as? [[String: Any]] ?? []).map { name in
        ((name["kind"] as? String) == "short" ? "-" : "--") + (name["name"] as? String ?? "")
      }
      guard !names.contains("--help"), !names.contains("--version") else { continue }
      spellings.formUnion(names)
      if argument["kind"] as? String == "flag" { flags.formUnion(names) }
      for name in names { abstracts[name] = argument["abstract"] as? String }
    }
    #expect(spellings == FastRunParser.spellings)
    for option in RunOptionTable.all {
      #expect(abstracts[option.flag] == option.helpText, "\(option.flag)")
      #expect(flags.contains(option.flag) == !option.takesValue, "\(option.flag)")
    }
  }
}
