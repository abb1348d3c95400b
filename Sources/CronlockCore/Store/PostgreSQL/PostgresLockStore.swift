#if canImport(Glibc)
import Glibc
#endif

/// The lock table in PostgreSQL, over one dedicated connection that is made on first use and
/// made again when it breaks.
public final class PostgresLockStore: LockStore {
  public let table: TableName
  private let url: DatabaseURL?
  let connectTimeout: TimeSpan
  private var current: Connection? {
    didSet {
      pthread_mutex_lock(&cancellerLock)
      currentCanceller = current?.canceller
      pthread_mutex_unlock(&cancellerLock)
    }
  }
  /// The current connection's canceller, for `cancelInFlight()` on another thread.
  private var currentCanceller: Canceller?
  private var cancellerLock = pthread_mutex_t()
  /// Run tokens this store has sent in a claim: a row can hold one only after that, so only a
  /// repeated claim looks for it (PostgresClaim.mayBeRepeated). An array: a run sends one, and
  /// the first Set of a process costs 0.2 M instructions (its hashing seed and metadata).
  private var sentRunTokens: [String] = []

  /// Loads libpq and checks the URL (78 when libpq is missing or cannot parse the URL, or an
  /// option's value can never work); connects later, when first needed.
  public init(url: DatabaseURL?, table: TableName, connectTimeout: TimeSpan) throws(CronlockError) {
    try LibPQ.load()
    if let url {
      if let complaint = url.unencodedUserInfo ?? Connection.validate(url: url) {
        throw .configuration("invalid database URL: \(complaint)")
      }
      if let problem = ConnectionString.problem(in: url.raw) {
        throw .configuration("invalid database URL: \(problem)")
      }
    }
    self.url = url
    // Never through search_path (TableName): every statement names the schema.
    self.table = table.qualified
    self.connectTimeout = connectTimeout
    pthread_mutex_init(&cancellerLock, nil)
  }

  deinit {
    pthread_mutex_destroy(&cancellerLock)
  }

  public func cancelInFlight() {
    pthread_mutex_lock(&cancellerLock)
    let canceller = currentCanceller
    pthread_mutex_unlock(&cancellerLock)
    canceller?.cancel()
  }

  /// Says each retry of the claim (only with --verbose: `info`).
  public var retryReporter: Reporter?

  /// The deadline for one statement of a subcommand: --connect-timeout from now.
  var statementDeadline: Deadline { .after(connectTimeout) }

  /// The connection, made (within --connect-timeout) if there is none or it broke.
  var connection: Connection {
    get throws(PostgresError) { try connect(deadline: .after(connectTimeout)) }
  }

  func connect(deadline: Deadline) throws(PostgresError) -> Connection {
    if let current, current.isHealthy { return current }
    current = nil
    let fresh = try Connection.connect(url: url?.raw, connectTimeout: connectTimeout, deadline: deadline)
    current = fresh
    return fresh
  }

  /// Forgets the connection (idle, or in an unknown state); the next use makes a new one.
  public func closeConnection() {
    current = nil
  }

  public func claim(_ request: ClaimRequest, deadline: Deadline) throws(CronlockError) -> Claim {
    var retry = RetryDecision(budget: connectTimeout, doing: "claim the slot")
    while true {
      do throws(PostgresError) {
        let connection = try connect(deadline: deadline)
        if retry.readBackFirst, let known = try readBack(request, on: connection, deadline: deadline) {
          return Claim(outcome: known)
        }
        let repeated = sentRunTokens.contains(request.runToken)
        if !repeated { sentRunTokens.append(request.runToken) }
        return try PostgresClaim(table: table, request: request, mayBeRepeated: repeated)
          .run(on: connection, deadline: deadline)
      } catch {
        let failure = attemptFailure(error, doing: "claim the slot")
        switch retry.next(after: failure, timeLeft: deadline.timeLeft) {
        case .lost:
          return Claim(outcome: .lost)
        case .fail(let failure):
          closeConnection()
          throw failure
        case .retry(let pause, _):
          closeConnection()
          retryReporter?.info("cannot claim the slot yet (\(failure.problem)); retrying in \(pause)", event: .retrying)
          CronlockCore.pause(until: min(.after(pause), deadline))
        }
      }
    }
  }

