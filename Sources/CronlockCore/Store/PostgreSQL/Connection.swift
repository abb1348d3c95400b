import CLibPQ

#if canImport(Glibc)
import Glibc
#endif

/// libpq's functions, loaded on first use (LibPQ.swift); every caller here runs after a load that
/// succeeded.
private var libpq: LibPQ { LibPQ.api }

/// A string libpq returns (through the table its pointers are optional; libpq's are never NULL).
private func text(_ pointer: UnsafeMutablePointer<CChar>?) -> String {
  pointer.map { String(cString: $0) } ?? ""
}

/// One libpq connection, owned and freed exactly once. The only type besides `QueryResult`
/// that touches libpq pointers.
public final class Connection {
  private let handle: OpaquePointer
  /// The connection string's password, scrubbed from every error this connection reports.
  private let secrets: Secrets

  /// The WARNINGs the server sent since the last `takeWarnings()`. The one that matters: a
  /// commit whose wait for a synchronous standby was cancelled answers success with a WARNING
  /// ("canceling wait for synchronous replication") — committed here, maybe not replicated.
  private var warnings: [String] = []

  /// The warnings received so far, forgotten once taken.
  public func takeWarnings() -> [String] {
    defer { warnings.removeAll() }
    return warnings
  }

  /// Asks the server to cancel this connection's statement in flight; any thread may use it.
  public let canceller: Canceller?

  private init(handle: OpaquePointer, secrets: Secrets) {
    self.handle = handle
    self.secrets = secrets
    canceller = libpq.PQgetCancel(handle).map(Canceller.init)
    // Quiet by default: libpq would print NOTICEs (e.g. "relation already exists") on stderr.
    // WARNINGs are kept: one during a claim means its commit is not confirmed (see `warnings`).
    _ = libpq.PQsetNoticeReceiver(handle, { context, result in
      guard let context, let result,
        let severity = libpq.PQresultErrorField(result, cronlock_diag_severity()), String(cString: severity) == "WARNING"
      else { return }
      let connection = Unmanaged<Connection>.fromOpaque(context).takeUnretainedValue()
      connection.warnings.append(libpq.PQresultErrorField(result, cronlock_diag_message()).map { String(cString: $0) } ?? "")
    }, Unmanaged.passUnretained(self).toOpaque())
  }

  deinit {
    libpq.PQfinish(handle)
  }

