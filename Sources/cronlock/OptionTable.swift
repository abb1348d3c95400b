import ArgumentParser
import CronlockCore

/// One command-line option, defined once: its spelling, value, range, default and help text.
/// ArgumentParser's declarations take their names, help and transforms from here, and
/// `FastRunParser` its spellings; both check the ranges given here, so they cannot drift.
struct OptionSpec: Sendable {
  enum Value: Sendable {
    case flag
    case text
    case duration(ClosedRange<TimeSpan>)
    case integer(ClosedRange<Int>)
    /// Bytes, written with B, KiB or MiB.
    case size(ClosedRange<Int>)
    case choice([String])
  }

  /// The long name without its dashes, e.g. `precision`.
  let long: String
  let short: Character?
  let valueName: String
  /// One sentence or two, without the range or the default, which are appended.
  let abstract: String
  /// How the default reads in help, e.g. `1m`; nil when there is none or `abstract` says it.
  let defaultText: String?
  let value: Value

  init(_ long: String, short: Character? = nil, value: Value, valueName: String = "", default defaultText: String? = nil,
       _ abstract: String) {
    self.long = long
    self.short = short
    self.value = value
    self.valueName = valueName
    self.defaultText = defaultText
    self.abstract = abstract
  }

  var flag: String { "--" + long }
  /// Every way to write it on the command line.
  var spellings: [String] { [flag] + (short.map { ["-\($0)"] } ?? []) }
  var takesValue: Bool { if case .flag = value { false } else { true } }
  var isChoice: Bool { if case .choice = value { true } else { false } }

  var name: NameSpecification {
    short.map { [.customShort($0), .customLong(long)] } ?? [.customLong(long)]
  }

  /// The range as help states it, e.g. `1ms to 366d`.
  var rangeText: String? {
    switch value {
    case .duration(let range): "\(range.lowerBound) to \(range.upperBound)"
    case .integer(let range): "\(range.lowerBound) to \(range.upperBound)"
    case .size(let range): "\(ByteSize.description(range.lowerBound)) to \(ByteSize.description(range.upperBound))"
    case .choice(let choices): choices.joined(separator: ", ")
    case .flag, .text: nil
    }
  }

  /// The help line: the abstract, ending `(1ms to 366d; default: 1m).`
  var helpText: String {
    let parts = [rangeText, defaultText.map { "default: \($0)" }].compactMap { $0 }
    guard !parts.isEmpty else { return abstract }
    let sentence = abstract.hasSuffix(".") ? String(abstract.dropLast()) : abstract
    return sentence + " (" + parts.joined(separator: "; ") + ")."
  }

  var help: ArgumentHelp { ArgumentHelp(helpText, valueName: valueName.isEmpty ? nil : valueName) }

  var completion: CompletionKind? {
    if case .choice(let choices) = value { return .list(choices) }
    return nil
  }

  /// Why `span` is outside this option's range, if it is (a usage error).
  func problem(_ span: TimeSpan?) -> String? {
    guard let span, case .duration(let range) = value, !range.contains(span) else { return nil }
    return "\(flag) \(span) is out of range: it takes \(rangeText!)"
  }

  func problem(_ number: Int?) -> String? {
    guard let number, case .integer(let range) = value, !range.contains(number) else { return nil }
    return "\(flag) \(number) is out of range: it takes \(rangeText!)"
  }

  func problem(bytes: Int?) -> String? {
    guard let bytes, case .size(let range) = value, !range.contains(bytes) else { return nil }
    return "\(flag) \(ByteSize.description(bytes)) is out of range: it takes \(rangeText!)"
  }

  /// A size, as an ArgumentParser transform; the range is checked in `validate()`.
  static func size(_ text: String) throws -> Int {
    switch ByteSize.parse(text) {
    case .success(let bytes): return bytes
    case .failure(let error): throw ValidationError(error.description)
    }
  }

