import CronlockCore
import Foundation
import Testing
import CronlockTestSupport

@testable import cronlock

/// --log-format json and CRONLOCK_LOG_FORMAT: every one of cronlock's stderr lines one JSON
/// object, the same lines as text (quiet by default), the flag over the variable.
@Suite("--log-format, end to end")
struct LogFormatTests {
  /// Every stderr line parsed as one JSON object; a line that is not one fails the test.
  static func objects(_ stderr: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
    #expect(stderr.isEmpty || stderr.hasSuffix("\n"), sourceLocation: sourceLocation)
    return try stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { line in
      let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
      return try #require(object as? [String: Any], "not an object: \(line)", sourceLocation: sourceLocation)
    }
  }

  /// time, level, event and message always; job, slot and run_id only when known.
  static func checkShape(_ object: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) {
    let time = object["time"] as? String ?? ""
    #expect(time.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(time)", sourceLocation: sourceLocation)
    #expect(["error", "warning", "info"].contains(object["level"] as? String ?? ""), sourceLocation: sourceLocation)
    let event = object["event"] as? String ?? ""
    #expect(event.wholeMatch(of: /[a-z]+(_[a-z]+)*/) != nil, "\(event)", sourceLocation: sourceLocation)
    let message = object["message"] as? String ?? ""
    #expect(!message.isEmpty && !message.hasPrefix("cronlock:"), sourceLocation: sourceLocation)
    let allowed: Set = ["time", "level", "job", "slot", "run_id", "event", "message"]
    #expect(Set(object.keys).isSubset(of: allowed), "\(object.keys)", sourceLocation: sourceLocation)
  }

  @Test("a verbose win: claimed, then recorded, with job, slot and run id", arguments: Backend.allCases)
  func win(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let result = database.run(["-v", "--log-format", "json", "--job", "j\"x", "--identifier", "s1", "--", "true"])
    #expect(result.status == 0)
    let lines = try Self.objects(result.stderr)
    lines.forEach { Self.checkShape($0) }
    let runID = try #require(try database.query("SELECT id FROM \(database.table)").first?[0] ?? nil)
    #expect(lines.map { $0["event"] as? String } == ["claimed", "recorded"])
    for line in lines {
      #expect(line["job"] as? String == "j\"x")
      #expect(line["slot"] as? String == "s1")
      #expect((line["run_id"] as? NSNumber)?.int64Value == Int64(runID))
      #expect(line["level"] as? String == "info")
    }
    #expect(lines.map { $0["message"] as? String } == ["claimed as run \(runID)", "run \(runID) recorded as FINISHED"])
  }

  @Test("the same lines as text, in the same order: json changes the shape, not which lines appear",
        arguments: Backend.allCases, [false, true])
  func sameLinesAsText(backend: Backend, verbose: Bool) throws {
    let database = try TestDatabase.fresh(backend)
    let common = (verbose ? ["-v"] : []) + ["--timeout", "100ms", "--kill-after", "100ms", "--on-failure", "exit 2"]
    let command = ["--", "/bin/sh", "-c", "trap '' TERM; sleep 5"]
    let text = database.run(common + ["--job", "a", "--identifier", "one"] + command)
    let json = database.run(common + ["--log-format", "json", "--job", "a", "--identifier", "two"] + command)
    #expect(text.status == 124 && json.status == 124)
    let objects = try Self.objects(json.stderr)
    objects.forEach { Self.checkShape($0) }
    // The text line is the json message after `cronlock: `, the job and the slot.
    let rebuilt = objects.map { object in
      "cronlock: job 'a' slot 'two': " + (object["level"] as? String == "warning" ? "warning: " : "")
        + (object["message"] as? String ?? "")
    }
    let textLines = text.stderr.split(separator: "\n").map { $0.replacingOccurrences(of: "slot 'one'", with: "slot 'two'") }
    let runIDs = try database.query("SELECT id FROM \(database.table) ORDER BY id").map { $0[0]! }
    #expect(rebuilt == textLines.map { $0.replacingOccurrences(of: "run \(runIDs[0])", with: "run \(runIDs[1])") })
    let events = objects.map { $0["event"] as? String ?? "" }
    #expect(events == (verbose ? ["claimed", "timed_out", "recorded", "hook_failed"] : ["timed_out", "hook_failed"]))
    let levels = objects.map { $0["level"] as? String ?? "" }
    #expect(levels == (verbose ? ["info", "error", "info", "error"] : ["error", "error"]))
  }

  @Test("a lost slot: one info line with job and slot, no run id", arguments: Backend.allCases)
  func lost(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    #expect(database.run(["--job", "j", "--identifier", "s", "--", "true"]).status == 0)
    let quiet = database.run(["--log-format", "json", "--job", "j", "--identifier", "s", "--", "true"])
    #expect(quiet.stderr.isEmpty, "still quiet by default")
    let result = database.run(["--log-format", "json", "-v", "--job", "j", "--identifier", "s", "--", "true"])
    let lines = try Self.objects(result.stderr)
    #expect(lines.count == 1)
    let line = try #require(lines.first)
    Self.checkShape(line)
    #expect(line["event"] as? String == "lost" && line["job"] as? String == "j" && line["slot"] as? String == "s")
    #expect(line["run_id"] == nil)
  }