  /// Connects with libpq's defaults (`PGHOST`, `PGSERVICE`, `~/.pgpass`, …) overridden by
  /// `url` (a URI or `key=value` string, passed whole with `expand_dbname`), giving up at
  /// `deadline`. Waits only in `poll`, never past the deadline (a host name's DNS lookup is
  /// libpq's and can block: callers that keep timers run this on a `BackgroundCall`).
  public static func connect(url: String?, connectTimeout: TimeSpan, deadline: Deadline) throws(PostgresError)
    -> Connection
  {
    if let failure = LibPQ.failure {
      throw PostgresError(kind: .connectionFailed, message: failure, scrubbing: .none)
    }
    let secrets = url.map { DatabaseURL($0).secrets } ?? .none
    // Later keywords win over the URL's: --connect-timeout is always in force.
    var pairs: [(String, String)] = [
      ("fallback_application_name", "cronlock"),
      ("keepalives", "1"),
      ("keepalives_idle", "30"),
      ("keepalives_interval", "10"),
      ("keepalives_count", "3"),
    ]
    if let url { pairs.append(("dbname", url)) }
    pairs.append(("connect_timeout", String(connectTimeout.secondsRoundedUp(minimum: 2))))

    let keywords = pairs.map { strdup($0.0) }
    let values = pairs.map { strdup($0.1) }
    defer {
      keywords.forEach { free($0) }
      values.forEach { free($0) }
    }
    let started: OpaquePointer? = (keywords.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { keys in
      (values.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { vals in
        libpq.PQconnectStartParams(keys.baseAddress, vals.baseAddress, 1)
      }
    }
    guard let handle = started else {
      throw PostgresError(kind: .connectionFailed, message: "out of memory allocating a connection", scrubbing: secrets)
    }
    // libpq's own connect_timeout only bounds the blocking PQconnectdb; here the deadline does.
    var polling = libpq.PQstatus(handle) == CONNECTION_BAD ? PGRES_POLLING_FAILED : PGRES_POLLING_WRITING
    while polling != PGRES_POLLING_OK && polling != PGRES_POLLING_FAILED {
      let events = Int16(polling == PGRES_POLLING_READING ? POLLIN : POLLOUT)
      switch wait(for: libpq.PQsocket(handle), events: events, until: deadline) {
      case .ready:
        polling = libpq.PQconnectPoll(handle)
      case .deadline:
        libpq.PQfinish(handle)
        throw PostgresError(kind: .connectionFailed, message: "timed out after \(connectTimeout) connecting to the database",
                            scrubbing: secrets)
      }
    }
    guard polling == PGRES_POLLING_OK else {
      // Build the error before freeing the handle it reads from.
      let error = PostgresError(
        kind: .connectionFailed,
        message: Self.withoutOptionValue(text(libpq.PQerrorMessage(handle))),
        scrubbing: secrets,
        authenticationFailed: libpq.PQconnectionNeedsPassword(handle) != 0
      )
      libpq.PQfinish(handle)  // libpq: call PQfinish even when the attempt failed.
      throw error
    }
    return Connection(handle: handle, secrets: secrets)
  }

  /// libpq's `invalid integer value "…" for connection option "port"` quotes a piece of the
  /// string, which may be a piece of a password the string's syntax split: never show it.
  static func withoutOptionValue(_ message: String) -> String {
    guard message.contains("for connection option"), let open = message.firstIndex(of: "\""),
      let close = message[message.index(after: open)...].firstIndex(of: "\"")
    else { return message }
    return message[...open] + "***" + message[close...]
  }

  /// Checks a connection string without connecting; returns libpq's complaint, if any,
  /// scrubbed of the string's password.
  public static func validate(url: DatabaseURL) -> String? {
    if let failure = LibPQ.failure { return failure }
    var message: UnsafeMutablePointer<CChar>?
    guard let options = libpq.PQconninfoParse(url.raw, &message) else {
      defer { libpq.PQfreemem(message) }
      return PostgresError(kind: .connectionFailed, message: message.map { String(cString: $0) } ?? "out of memory",
                           scrubbing: url.secrets).message
    }
    libpq.PQconninfoFree(options)
    return nil
  }

  /// Every keyword libpq parsed from `url` with a value, in libpq's order; nil if it does not parse.
  public static func parsedOptions(of url: String) -> [(keyword: String, value: String)]? {
    guard LibPQ.failure == nil else { return nil }
    var message: UnsafeMutablePointer<CChar>?
    guard let options = libpq.PQconninfoParse(url, &message) else {
      libpq.PQfreemem(message)
      return nil
    }
    defer { libpq.PQconninfoFree(options) }
    var found: [(keyword: String, value: String)] = []
    var option = options
    while let name = option.pointee.keyword {
      if let value = option.pointee.val { found.append((String(cString: name), String(cString: value))) }
      option += 1
    }
    return found
  }

  /// The value libpq parsed for `keyword` in `url` (e.g. its password), if it parses.
  public static func parsedValue(of keyword: String, in url: String) -> String? {
    parsedOptions(of: url)?.first { $0.keyword == keyword }?.value
  }

  /// Set once a statement was given up on: the connection's state is unknown, so it is never
  /// used again (the owner drops it, and `deinit` closes it).
  private var abandoned = false

  public var isHealthy: Bool { !abandoned && libpq.PQstatus(handle) == CONNECTION_OK }

  /// Runs one parameterised statement (text parameters; `nil` is SQL NULL), giving up at
  /// `deadline`. Then the server is asked to cancel it — from a thread of its own, since
  /// `PQcancel` connects and reads with no timeout — and the connection is closed: the
  /// statement's outcome is unknown (`connectionLost`), and nobody waits to learn it.
  @discardableResult
  public func execute(_ sql: String, _ parameters: [String?] = [], deadline: Deadline) throws(PostgresError)
    -> QueryResult
  {
    guard isHealthy else {
      throw PostgresError(kind: .connectionLost, message: "the connection was closed", scrubbing: secrets)
    }
    try send(sql, parameters)
    try waitForAnswer(until: deadline)
    var first: OpaquePointer?
    while let next = libpq.PQgetResult(handle) {
      if first == nil { first = next } else { libpq.PQclear(next) }
    }
    guard let raw = first else {
      throw PostgresError(kind: .connectionLost, message: text(libpq.PQerrorMessage(handle)), scrubbing: secrets)
    }
    switch libpq.PQresultStatus(raw) {
    case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
      return QueryResult(handle: raw)
    default:
      let error = failure(in: raw)
      libpq.PQclear(raw)
      throw error
    }
  }

  /// A statement and its text parameters (`nil` is SQL NULL), for `execute(together:)`.
  public struct Statement {
    public let sql: String
    public let parameters: [String?]

    public init(_ sql: String, _ parameters: [String?] = []) {
      self.sql = sql
      self.parameters = parameters
    }
  }

  /// Runs `statements` in one round trip (libpq's pipeline mode): all are sent at once with one
  /// Sync after the last, and answered together. The server still runs each only once the one
  /// before has finished, so a statement's snapshot is taken after an earlier one's lock was
  /// granted. The first statement to fail is thrown and the server skips the rest: a transaction
  /// they opened is left failed, for the caller to roll back. Returns statement `kept`'s result.
  /// Bounded by `deadline` as `execute` is (then cancelled, and the connection never used again).
  public func execute(together statements: [Statement], keeping kept: Int, deadline: Deadline) throws(PostgresError)
    -> QueryResult
  {
    guard isHealthy else {
      throw PostgresError(kind: .connectionLost, message: "the connection was closed", scrubbing: secrets)
    }
    guard libpq.PQenterPipelineMode(handle) == 1 else {
      throw PostgresError(kind: .connectionLost, message: text(libpq.PQerrorMessage(handle)), scrubbing: secrets)
    }
    var keptResult: OpaquePointer?
    var firstFailure: PostgresError?
    do throws(PostgresError) {
      for statement in statements { try send(statement.sql, statement.parameters) }
      guard libpq.PQpipelineSync(handle) == 1 else {
        throw PostgresError(kind: .connectionLost, message: text(libpq.PQerrorMessage(handle)), scrubbing: secrets)
      }
      // Each statement's results end with a NULL; one skipped after a failure is PIPELINE_ABORTED.
      for index in statements.indices {
        while true {
          try waitForAnswer(until: deadline)
          guard let result = libpq.PQgetResult(handle) else { break }
          let status = libpq.PQresultStatus(result)
          if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK {
            if index == kept && keptResult == nil { keptResult = result; continue }
          } else if status != PGRES_PIPELINE_ABORTED, firstFailure == nil {
            firstFailure = failure(in: result)
          }
          libpq.PQclear(result)
        }
      }
      try waitForAnswer(until: deadline)
      let sync = libpq.PQgetResult(handle)
      defer { libpq.PQclear(sync) }
      guard sync != nil, libpq.PQresultStatus(sync) == PGRES_PIPELINE_SYNC, libpq.PQexitPipelineMode(handle) == 1 else {
        throw firstFailure
          ?? PostgresError(kind: .connectionLost, message: text(libpq.PQerrorMessage(handle)), scrubbing: secrets)
      }
      if let firstFailure { throw firstFailure }
      guard let keptResult else {
        throw PostgresError(kind: .connectionLost, message: "no result for statement \(kept + 1) of \(statements.count)",
                            scrubbing: secrets)
      }
      return QueryResult(handle: keptResult)
    } catch {
      libpq.PQclear(keptResult)
      // Still in pipeline mode (it ended before the Sync's answer): never used again.
      if libpq.PQpipelineStatus(handle) != PQ_PIPELINE_OFF { abandoned = true }
      throw error
    }
  }

  /// Queues one statement (sent by the time its answer is awaited).
  private func send(_ sql: String, _ parameters: [String?]) throws(PostgresError) {
    let copies = parameters.map { $0.map { strdup($0) } ?? nil }
    defer { copies.forEach { free($0) } }
    let sent = copies.map { UnsafePointer($0) }.withUnsafeBufferPointer { values in
      libpq.PQsendQueryParams(handle, sql, Int32(parameters.count), nil, values.baseAddress, nil, nil, 0)
    }
    guard sent == 1 else {
      throw PostgresError(kind: .connectionLost, message: text(libpq.PQerrorMessage(handle)), scrubbing: secrets)
    }
  }

  /// Waits until a result can be read without blocking, giving up at `deadline` (then the
  /// statement is cancelled and the connection abandoned).
  private func waitForAnswer(until deadline: Deadline) throws(PostgresError) {
    while libpq.PQisBusy(handle) != 0 {
      switch wait(for: libpq.PQsocket(handle), events: Int16(POLLIN), until: deadline) {
      case .ready:
        if libpq.PQconsumeInput(handle) == 0 {
          throw PostgresError(kind: .connectionLost, message: text(libpq.PQerrorMessage(handle)), scrubbing: secrets)
        }
      case .deadline:
        abandon()
        throw PostgresError(kind: .timedOut, message: "the database did not answer in time", scrubbing: secrets)
      }
    }
  }

  /// The error a failed result reports.
  private func failure(in raw: OpaquePointer) -> PostgresError {
    PostgresError(
      kind: libpq.PQstatus(handle) == CONNECTION_OK ? .server : .connectionLost,
      sqlState: libpq.PQresultErrorField(raw, cronlock_diag_sqlstate()).map { SQLState(String(cString: $0)) },
      message: text(libpq.PQresultErrorMessage(raw)),
      scrubbing: secrets
    )
  }

  /// Gives up on the statement in flight: asks the server to cancel it — so a server that is
  /// only slow (a statement waiting for a lock) does not go on to commit it after cronlock
  /// said it gave up — and marks this connection unusable. The request is a connection of its
  /// own that can block for minutes against a frozen server, so it is sent from a thread of
  /// its own, waited for at most `cancelWait`.
  private func abandon() {
    abandoned = true
    guard let canceller else { return }
    let wait = Deadline.after(Self.cancelWait)
    _ = BackgroundCall { () throws(CronlockError) in canceller.cancel() }.wait(until: wait)
  }

  /// How long to wait for a cancel request to reach the server.
  static let cancelWait = TimeSpan.milliseconds(500)
}

/// libpq's cancel object for one connection. `PQcancel` is safe from any thread, and this
/// object outlives the connection for as long as someone holds it. `cancel()` blocks until
/// the server has the request (or forever against a frozen one): call it off the timers' thread.
public final class Canceller: @unchecked Sendable {
  private let token: OpaquePointer

  fileprivate init(_ token: OpaquePointer) {
    self.token = token
  }

  deinit {
    libpq.PQfreeCancel(token)
  }

  public func cancel() {
    var buffer = [CChar](repeating: 0, count: 256)
    _ = libpq.PQcancel(token, &buffer, Int32(buffer.count))
  }
}

/// A successful result, cleared when it goes out of scope.
public struct QueryResult: ~Copyable {
  fileprivate let handle: OpaquePointer

  deinit {
    libpq.PQclear(handle)
  }

  public var rowCount: Int { Int(libpq.PQntuples(handle)) }
  public var columnCount: Int { Int(libpq.PQnfields(handle)) }

  /// Rows changed by an INSERT, UPDATE or DELETE.
  public var affectedRows: Int { Int(text(libpq.PQcmdTuples(handle))) ?? 0 }

  public func columnName(_ column: Int) -> String { text(libpq.PQfname(handle, Int32(column))) }

  /// The text of one field, or nil for SQL NULL.
  public func value(row: Int, column: Int) -> String? {
    if libpq.PQgetisnull(handle, Int32(row), Int32(column)) != 0 { return nil }
    return text(libpq.PQgetvalue(handle, Int32(row), Int32(column)))
  }
}
