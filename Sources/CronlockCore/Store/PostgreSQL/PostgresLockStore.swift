/// The lock table in PostgreSQL, over one dedicated connection that is made on first use and
/// made again when it breaks.
public final class PostgresLockStore: LockStore {
  public let table: TableName
  private let url: DatabaseURL?
  private let connectTimeout: TimeSpan
  private var current: Connection?

  /// Checks the URL (78 when libpq cannot parse it); connects later, when first needed.
  public init(url: DatabaseURL?, table: TableName, connectTimeout: TimeSpan) throws(CronlockError) {
    if let url, let complaint = Connection.validate(url: url.raw) {
      throw .configuration("invalid database URL: \(url.scrub(PostgresError.oneLine(complaint)))")
    }
    self.url = url
    // Never through search_path (TableName): every statement names the schema.
    self.table = table.qualified
    self.connectTimeout = connectTimeout
  }

  /// The connection, made (within --connect-timeout) if there is none or it broke.
  var connection: Connection {
    get throws(PostgresError) { try connect(deadline: .after(connectTimeout), interruption: nil) }
  }

  func connect(deadline: Deadline, interruption: Interruption?) throws(PostgresError) -> Connection {
    if let current, current.isHealthy { return current }
    current = nil
    let fresh = try Connection.connect(url: url?.raw, connectTimeout: connectTimeout, deadline: deadline,
                                       interruption: interruption)
    current = fresh
    return fresh
  }

  /// Forgets a connection whose state is unknown, so the next use makes a new one.
  func disconnect() {
    current = nil
  }

  public func claim(_ request: ClaimRequest, deadline: Deadline, interruption: Interruption?) throws(CronlockError)
    -> Claim
  {
    var retry = Backoff()
    var readBackFirst = false
    var lastProblem = "no attempt finished"
    while true {
      do throws(PostgresError) {
        let connection = try connect(deadline: deadline, interruption: interruption)
        if readBackFirst, let known = try readBack(request, on: connection, deadline: deadline) {
          return Claim(outcome: known)
        }
        return try PostgresClaim(table: table, request: request).run(on: connection, deadline: deadline,
                                                                     interruption: interruption)
      } catch {
        switch error.sqlState {
        case .uniqueViolation?, .serializationFailure?, .deadlockDetected?:
          return Claim(outcome: .lost)
        default:
          break
        }
        if error.kind == .interrupted { throw .interrupted() }
        guard isTransient(error) else { throw classify(error, doing: "claim the slot") }
        // The INSERT may have committed before the connection broke: read it back next time.
        if error.kind == .connectionLost { readBackFirst = true }
        disconnect()
        lastProblem = url?.scrub(error.message) ?? error.message
        guard retry.pause(until: deadline, interruption: interruption) else { throw .interrupted() }
        if deadline.hasPassed {
          throw .unavailable("gave up after --connect-timeout \(connectTimeout): \(lastProblem)")
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

  public func heartbeat(runID: Int64, deadline: Deadline, interruption: Interruption?) throws(CronlockError) {
    do throws(PostgresError) {
      let connection = try connect(deadline: deadline, interruption: interruption)
      try connection.execute(
        "UPDATE \(table.quoted) SET updated_at = now() WHERE id = $1::bigint AND status = 'RUNNING'",
        [String(runID)], deadline: deadline, interruption: interruption)
    } catch {
      if error.kind != .server { disconnect() }
      throw classify(error, doing: "refresh the heartbeat")
    }
  }

  public func finish(runID: Int64, _ record: RunRecord, deadline: Deadline, interruption: Interruption?)
    throws(CronlockError)
  {
    let sql = """
      UPDATE \(table.quoted)
      SET status = $2, exit_code = $3::integer, signal = $4::integer, note = $5,
          finished_at = now(), updated_at = now()
      WHERE id = $1::bigint
      """
    let parameters: [String?] = [
      String(runID), record.status.rawValue, record.exitCode.map { String($0) },
      record.signal.map { String($0) }, record.note,
    ]
    var retry = Backoff()
    var affected: Int?
    while affected == nil {
      do throws(PostgresError) {
        let connection = try connect(deadline: deadline, interruption: interruption)
        affected = try connection.execute(sql, parameters, deadline: deadline, interruption: interruption)
          .affectedRows
      } catch {
        if error.kind == .interrupted { throw .interrupted() }
        guard isTransient(error) else { throw classify(error, doing: "record the outcome") }
        disconnect()
        guard retry.pause(until: deadline, interruption: interruption), !deadline.hasPassed else {
          throw classify(error, doing: "record the outcome")
        }
      }
    }
    guard affected == 1 else { throw .internalFailure("the row is no longer in \(table)") }
  }

  public func release(_ request: ClaimRequest, deadline: Deadline) {
    do throws(PostgresError) {
      try connect(deadline: deadline, interruption: nil).execute(
        "DELETE FROM \(table.quoted) WHERE job_name = $1 AND job_identifier = $2 AND run_token = $3",
        [request.job, request.slot.identifier, request.runToken], deadline: deadline)
    } catch {
      disconnect()
    }
  }

  /// Failures worth another try: the server was unreachable, restarting, full, or the
  /// connection broke. Authentication, privileges and missing tables are not.
  func isTransient(_ error: PostgresError) -> Bool {
    switch error.kind {
    case .connectionLost: return true
    case .connectionFailed:
      return !error.authenticationFailed && !Self.looksLikeConfiguration(url?.scrub(error.message) ?? error.message)
    case .server:
      guard let state = error.sqlState else { return false }
      return state.errorClass == "08"
        || [.adminShutdown, .crashShutdown, .cannotConnectNow, .tooManyConnections].contains(state)
    case .invalidConnectionString, .interrupted: return false
    }
  }

  /// A timestamptz literal PostgreSQL parses the same whatever its TimeZone setting.
  static func timestamptz(_ instant: Timestamp) -> String {
    instant.formatted() + "+00"
  }

  /// Connection failures that retrying cannot fix. libpq reports no SQLSTATE for them, so this
  /// reads the server's (English) message.
  static func looksLikeConfiguration(_ message: String) -> Bool {
    ["authentication failed", "no password supplied", "pg_hba.conf", "does not exist",
     "permission denied", "invalid sslmode", "sslmode value"].contains { message.contains($0) }
  }

  /// Maps a failure to an exit status (failure-modes.md, "What the claim does").
  func classify(_ error: PostgresError, doing what: String) -> CronlockError {
    let detail = url?.scrub(error.message) ?? error.message
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
    case .queryCanceled?:
      return .unavailable("cannot \(what): the database did not answer in time, so the statement was cancelled")
    case .lockNotAvailable?:
      return .unavailable("cannot \(what): another session holds an uncommitted claim of this slot (\(detail))")
    default:
      return .unavailable("cannot \(what): \(detail)")
    }
  }
}

/// Retry pauses: 100 ms doubling to 1 s, each with ±50 % jitter so many hosts spread out.
struct Backoff {
  private var next = TimeSpan.milliseconds(100)

  /// Waits for the next pause, never past `deadline`; false when interrupted.
  mutating func pause(until deadline: Deadline, interruption: Interruption?) -> Bool {
    let jittered = TimeSpan(nanoseconds: next.nanoseconds / 2 + Int64.random(in: 0...next.nanoseconds))
    next = min(TimeSpan(nanoseconds: next.nanoseconds * 2), .seconds(1))
    return CronlockCore.pause(until: min(.after(jittered), deadline), interruption: interruption)
  }
}
