import CronlockCore
import CronlockTestSupport
import Foundation
import Testing

@testable import cronlock

/// What a newcomer meets first: help that renders, mistakes that are named, options that say
/// their range. None of these needs a server.
@Suite("help and usage errors")
struct UsageTests {
  /// The binary with nothing of the test runner's environment, and no server.
  func cronlock(_ arguments: [String], environment: [String: String] = [:]) -> ProcessResult {
    Shell.run([CronlockBinary.path] + arguments,
              environment: ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "LANG": "C.UTF-8"]
                .merging(environment) { $1 })
  }

  /// A one-line usage error: 64, nothing on stdout, one `cronlock: ` line on stderr.
  func expectUsageError(_ result: ProcessResult, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(result.status == 64, "\(result.stderr)", sourceLocation: sourceLocation)
    #expect(result.stdout.isEmpty, sourceLocation: sourceLocation)
    #expect(result.stderr.hasPrefix("cronlock: ") && result.stderr.split(separator: "\n").count == 1,
            "\(result.stderr)", sourceLocation: sourceLocation)
    #expect(result.stderr.contains(message), "\(result.stderr)", sourceLocation: sourceLocation)
  }

  @Test("every subcommand's help renders: no \\( left, no line ending in a backslash, within 80 columns",
        arguments: [[], ["run"], ["migrate"], ["list"], ["purge"], ["check"]])
  func helpRenders(subcommand: [String]) {
    let help = cronlock(subcommand + ["--help"])
    #expect(help.status == 0)
    #expect(!help.stdout.contains("\\("), "an interpolation was not made")
    let lines = help.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count > 10)
    for line in lines {
      #expect(!line.hasSuffix("\\"), "a stray line continuation: \(line)")
      #expect(line.count <= 80, "\(line)")
    }
  }

  @Test("run --help shows the exit status table, every row, each within 80 columns")
  func runHelpHasExitStatus() {
    let help = cronlock(["run", "--help"]).stdout
    #expect(help.contains("EXIT STATUS:"))
    for row in ExitStatus.summary {
      #expect(help.contains("\n  \(row.status) "), "exit status \(row.status)")
    }
    #expect(help.contains("           (--skip-exit-code)"), "a long meaning wraps under its own column")
  }

  @Test("help names sqlite: beside PostgreSQL, and says where each subcommand's options are")
  func helpMentionsSQLite() {
    let root = cronlock(["--help"]).stdout
    #expect(root.contains("sqlite:PATH"))
    #expect(root.contains("cronlock run --help"))
    #expect(cronlock(["run", "--help"]).stdout.contains("sqlite:PATH"))
  }

  @Test("help shows every duration and number option's range and default, from the one table")
  func helpShowsRanges() {
    let help = cronlock(["run", "--help"]).stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
      .joined(separator: " ")
    for option in RunOptionTable.all {
      if let range = option.rangeText { #expect(help.contains(range), "\(option.flag): \(range)") }
      if let defaultText = option.defaultText { #expect(help.contains("default: \(defaultText)"), "\(option.flag)") }
    }
  }

  @Test("a typo'd subcommand is named, with the nearest match", arguments: [
    ("lsit", "list"), ("migrte", "migrate"), ("chek", "check"), ("List", "list"), ("prge", "purge"), ("rnu", "run"),
  ])
  func typo(word: String, match: String) {
    expectUsageError(cronlock([word]), "unknown subcommand '\(word)'; did you mean '\(match)'?")
    expectUsageError(cronlock([word, "--job", "x"]), "unknown subcommand '\(word)'")
  }

  @Test("a word nothing like a subcommand is still named as one, with the list")
  func unknownWord() {
    expectUsageError(cronlock(["frobnicate"]), "unknown subcommand 'frobnicate'; subcommands: run, migrate, list, show, status, metrics, purge, check")
  }

  @Test("options before the subcommand get a message saying where they go, without their values")
  func optionsBeforeSubcommand() {
    let result = cronlock(["--database", "postgresql://u:secret@h/db", "--table", "t", "list", "--limit", "5"])
    expectUsageError(result, "options go after the subcommand: cronlock list --database <url> --table <name>")
    #expect(!result.stderr.contains("secret"))
    expectUsageError(cronlock(["-v", "migrate"]), "options go after the subcommand: cronlock migrate -v")
    expectUsageError(cronlock(["--connect-timeout=3s", "check"]), "cronlock check --connect-timeout <duration>")
  }

  @Test("cronlock alone prints a short usage naming the subcommands, on stderr, exit 64")
  func bare() {
    let result = cronlock([])
    expectUsageError(result, "usage: cronlock [run] --job NAME")
    for subcommand in CommandLineGuide.subcommands where subcommand != "run" {
      #expect(result.stderr.contains(subcommand))
    }
  }

  @Test("usage hints point to the subcommand's own help, which documents the option")
  func hintsPointToSubcommandHelp() {
    expectUsageError(cronlock(["list", "--bogus"]), "(see 'cronlock list --help')")
    expectUsageError(cronlock(["purge"]), "(see 'cronlock purge --help')")
    expectUsageError(cronlock(["--precision", "5m", "--", "true"]), "Missing expected argument '--job <name>' (see 'cronlock run --help')")
    #expect(cronlock(["purge", "--help"]).stdout.contains("--ttl"))
    #expect(cronlock(["list", "--help"]).stdout.contains("--limit"))
    #expect(cronlock(["run", "--help"]).stdout.contains("--job"))
  }

  @Test("a command named like a subcommand still runs after --job: the guide leaves runs alone")
  func commandNamedLikeSubcommand() {
    #expect(CommandLineGuide.mistake(in: ["--job", "x", "list"]) == nil)
    #expect(CommandLineGuide.mistake(in: ["-v", "--job", "x", "--", "check"]) == nil)
    #expect(CommandLineGuide.mistake(in: ["--database", "sqlite:x", "--job", "x", "lsit"]) == nil)
    #expect(CommandLineGuide.mistake(in: ["help", "list"]) == nil)
    #expect(CommandLineGuide.mistake(in: ["list", "--job", "x"]) == nil)
  }

  @Test("the guide's subcommands are ArgumentParser's")
  func subcommandsMatch() {
    #expect(Cronlock.configuration.subcommands.map { $0._commandName } == CommandLineGuide.subcommands)
  }

  /// Every duration and number option just past each end of its range, on each subcommand.
  static let outOfRange: [[String]] = {
    var cases: [[String]] = []
    for option in RunOptionTable.all {
      let values: [String]
      switch option.value {
      case .duration(let range):
        values = [TimeSpan(nanoseconds: range.upperBound.nanoseconds + 1_000_000).description]
          + (range.lowerBound > .milliseconds(1) ? [TimeSpan(nanoseconds: range.lowerBound.nanoseconds - 1_000_000).description] : [])
      case .integer(let range): values = ["\(range.lowerBound - 1)", "\(range.upperBound + 1)"]
      case .size(let range): values = ["\(range.lowerBound - 1)", "\(range.upperBound + 1)B"]
      default: continue
      }
      let partner = option.long == "kill-after" ? ["--timeout", "1h"] : []
      cases += values.map { ["--job", "x", option.flag, $0] + partner + ["--", "true"] }
    }
    for (subcommand, option) in [("list", SubcommandOptionTable.since), ("list", SubcommandOptionTable.limit),
                                 ("purge", SubcommandOptionTable.ttl), ("purge", SubcommandOptionTable.staleAfter),
                                 ("check", SubcommandOptionTable.checkMaxSkew), ("list", RunOptionTable.connectTimeout),
                                 ("migrate", RunOptionTable.connectTimeout), ("status", SubcommandOptionTable.window),
                                 ("status", SubcommandOptionTable.grace)] {
      let value: String
      switch option.value {
      case .duration(let range): value = TimeSpan(nanoseconds: range.upperBound.nanoseconds + 1_000_000).description
      case .integer(let range): value = "\(range.upperBound + 1)"
      default: continue
      }
      cases.append([subcommand, option.flag, value] + (subcommand == "purge" && option.long != "ttl" ? ["--ttl", "1d"] : []))
    }
    return cases
  }()

  @Test("a duration or number past its range is refused when parsed: 64, one line naming the range",
        arguments: outOfRange)
  func outOfRangeRefused(arguments: [String]) {
    let result = cronlock(arguments, environment: ["CRONLOCK_DATABASE_URL": "sqlite:/nonexistent/x.db"])
    expectUsageError(result, "is out of range: it takes ")
  }

  @Test("values that used to crash or be accepted are refused", arguments: [
    (["--precision", "92000d"], "--precision 92000d is out of range: it takes 1ms to 366d"),
    (["--heartbeat", "30000d"], "--heartbeat 30000d is out of range: it takes 1s to 1d"),
    (["--lock-timeout", "30d"], "--lock-timeout 30d is out of range: it takes 1ms to 1h"),
    (["--connect-timeout", "2h"], "--connect-timeout 2h is out of range: it takes 1ms to 1h"),
    (["--skip-exit-code", "-1"], "--skip-exit-code -1 is out of range: it takes 0 to 255"),
    (["--skip-exit-code", "99999999999"], "'99999999999' is out of range"),
    (["--precision", "1.5h"], "duration '1.5h' has a fraction; write 1h30m"),
    (["--precision", "-5m"], "duration '-5m' is negative"),
    (["--timeout", "--verbose"], "'--verbose' is an option, not a duration"),
  ])
  func formerlyAccepted(option: [String], message: String) {
    let result = cronlock(["--job", "x"] + option + ["--", "true"], environment: ["CRONLOCK_DATABASE_URL": "sqlite:/nonexistent/x.db"])
    expectUsageError(result, message)
  }

  @Test("every option at the ends of its range runs, and the command with it (SQLite: no server)")
  func edgesRun() throws {
    let scratch = Scratch()
    let url = "sqlite:" + scratch.path("locks.db")
    let longest = ["--precision", "366d", "--max-late", "366d", "--timeout", "366d", "--kill-after", "1d",
                   "--heartbeat", "1d", "--lock-timeout", "1h", "--finish-timeout", "1d", "--connect-timeout", "1h",
                   "--max-skew", "36600d", "--skip-exit-code", "255"]
    let shortest = ["--precision", "1ms", "--max-late", "1ms", "--timeout", "1h", "--kill-after", "1ms",
                    "--heartbeat", "1s", "--lock-timeout", "1ms", "--finish-timeout", "1ms", "--connect-timeout", "1s",
                    "--max-skew", "1ms", "--skip-exit-code", "0"]
    for (job, options) in [("longest", longest), ("shortest", shortest)] {
      let result = cronlock(["--database", url, "--job", job] + options + ["--"] + scratch.markingChild)
      #expect(result.status == 0, "\(job): \(result.stderr)")
    }
    #expect(scratch.markerLines.count == 2)
    let again = cronlock(["--database", url, "--job", "longest"] + longest + ["--"] + scratch.markingChild)
    #expect(again.status == 255, "the 366-day slot is taken: the skip code")
    #expect(cronlock(["list", "--database", url, "--since", "36600d", "--limit", "1000000"]).status == 0)
    #expect(cronlock(["purge", "--database", url, "--ttl", "36600d", "--stale-after", "36600d", "--dry-run"]).status == 0)
    #expect(cronlock(["check", "--database", url, "--max-skew", "36600d"]).status == 0)
  }

  @Test("a file path without sqlite: is named as one (78), not libpq's 'missing \"=\"'")
  func pathWithoutScheme() {
    let scratch = Scratch()
    let path = scratch.path("cronlock.db")
    let run = cronlock(["--database", path, "--job", "x", "--", "true"])
    #expect(run.status == 78)
    #expect(run.stderr.contains("--database names a file, but only an sqlite: URL selects SQLite; write sqlite:\(path)"),
            "\(run.stderr)")
    #expect(!run.stderr.contains("missing \"=\""))
    let list = cronlock(["list"], environment: ["CRONLOCK_DATABASE_URL": "locks.db"])
    #expect(list.status == 78 && list.stderr.contains("CRONLOCK_DATABASE_URL names a file"), "\(list.stderr)")
    let credentials = cronlock(["check", "--database", "u:secret@h/db"])
    #expect(credentials.status == 78 && !credentials.stderr.contains("secret"), "\(credentials.stderr)")
    #expect(credentials.stderr.contains("is not a postgresql:// URI, a key=value string or sqlite:PATH"))
  }
}
