#if canImport(Glibc)
import Glibc
#endif

/// The shape of cronlock's own stderr lines (`--log-format`, `CRONLOCK_LOG_FORMAT`).
public enum LogFormat: String, Sendable, CaseIterable {
  /// `cronlock: job 'x' slot 'y': message`, as people read it.
  case text
  /// One JSON object per line, for log shippers.
  case json
}

/// What a line is about: the run's job, slot and run id, when known. In text the job and slot
/// lead the message (`job 'x' slot 'y': `); in json they are fields of their own.
public struct LogContext: Sendable, Equatable {
  public var job: String?
  public var slot: String?
  public var runID: Int64?
  /// Whether text lines start with the job and slot (a store's retry lines never did).
  public var prefixesText = true

  public init(job: String? = nil, slot: String? = nil, runID: Int64? = nil) {
    self.job = job
    self.slot = slot
    self.runID = runID
  }

  /// `job 'x' slot 'y'`, names escaped, as run's text lines begin; empty without a job.
  public var textPrefix: String {
    guard prefixesText, let job else { return "" }
    return "job '\(LockName.escaped(job))'" + (slot.map { " slot '\(LockName.escaped($0))'" } ?? "") + ": "
  }
}

/// A short stable name for what a line says, the `event` field of a json line.
public struct LogEvent: Sendable, Equatable, CustomStringConvertible {
  public let name: String

  public init(_ name: String) {
    self.name = name
  }

  public var description: String { name }

  public static let claimed = LogEvent("claimed")
  public static let lost = LogEvent("lost")
  public static let skippedLate = LogEvent("skipped_late")
  public static let stopped = LogEvent("stopped")
  public static let rejected = LogEvent("rejected")
  public static let spawnFailed = LogEvent("spawn_failed")
  public static let timedOut = LogEvent("timed_out")
  public static let recorded = LogEvent("recorded")
  public static let recordFailed = LogEvent("record_failed")
  public static let dbError = LogEvent("db_error")
  public static let clockSkew = LogEvent("clock_skew")
  public static let retrying = LogEvent("retrying")
  public static let heartbeatFailed = LogEvent("heartbeat_failed")
  public static let hookRan = LogEvent("hook_ran")
  public static let hookFailed = LogEvent("hook_failed")
  public static let hookStopped = LogEvent("hook_stopped")
  public static let migrated = LogEvent("migrated")
  public static let purged = LogEvent("purged")
  public static let abandoned = LogEvent("abandoned")
  public static let noSuchRun = LogEvent("no_such_run")

  /// The event for a failure of this kind: `usage_error`, `unavailable`, `configuration`, ...
  public static func failure(_ code: CronlockError.Code) -> LogEvent {
    switch code {
    case .usage: LogEvent("usage_error")
    case .invalidName: LogEvent("invalid_name")
    case .internalFailure: LogEvent("internal_failure")
    default: LogEvent(code.name)
    }
  }
}

/// cronlock's own messages: one line each on stderr, prefixed `cronlock:` (or one JSON object
/// per line). Errors and warnings always, everything else only with `--verbose` (cron mails
/// any output).
public struct Reporter: Sendable {
  public enum Level: String, Sendable {
    case error, warning, info
  }

  public let verbose: Bool
  public var format: LogFormat
  public var context: LogContext

  public init(verbose: Bool, format: LogFormat = .text, context: LogContext = LogContext()) {
    self.verbose = verbose
    self.format = format
    self.context = context
  }

  /// The same reporter, its lines about `context`.
  public func about(_ context: LogContext) -> Reporter {
    Reporter(verbose: verbose, format: format, context: context)
  }

  /// The same reporter, its lines about run `runID` too.
  public func about(runID: Int64) -> Reporter {
    var context = context
    context.runID = runID
    return about(context)
  }

  public func error(_ message: String, event: LogEvent = .init("error")) {
    write(.error, event, message)
  }

  /// Always shown, like an error; in text the message reads `warning: ...`.
  public func warning(_ message: String, event: LogEvent = .init("warning")) {
    write(.warning, event, message)
  }

  public func info(_ message: @autoclosure () -> String, event: LogEvent = .init("info")) {
    if verbose { write(.info, event, message()) }
  }

  func write(_ level: Level, _ event: LogEvent, _ message: String) {
    Self.write(line(level, event, message, at: Timestamp.now()))
  }

  /// The line as written, newline included.
  func line(_ level: Level, _ event: LogEvent, _ message: String, at time: Timestamp) -> String {
    switch format {
    case .text:
      return "cronlock: \(context.textPrefix)\(level == .warning ? "warning: " : "")\(message)\n"
    case .json:
      var fields = [("time", HistoryJSON.quoted(time.rfc3339)), ("level", HistoryJSON.quoted(level.rawValue))]
      if let job = context.job { fields.append(("job", HistoryJSON.quoted(job))) }
      if let slot = context.slot { fields.append(("slot", HistoryJSON.quoted(slot))) }
      if let runID = context.runID { fields.append(("run_id", String(runID))) }
      fields += [("event", HistoryJSON.quoted(event.name)), ("message", HistoryJSON.quoted(message))]
      return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}\n"
    }
  }

  static func write(_ line: String) {
    // One write(2) per line: lines from many processes sharing a log do not interleave.
    let bytes = Array(line.utf8)
    _ = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
  }
}