  /// After an unacknowledged claim: ours (won), another's (lost), or none yet (nil: try again).
  private func readBack(_ request: ClaimRequest, on connection: Connection, deadline: Deadline)
    throws(PostgresError) -> ClaimOutcome?
  {
    let result = try connection.execute(
      "SELECT id, run_token FROM \(table.quoted) WHERE job_name = $1 AND job_identifier = $2",
      [request.job, request.slot.identifier], deadline: deadline)
    guard result.rowCount == 1 else { return nil }
    guard result.value(row: 0, column: 1) == request.runToken,
      let id = result.value(row: 0, column: 0).flatMap({ Int64($0) })
    else { return .lost }
    return .won(runID: id)
  }

  public func heartbeat(runID: Int64, deadline: Deadline) throws(CronlockError) {
    do throws(PostgresError) {
      try connect(deadline: deadline).execute(
        "UPDATE \(table.quoted) SET updated_at = now() WHERE id = $1::bigint AND status = 'RUNNING'",
        [String(runID)], deadline: deadline)
    } catch {
      if error.kind != .server { closeConnection() }
      throw classify(error, doing: "refresh the heartbeat")
    }
  }

  public func finish(runID: Int64, _ record: RunRecord, deadline: Deadline) throws(CronlockError) {
    let sql = """
      UPDATE \(table.quoted)
      SET status = $2, exit_code = $3::integer, signal = $4::integer, note = $5,
          finished_at = now(), updated_at = now(), output = coalesce($6::bytea, output)
      WHERE id = $1::bigint
      """
    let parameters: [String?] = [
      String(runID), record.status.rawValue, record.exitCode.map { String($0) },
      record.signal.map { String($0) }, record.note, record.output.map(Self.byteaHex),
    ]
    var retry = RetryDecision(budget: TimeSpan(nanoseconds: max(1, deadline.timeLeft.nanoseconds)),
                              doing: "record the outcome")
    while true {
      let affected: Int
      do throws(PostgresError) {
        affected = try connect(deadline: deadline).execute(sql, parameters, deadline: deadline).affectedRows
      } catch {
        // An UPDATE by id is idempotent: a retry after an unanswered one is safe.
        switch retry.next(after: attemptFailure(error, doing: "record the outcome"), timeLeft: deadline.timeLeft) {
        case .fail(let failure):
          closeConnection()
          throw failure
        case .lost:
          closeConnection()
          throw classify(error, doing: "record the outcome")
        case .retry(let pause, _):
          closeConnection()
          CronlockCore.pause(until: min(.after(pause), deadline))
          continue
        }
      }
      guard affected == 1 else { throw .internalFailure("the row is no longer in \(table)") }
      return
    }
  }

