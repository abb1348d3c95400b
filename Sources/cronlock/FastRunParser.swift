import CronlockCore

/// Reads the one shape cron runs every minute — `[run] OPTION... [--] COMMAND...` — without
/// ArgumentParser, whose reflection costs about 2 ms of every start (bench/RESULTS.md).
/// Anything else (help, other subcommands, a bad or repeated option, a value it cannot parse)
/// returns nil and ArgumentParser decides, so messages and exit codes are unchanged; a test
/// checks that both parsers agree wherever this one answers.
enum FastRunParser {
  static func parse(_ arguments: [String]) -> RunArguments? {
    var rest = arguments[...]
    if rest.first == "run" { rest = rest.dropFirst() }
    var values: [String: String] = [:]
    var flags: Set<String> = []
    while let argument = rest.first {
      if argument == "--" { rest = rest.dropFirst(); break }
      guard argument.hasPrefix("-") else { break }
      rest = rest.dropFirst()
      if let flag = flagOptions[argument] {
        guard flags.insert(flag).inserted else { return nil }
        continue
      }
      var name = argument == "-j" ? "--job" : argument
      var value: String
      if let equals = name.firstIndex(of: "="), name.hasPrefix("--") {
        value = String(name[name.index(after: equals)...])
        name = String(name[..<equals])
      } else {
        guard let next = rest.first, !next.hasPrefix("-") else { return nil }
        value = next
        rest = rest.dropFirst()
      }
      guard valueOptions.contains(name), values.updateValue(value, forKey: name) == nil else { return nil }
    }
    guard let job = values["--job"] else { return nil }
    var parsed = RunArguments(job: job, verbose: flags.contains("--verbose"), command: Array(rest))
    parsed.noOverlap = flags.contains("--no-overlap")
    parsed.schedule = values["--schedule"]
    parsed.tz = values["--tz"]
    parsed.identifier = values["--identifier"]
    parsed.worker = values["--worker"]
    parsed.connection.database = values["--database"]
    parsed.connection.table = values["--table"]
    do {
      parsed.precision = try values["--precision"].map { try TimeSpan(parsing: $0) }
      parsed.maxLate = try values["--max-late"].map { try TimeSpan(parsing: $0) }
      if let text = values["--max-skew"] { parsed.maxSkew = try TimeSpan(parsing: text) }
      if let text = values["--connect-timeout"] { parsed.connection.connectTimeout = try TimeSpan(parsing: text) }
      parsed.timeout = try values["--timeout"].map { try TimeSpan(parsing: $0) }
      parsed.killAfter = try values["--kill-after"].map { try TimeSpan(parsing: $0) }
      if let text = values["--heartbeat"] { parsed.heartbeat = try TimeSpan(parsing: text) }
      if let text = values["--lock-timeout"] { parsed.lockTimeout = try TimeSpan(parsing: text) }
      if let text = values["--finish-timeout"] { parsed.finishTimeout = try TimeSpan(parsing: text) }
    } catch {
      return nil
    }
    if let text = values["--skip-exit-code"] {
      guard let code = Int32(text) else { return nil }
      parsed.skipExitCode = code
    }
    if let text = values["--on-db-error"] {
      guard let policy = DatabaseErrorPolicy(rawValue: text) else { return nil }
      parsed.onDbError = policy
    }
    if let text = values["--identifier-zone"] {
      guard let zone = Cronlock.IdentifierZone(rawValue: text) else { return nil }
      parsed.identifierZone = zone
    }
    return parsed.problem == nil ? parsed : nil
  }

  /// Run's options that take a value, spelled as on the command line.
  static let valueOptions: Set<String> = [
    "--job", "--precision", "--schedule", "--tz", "--identifier", "--max-late", "--identifier-zone", "--max-skew",
    "--worker", "--skip-exit-code", "--database", "--table", "--connect-timeout", "--timeout", "--kill-after",
    "--heartbeat", "--on-db-error", "--lock-timeout", "--finish-timeout",
  ]

  /// Run's flags, by every spelling.
  static let flagOptions = ["-v": "--verbose", "--verbose": "--verbose", "--no-overlap": "--no-overlap"]
}
