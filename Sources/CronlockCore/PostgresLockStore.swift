/// The lock table in PostgreSQL, over one dedicated connection.
public final class PostgresLockStore: LockStore {
  public let table: TableName
  private let url: DatabaseURL?
  private let connectTimeout: TimeSpan
  var connection: Connection

  /// Connects; failures map to 78 (bad URL, authentication) or 75 (unreachable).
  public init(url: DatabaseURL?, table: TableName, connectTimeout: TimeSpan) throws(CronlockError) {
    self.url = url
    self.table = table
    self.connectTimeout = connectTimeout
    connection = try Self.open(url: url, connectTimeout: connectTimeout)
  }

  static func open(url: DatabaseURL?, connectTimeout: TimeSpan) throws(CronlockError) -> Connection {
    if let url, let complaint = Connection.validate(url: url.raw) {
      throw .configuration("invalid database URL: \(url.scrub(PostgresError.oneLine(complaint)))")
    }
    do {
      return try Connection.connect(url: url?.raw, connectTimeout: connectTimeout)
    } catch {
      let message = url?.scrub(error.message) ?? error.message
      if error.authenticationFailed || Self.looksLikeConfiguration(message) {
        throw .configuration("cannot connect to the database: \(message)")
      }
      throw .unavailable("cannot connect to the database: \(message)")
    }
  }

  /// Connection failures that retrying cannot fix. libpq reports no SQLSTATE for them, so this
  /// reads the server's (English) message.
  static func looksLikeConfiguration(_ message: String) -> Bool {
    ["authentication failed", "no password supplied", "pg_hba.conf", "does not exist",
     "permission denied", "invalid sslmode", "sslmode value"].contains { message.contains($0) }
  }

  public func claim(_ request: ClaimRequest) throws(CronlockError) -> Claim {
    // set_config(…, true) is SET LOCAL inside the statement's own transaction: the claim
    // stays one round trip. synchronous_commit = on so an acknowledged claim survives a server
    // crash even where the server runs with it off. The outer SELECT returns a row whether the
    // insert won (its id) or lost (NULL), with the clock skew measured either way.
    let sql = """
      WITH settings AS (
        SELECT set_config('synchronous_commit', 'on', true), set_config('lock_timeout', $9, true),
               round(extract(epoch FROM $10::timestamptz - now()) * 1000)::bigint AS skew_ms
      ), claimed AS (
        INSERT INTO \(table.quoted)
          (created_at, updated_at, job_name, job_identifier, worker, status,
           pid, command, slot_end, run_token, cronlock_version, clock_skew_ms)
        SELECT now(), now(), $1, $2, $3, 'RUNNING', $4::integer, $5, $6::timestamptz, $7, $8, skew_ms
        FROM settings
        ON CONFLICT (job_name, job_identifier) DO NOTHING
        RETURNING id
      )
      SELECT (SELECT id FROM claimed), skew_ms FROM settings
      """
    let parameters: [String?] = [
      request.job, request.slot.identifier, request.worker, String(request.pid), request.command,
      request.slot.end.map(Self.timestamptz), request.runToken, Version.current,
      "\(request.lockTimeout.milliseconds)ms", Self.timestamptz(Timestamp.now()),
    ]
    do {
      let result = try connection.execute(sql, parameters)
      let skew = result.value(row: 0, column: 1).flatMap { Int64($0) }.map(ClockSkew.init(milliseconds:))
      guard let id = result.value(row: 0, column: 0).flatMap({ Int64($0) }) else {
        return Claim(outcome: .lost, clockSkew: skew)
      }
      return Claim(outcome: .won(runID: id), clockSkew: skew)
    } catch {
      switch error.sqlState {
      case .uniqueViolation?, .serializationFailure?, .deadlockDetected?:
        return Claim(outcome: .lost)
      default:
        throw classify(error, doing: "claim the slot")
      }
    }
  }

  /// A timestamptz literal PostgreSQL parses the same whatever its TimeZone setting.
  static func timestamptz(_ instant: Timestamp) -> String {
    instant.formatted() + "+00"
  }

  public func finish(runID: Int64, _ record: RunRecord) throws(CronlockError) {
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
    if !connection.isHealthy { try reconnect() }
    let affected: Int
    do {
      affected = try connection.execute(sql, parameters).affectedRows
    } catch {
      throw classify(error, doing: "record the outcome")
    }
    if affected != 1 {
      throw .internalFailure("run \(runID) is no longer in \(table); its outcome was not recorded")
    }
  }

  private func reconnect() throws(CronlockError) {
    connection = try Self.open(url: url, connectTimeout: connectTimeout)
  }

  /// Maps a failed statement to an exit status (failure-modes.md, "What the claim does").
  func classify(_ error: PostgresError, doing what: String) -> CronlockError {
    let detail = url?.scrub(error.message) ?? error.message
    switch error.sqlState {
    case .undefinedTable?:
      return .configuration("table \(table) does not exist; run 'cronlock migrate'")
    case .undefinedColumn?, .invalidColumnReference?:
      return .configuration(
        "table \(table) lacks cronlock's columns or its unique index on (job_name, job_identifier); "
          + "run 'cronlock migrate' (\(detail))")
    case .insufficientPrivilege?:
      return .configuration("cannot \(what): \(detail)")
    default:
      return .unavailable("cannot \(what): \(detail)")
    }
  }
}