  /// bytea's hex input form, `\x` and two digits a byte: the output travels as a text parameter.
  static func byteaHex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text = [UInt8](repeating: 0, count: 2 + bytes.count * 2)
    text[0] = UInt8(ascii: "\\")
    text[1] = UInt8(ascii: "x")
    for (index, byte) in bytes.enumerated() {
      text[2 + index * 2] = digits[Int(byte >> 4)]
      text[3 + index * 2] = digits[Int(byte & 0x0f)]
    }
    return String(decoding: text, as: UTF8.self)
  }

  public func release(_ request: ClaimRequest, deadline: Deadline) {
    do throws(PostgresError) {
      try connect(deadline: deadline).execute(
        "DELETE FROM \(table.quoted) WHERE job_name = $1 AND job_identifier = $2 AND run_token = $3",
        [request.job, request.slot.identifier, request.runToken], deadline: deadline)
    } catch {
      closeConnection()
    }
  }

  /// How one failed attempt reads (failure-modes.md, "What the claim does with each outcome").
  func attemptFailure(_ error: PostgresError, doing what: String) -> AttemptFailure {
    switch error.sqlState {
    case .uniqueViolation?, .serializationFailure?, .deadlockDetected?:
      return .lost
    default:
      break
    }
    let detail = url?.scrub(error.message) ?? error.message
    switch error.kind {
    case .timedOut, .connectionLost:
      return .transient(detail, mayHaveCommitted: true)
    case .unconfirmed:
      // Reading the row back would find it — on this server, which may not survive a failover.
      return .final(classify(error, doing: what))
    case .connectionFailed:
      return isTransient(error) ? .transient("cannot connect to the database: \(detail)", mayHaveCommitted: false)
        : .final(classify(error, doing: what))
    case .server:
      return isTransient(error) ? .transient(detail, mayHaveCommitted: false) : .final(classify(error, doing: what))
    }
  }

  /// Failures worth another try: the server was unreachable, restarting, full, or the
  /// connection broke. Authentication, privileges and missing tables are not.
  func isTransient(_ error: PostgresError) -> Bool {
    switch error.kind {
    case .connectionLost, .timedOut: return true
    case .unconfirmed: return false
    case .connectionFailed:
      return !error.authenticationFailed && !Self.looksLikeConfiguration(url?.scrub(error.message) ?? error.message)
    case .server:
      guard let state = error.sqlState else { return false }
      return state.errorClass == "08"
        || [.adminShutdown, .crashShutdown, .cannotConnectNow, .tooManyConnections].contains(state)
    }
  }

  /// A timestamptz literal PostgreSQL parses the same whatever its TimeZone setting.
  static func timestamptz(_ instant: Timestamp) -> String {
    instant.formatted() + "+00"
  }

  /// Connection failures that retrying cannot fix. libpq reports no SQLSTATE for them, so this
  /// reads its (English) message, and the server's: a role, database or service file entry
  /// that does not exist, a server without the encryption the settings require.
  static func looksLikeConfiguration(_ message: String) -> Bool {
    ["authentication failed", "no password supplied", "pg_hba.conf", "does not exist",
     "permission denied", "invalid sslmode", "sslmode value", "for connection option",
     "definition of service", "service file \"", "does not support SSL, but SSL was required",
     "GSSAPI encryption required but was impossible"].contains { message.contains($0) }
  }

  /// Maps a failure to an exit status (failure-modes.md, "What the claim does").
  func classify(_ error: PostgresError, doing what: String) -> CronlockError {
    let detail = url?.scrub(error.message) ?? error.message
    if error.kind == .unconfirmed {
      return .unavailable("cannot \(what): the server committed it but warned '\(detail)': it may not have reached "
        + "the synchronous standby, so a failover could lose it; the outcome is unknown")
    }
    if error.kind == .timedOut {
      return .unavailable("cannot \(what): the database did not answer within --connect-timeout \(connectTimeout)")
    }
    if error.kind == .connectionFailed {
      if error.authenticationFailed || Self.looksLikeConfiguration(detail) {
        return .configuration("cannot connect to the database: \(detail)")
      }
      return .unavailable("cannot connect to the database: \(detail)")
    }
    switch error.sqlState {
    case .undefinedTable?:
      return .configuration("table \(table) does not exist; run 'cronlock migrate'")
    case .undefinedColumn?, .invalidColumnReference?:
      return .configuration(
        "table \(table) lacks cronlock's columns or its unique index on (job_name, job_identifier); "
          + "run 'cronlock migrate' (\(detail))")
    case .insufficientPrivilege?, .invalidPassword?, .invalidAuthorization?:
      return .configuration("cannot \(what): \(detail)")
    case .readOnlySQLTransaction?:
      return .configuration(
        "cannot \(what): this session is read-only (a hot standby, or a role or database with "
          + "default_transaction_read_only); point --database at the primary, or add target_session_attrs=read-write")
    case .queryCanceled?:
      // cronlock never reads the answer to its own cancel: this was the server's statement_timeout.
      return .configuration(
        "cannot \(what): the server cancelled the statement (is statement_timeout set for this role or database?): \(detail)")
    case .lockNotAvailable?:
      return .unavailable("cannot \(what): another session holds an uncommitted claim of this slot (\(detail))")
    default:
      return .unavailable("cannot \(what): \(detail)")
    }
  }
}