  @Test("CRONLOCK_LOG_FORMAT sets the format; --log-format wins over it")
  func precedence() throws {
    let database = try TestDatabase.fresh(.sqlite)
    let fromEnvironment = database.run(["-v", "--job", "p", "--identifier", "1", "--", "true"],
                                       environment: ["CRONLOCK_LOG_FORMAT": "json"])
    #expect(try Self.objects(fromEnvironment.stderr).count == 2)
    let flagWins = database.run(["-v", "--log-format", "text", "--job", "p", "--identifier", "2", "--", "true"],
                                environment: ["CRONLOCK_LOG_FORMAT": "json"])
    #expect(flagWins.stderr.hasPrefix("cronlock: job 'p' slot '2': claimed as run "))
    let overBadVariable = database.run(["-v", "--log-format=json", "--job", "p", "--identifier", "3", "--", "true"],
                                       environment: ["CRONLOCK_LOG_FORMAT": "xml"])
    #expect(overBadVariable.status == 0)
    #expect(try Self.objects(overBadVariable.stderr).count == 2)
    let empty = database.run(["-v", "--job", "p", "--identifier", "4", "--", "true"],
                             environment: ["CRONLOCK_LOG_FORMAT": ""])
    #expect(empty.status == 0 && empty.stderr.hasPrefix("cronlock: job 'p' slot '4': "), "empty is unset")
  }

  @Test("an invalid value is a usage error naming where it came from",
        arguments: [
          (["run", "--job", "x"], ["CRONLOCK_LOG_FORMAT": "xml"], "CRONLOCK_LOG_FORMAT 'xml' is not one of text, json"),
          (["run", "--job", "x", "--log-format", "xml"], [:], "--log-format"),
          (["list"], ["CRONLOCK_LOG_FORMAT": "JSON"], "CRONLOCK_LOG_FORMAT 'JSON' is not one of text, json"),
          (["purge", "--ttl", "30d", "--log-format", "yaml"], [:], "--log-format"),
          (["migrate"], ["CRONLOCK_LOG_FORMAT": "xml"], "CRONLOCK_LOG_FORMAT"),
          (["check", "--log-format=", "--max-skew", "1s"], [:], "--log-format"),
        ] as [([String], [String: String], String)])
  func invalid(arguments: [String], environment: [String: String], named: String) {
    let command = arguments.first == "run" ? arguments + ["--", "true"] : arguments
    let result = CronlockBinary.run(command + ["--database", "sqlite:/nonexistent/x.db"], environment: environment)
    #expect(result.status == 64)
    #expect(result.stderr.hasPrefix("cronlock: ") && result.stderr.contains(named), "\(result.stderr)")
    #expect(result.stderr.split(separator: "\n").count == 1)
  }

  @Test("every subcommand takes it: migrate and purge say what they did as json, failures are json too")
  func otherSubcommands() throws {
    let database = try TestDatabase.fresh(.sqlite, migrated: false)
    let migrate = database.run(["migrate", "-v", "--log-format", "json"])
    #expect(migrate.status == 0)
    let migrated = try Self.objects(migrate.stderr)
    migrated.forEach { Self.checkShape($0) }
    #expect(!migrated.isEmpty && migrated.allSatisfy { $0["event"] as? String == "migrated" })
    #expect(migrated.first?["job"] == nil)
    let purge = database.run(["purge", "--ttl", "30d", "-v"], environment: ["CRONLOCK_LOG_FORMAT": "json"])
    #expect(purge.status == 0)
    #expect(try Self.objects(purge.stderr).map { $0["event"] as? String } == ["purged"])
    let list = CronlockBinary.run(["list", "--log-format", "json", "--database", "sqlite:/nonexistent/dir/x.db"])
    #expect(list.status == 78)
    let failure = try #require(try Self.objects(list.stderr).first)
    Self.checkShape(failure)
    #expect(failure["level"] as? String == "error" && failure["event"] as? String == "configuration")
    let check = CronlockBinary.run(["check", "--database", "postgresql://cronlock@127.0.0.1:1/none", "--connect-timeout", "1s"],
                                   environment: ["CRONLOCK_LOG_FORMAT": "json"])
    #expect(check.status == 75)
    #expect(try Self.objects(check.stderr).map { $0["event"] as? String } == ["unavailable"])
  }

  @Test("argument mistakes are json once the format is known from the flag or the variable")
  func usageErrors() throws {
    let misspelt = CronlockBinary.run(["lsit"], environment: ["CRONLOCK_LOG_FORMAT": "json"])
    #expect(misspelt.status == 64)
    let line = try #require(try Self.objects(misspelt.stderr).first)
    Self.checkShape(line)
    #expect(line["event"] as? String == "usage_error")
    #expect((line["message"] as? String)?.contains("did you mean 'list'?") == true)
    let badOption = CronlockBinary.run(["run", "--log-format", "json", "--job", "x", "--precision", "0s", "--", "true"])
    #expect(badOption.status == 64)
    #expect(try Self.objects(badOption.stderr).first?["event"] as? String == "usage_error")
    let text = CronlockBinary.run(["lsit"])
    #expect(text.stderr == "cronlock: unknown subcommand 'lsit'; did you mean 'list'? (see 'cronlock --help')\n")
  }

  @Test("the format for a message about arguments that did not parse",
        arguments: [
          (["--log-format", "json", "lsit"], nil, LogFormat.json), (["--log-format=json"], "text", .json),
          (["--log-format", "xml"], "json", .text), (["--job", "x"], "json", .json), (["--job", "x"], nil, .text),
          (["--job", "x", "--", "--log-format", "json"], nil, .text), (["--log-format"], "json", .text),
          (["--log-format", "json", "--log-format", "text"], nil, .text),
        ] as [([String], String?, LogFormat)])
  func knownFormat(arguments: [String], variable: String?, expected: LogFormat) {
    #expect(LogSettings.known(in: arguments, variable: variable) == expected)
  }
}