  /// The type's parser as an ArgumentParser transform; the range is checked in `validate()`,
  /// as `FastRunParser` does, so both say the same.
  static func duration(_ text: String) throws -> TimeSpan {
    // Durations are read even when they start with '-', so '-5m' is named negative, not missing.
    if text == "--" { throw ValidationError("the duration is missing before '--'") }
    if text.hasPrefix("--") { throw ValidationError("'\(text)' is an option, not a duration") }
    do {
      return try TimeSpan(parsing: text)
    } catch {
      throw ValidationError(error.description)
    }
  }

  static func integer(_ text: String) throws -> Int {
    guard let number = Int(text) else { throw ValidationError(notANumber(text)) }
    return number
  }

  /// An exit status: a whole number that fits in Int32 (the range is checked later).
  static func integer32(_ text: String) throws -> Int32 {
    guard let number = Int32(text) else { throw ValidationError(notANumber(text)) }
    return number
  }

  private static func notANumber(_ text: String) -> String {
    let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
    return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
      ? "'\(text)' is out of range" : "'\(text)' is not a whole number"
  }

  static func choice<T: RawRepresentable & CaseIterable>(_ text: String) throws -> T where T.RawValue == String {
    guard let value = T(rawValue: text) else {
      throw ValidationError("'\(text)' is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return value
  }
}

/// Ranges chosen so that no value can overflow where it flows: slot arithmetic and the
/// monotonic deadlines are Int64 nanoseconds (±292 years), poll(2) and PostgreSQL's
/// lock_timeout take Int32 milliseconds (24.8 days), the history queries subtract from now.
enum OptionRanges {
  static let millisecond = TimeSpan.milliseconds(1)
  static func days(_ count: Int64) -> TimeSpan { .seconds(count * 86_400) }
  /// A year and a day: the longest slot, timeout or lateness.
  static let year = millisecond...days(366)
  static let day = millisecond...days(1)
  static let hour = millisecond...TimeSpan.seconds(3600)
  /// A century, for history ages and clock skew (tests fake clocks years away).
  static let century = millisecond...days(36_600)
}

/// `cronlock run`'s options, and the connection options every subcommand shares. Adding an
/// option: a line here, its field in `RunArguments` (with `FastRunParser.apply`), its
/// declaration in `Cronlock.Run`; the tests fail until all three agree.
enum RunOptionTable {
  static let precisionDefault = TimeSpan.seconds(60)
  static let maxSkewDefault = TimeSpan.seconds(2)
  static let killAfterDefault = TimeSpan.seconds(10)
  static let heartbeatDefault = TimeSpan.seconds(30)
  static let lockTimeoutDefault = TimeSpan.seconds(5)
  static let finishTimeoutDefault = TimeSpan.seconds(60)
  static let connectTimeoutDefault = TimeSpan.seconds(10)
  static let identifierZoneDefault = Cronlock.IdentifierZone.utc
  static let onDbErrorDefault = DatabaseErrorPolicy.fail
  static let hookTimeoutDefault = TimeSpan.seconds(10)

  static let job = OptionSpec("job", short: "j", value: .text, valueName: "name", "The job's name, the same on every host.")
  static let precision = OptionSpec(
    "precision", value: .duration(OptionRanges.year), valueName: "duration", default: precisionDefault.description,
    "Slot length: the time is truncated to this.")
  static let schedule = OptionSpec(
    "schedule", value: .text, valueName: "expr",
    "Slot = the most recent fire time of this cron expression (5 fields or @hourly, @daily, ...).")
  static let tz = OptionSpec(
    "tz", value: .text, valueName: "zone", "Time zone of --schedule (IANA name). Default: $CRON_TZ, else the host's zone.")
  static let identifier = OptionSpec(
    "identifier", value: .text, valueName: "string", "Use this slot identifier instead of the time (e.g. a CI pipeline id).")
  static let maxLate = OptionSpec(
    "max-late", value: .duration(OptionRanges.year), valueName: "duration",
    "Do not run a slot that began more than this long ago: a late start.")
  static let identifierZone = OptionSpec(
    "identifier-zone", value: .choice(Cronlock.IdentifierZone.allCases.map(\.rawValue)), valueName: "zone",
    default: identifierZoneDefault.rawValue,
    "local names time slots on the host's wall clock like gocron-ent-lock; see the README's warnings.")
  static let splay = OptionSpec(
    "splay", value: .duration(OptionRanges.hour), valueName: "duration",
    "Wait a random time below this after reading the clock and before connecting, so a fleet firing "
      + "at once does not reach the server in the same millisecond; the slot does not move.")
  static let maxSkew = OptionSpec(
    "max-skew", value: .duration(OptionRanges.century), valueName: "duration", default: maxSkewDefault.description,
    "Warn when this host's clock and the database's differ by more.")
  static let timeout = OptionSpec(
    "timeout", value: .duration(OptionRanges.year), valueName: "duration",
    "Send SIGTERM to the command's process group after this long; exit 124.")
  static let killAfter = OptionSpec(
    "kill-after", value: .duration(OptionRanges.day), valueName: "duration", default: killAfterDefault.description,
    "After --timeout's SIGTERM, wait this long, then SIGKILL.")
  static let heartbeat = OptionSpec(
    "heartbeat", value: .duration(TimeSpan.seconds(1)...OptionRanges.days(1)), valueName: "duration",
    default: heartbeatDefault.description, "Refresh the row this often while the command runs.")
  static let noOverlap = OptionSpec(
    "no-overlap", value: .flag, "Do not start while another run of this job is still running (fresh heartbeat).")
  static let onDbError = OptionSpec(
    "on-db-error", value: .choice(DatabaseErrorPolicy.allCases.map(\.rawValue)), valueName: "policy",
    default: onDbErrorDefault.rawValue,
    "When the lock state cannot be learnt: fail (exit 75), run the command anyway, or skip.")
  static let lockTimeout = OptionSpec(
    "lock-timeout", value: .duration(OptionRanges.hour), valueName: "duration", default: lockTimeoutDefault.description,
    "Wait this long for another session's uncommitted claim of the slot, or an SQLite file's write lock.")
  static let finishTimeout = OptionSpec(
    "finish-timeout", value: .duration(OptionRanges.day), valueName: "duration",
    default: finishTimeoutDefault.description, "Keep trying to record the outcome this long.")
  static let worker = OptionSpec(
    "worker", value: .text, valueName: "name", "Name recorded for this host. Default: $CRONLOCK_WORKER, else the host name.")
  static let skipExitCode = OptionSpec(
    "skip-exit-code", value: .integer(0...255), valueName: "status", default: String(ExitStatus.skippedDefault),
    "Exit status when another worker owns the slot.")
  static let verbose = OptionSpec("verbose", short: "v", value: .flag, "Say on stderr what cronlock decides.")
  static let logFormat = OptionSpec(
    "log-format", value: .choice(LogFormat.allCases.map(\.rawValue)), valueName: "format",
    "How cronlock's own stderr lines look (default: $CRONLOCK_LOG_FORMAT, else text); json is one object per "
      + "line with time, level, job, slot, run_id, event and message.")
  static let onStart = OptionSpec(
    "on-start", value: .text, valueName: "command",
    "Only on a win: run this with /bin/sh -c after the claim, before the command (stdin /dev/null; stdout and "
      + "stderr are cronlock's; CRONLOCK_STATUS=RUNNING).")
  static let onSuccess = OptionSpec(
    "on-success", value: .text, valueName: "command",
    "Only on a win: run this with /bin/sh -c after a FINISHED outcome is recorded (or failed to be), with "
      + "CRONLOCK_STATUS, CRONLOCK_EXIT_CODE and CRONLOCK_DURATION_MS.")
  static let onFailure = OptionSpec(
    "on-failure", value: .text, valueName: "command",
    "Like --on-success, for any other outcome (FAILED: non-zero exit, signal, timeout, not runnable).")
  static let hookTimeout = OptionSpec(
    "hook-timeout", value: .duration(OptionRanges.hour), valueName: "duration", default: hookTimeoutDefault.description,
    "Send SIGTERM to a hook's process group after this long, SIGKILL 1s later; a failing or hanging hook is "
      + "one stderr line and changes neither the row nor the exit status.")
  static let captureOutput = OptionSpec(
    "capture-output", value: .size(1...(1 << 20)), valueName: "size",
    "Keep the last SIZE bytes of the command's stdout and stderr in its row (cronlock show). The command then "
      + "writes to pipes that cronlock copies to its own stdout and stderr unchanged, so it sees no terminal; "
      + "whoever may read the table can read what it printed.")

  static let database = OptionSpec(
    "database", value: .text, valueName: "url",
    "PostgreSQL URI (postgresql://...) or key=value string, or sqlite:PATH for an SQLite file on one host. "
      + "Default: $CRONLOCK_DATABASE_URL, else libpq's own (PGHOST, PGSERVICE, ~/.pgpass, ...).")
  static let table = OptionSpec(
    "table", value: .text, valueName: "name", "Lock table, table or schema.table. Default: $CRONLOCK_TABLE, else cron_job_locks.")
  static let connectTimeout = OptionSpec(
    "connect-timeout", value: .duration(OptionRanges.hour), valueName: "duration",
    default: connectTimeoutDefault.description, "Give up reaching the database after this long, retries included.")

  static let connection = [database, table, connectTimeout]
  /// Every option `run` takes, in help's order, connection options last.
  static let all = [
    job, precision, schedule, tz, identifier, maxLate, identifierZone, splay, maxSkew, timeout, killAfter, heartbeat,
    noOverlap, onDbError, lockTimeout, finishTimeout, worker, skipExitCode, captureOutput, onStart, onSuccess,
    onFailure, hookTimeout, verbose, logFormat,
  ] + connection
}

/// The other subcommands' options that take a number or a duration, with their ranges.
enum SubcommandOptionTable {
  static let limit = OptionSpec(
    "limit", value: .integer(1...1_000_000), valueName: "n", default: String(HistoryQuery.defaultLimit),
    "Show at most this many runs.")
  static let since = OptionSpec(
    "since", value: .duration(OptionRanges.century), valueName: "duration",
    "Only runs that started within this long of the database's now.")
  static let ttl = OptionSpec(
    "ttl", value: .duration(PurgeRequest.minimumTTL...OptionRanges.days(36_600)), valueName: "duration",
    "Delete rows last updated longer ago than this.")
  static let staleAfter = OptionSpec(
    "stale-after", value: .duration(OptionRanges.century), valueName: "duration",
    "First mark RUNNING rows with no heartbeat for this long (and for three of their heartbeats) ABANDONED.")
  static let windowDefault = TimeSpan.seconds(86_400)
  static let graceDefault = TimeSpan.seconds(300)
  static let window = OptionSpec(
    "since", value: .duration(OptionRanges.year), valueName: "duration", default: windowDefault.description,
    "Judge the slots that began within this long of now.")
  static let grace = OptionSpec(
    "grace", value: .duration(OptionRanges.day), valueName: "duration", default: graceDefault.description,
    "A --schedule slot with no run this long after its fire time is missed.")
  /// What `status` and `metrics` read where they need every row of a kind.
  static let everyRow = 1_000_000
  static let checkMaxSkew = OptionSpec(
    "max-skew", value: .duration(OptionRanges.century), valueName: "duration",
    default: RunOptionTable.maxSkewDefault.description, "Flag a clock that differs from the database's by more.")
}
