import CronlockCore

/// Reads the one shape cron runs every minute — `[run] OPTION... [--] COMMAND...` — without
/// ArgumentParser, whose reflection costs milliseconds of every start (bench/RESULTS.md).
/// Anything else (help, other subcommands, a bad or repeated option, a value it cannot parse)
/// returns nil and ArgumentParser decides, so messages and exit codes are unchanged. Its
/// spellings come from `RunOptionTable`; a test checks them against ArgumentParser's own
/// dump, and that both parsers agree wherever this one answers.
enum FastRunParser {
  static func parse(_ arguments: [String]) -> RunArguments? {
    var rest = arguments[...]
    if rest.first == "run" { rest = rest.dropFirst() }
    var parsed = RunArguments(job: "", command: [])
    // An array, not a Set: a handful of names, and the first Set of a process costs more than
    // the whole parse (its hashing seed and generic metadata, 0.2 M instructions).
    var seen: [String] = []
    while let argument = rest.first {
      if argument == "--" { rest = rest.dropFirst(); break }
      guard argument.hasPrefix("-") else { break }
      rest = rest.dropFirst()
      var spelling = argument
      var value: String?
      if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
        spelling = String(argument[..<equals])
        value = String(argument[argument.index(after: equals)...])
      }
      guard let option = option(spelled: spelling), !seen.contains(option.long) else { return nil }
      seen.append(option.long)
      if option.takesValue {
        if value == nil {
          guard let next = rest.first, !next.hasPrefix("-") else { return nil }
          value = next
          rest = rest.dropFirst()
        }
      } else if value != nil {
        return nil
      }
      guard parsed.set(option, to: value ?? "") else { return nil }
    }
    guard seen.contains(RunOptionTable.job.long) else { return nil }
    parsed.command = Array(rest)
    return parsed.problem == nil ? parsed : nil
  }

  /// The option `spelling` names (`--job`, `-j`), found by comparing: a dictionary of the
  /// spellings cost more to build at every start (0.4 M instructions, its generic metadata
  /// instantiated from mangled names) than the thirty comparisons an argument takes.
  static func option(spelled spelling: String) -> OptionSpec? {
    if spelling.hasPrefix("--") {
      let name = spelling.dropFirst(2)
      return RunOptionTable.all.first { $0.long[...] == name }
    }
    guard spelling.count == 2, spelling.hasPrefix("-"), let short = spelling.last else { return nil }
    return RunOptionTable.all.first { $0.short == short }
  }

  /// Every spelling it reads, e.g. `-j` and `--job`.
  static var spellings: Set<String> { Set(RunOptionTable.all.flatMap(\.spellings)) }
}

extension RunArguments {
  /// Stores one option's value as ArgumentParser would; false when the value does not parse
  /// (the caller then leaves the arguments to ArgumentParser and its message).
  mutating func set(_ option: OptionSpec, to text: String) -> Bool {
    func duration() -> TimeSpan? { try? TimeSpan(parsing: text) }
    let table = RunOptionTable.self
    switch option.long {
    case table.job.long: job = text
    case table.precision.long: guard let span = duration() else { return false }; precision = span
    case table.schedule.long: schedule = text
    case table.tz.long: tz = text
    case table.identifier.long: identifier = text
    case table.maxLate.long: guard let span = duration() else { return false }; maxLate = span
    case table.splay.long: guard let span = duration() else { return false }; splay = span
    case table.identifierZone.long:
      guard let zone = Cronlock.IdentifierZone(rawValue: text) else { return false }
      identifierZone = zone
    case table.maxSkew.long: guard let span = duration() else { return false }; maxSkew = span
    case table.timeout.long: guard let span = duration() else { return false }; timeout = span
    case table.killAfter.long: guard let span = duration() else { return false }; killAfter = span
    case table.heartbeat.long: guard let span = duration() else { return false }; heartbeat = span
    case table.noOverlap.long: noOverlap = true
    case table.onDbError.long:
      guard let policy = DatabaseErrorPolicy(rawValue: text) else { return false }
      onDbError = policy
    case table.lockTimeout.long: guard let span = duration() else { return false }; lockTimeout = span
    case table.finishTimeout.long: guard let span = duration() else { return false }; finishTimeout = span
    case table.worker.long: worker = text
    case table.skipExitCode.long: guard let code = Int32(text) else { return false }; skipExitCode = code
    case table.captureOutput.long:
      guard case .success(let bytes) = ByteSize.parse(text) else { return false }
      captureOutput = bytes
    case table.verbose.long: verbose = true
    case table.logFormat.long:
      guard let format = LogFormat(rawValue: text) else { return false }
      logFormat = format
    case table.onStart.long: hooks.onStart = text
    case table.onSuccess.long: hooks.onSuccess = text
    case table.onFailure.long: hooks.onFailure = text
    case table.hookTimeout.long: guard let span = duration() else { return false }; hooks.timeout = span
    case table.database.long: connection.database = text
    case table.table.long: connection.table = text
    case table.connectTimeout.long: guard let span = duration() else { return false }; connection.connectTimeout = span
    default: return false
    }
    return true
  }
}
