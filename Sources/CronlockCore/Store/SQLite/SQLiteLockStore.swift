import CSQLite

/// The lock table in an SQLite file, for one host: the same rows, claim and exit statuses as
/// PostgreSQL. The database's clock is this host's, so a claim has no skew to measure.
/// `BEGIN IMMEDIATE` stands in for advisory locks: it takes the file's one write lock.
public final class SQLiteLockStore: LockStore {
  public let table: TableName
  public let location: SQLiteLocation
  let connectTimeout: TimeSpan
  private var current: SQLiteConnection?

  /// Loads SQLite and checks the table name (78 when either cannot work); opens the file later,
  /// when first needed.
  public init(location: SQLiteLocation, table: TableName, connectTimeout: TimeSpan) throws(CronlockError) {
    try LibSQLite.load()
    guard table.schema == nil else {
      throw .configuration("SQLite has no schemas: give --table a plain name, not '\(LockName.escaped(table.description))'")
    }
    self.location = location
    self.table = table
    self.connectTimeout = connectTimeout
  }

  /// The open connection; the first call opens the file, in WAL mode. Only `run` and
  /// `migrate` create a missing file: `list`, `purge` and `check` would only make an empty one.
  func connect(creating: Bool, deadline: Deadline) throws(CronlockError) -> SQLiteConnection {
    if let current { return current }
    if let kind = location.networkFileSystem {
      throw .configuration(
        "\(location) is on a network file system (\(kind)): SQLite's locks do not hold across hosts there, "
          + "so two hosts could both run a slot; use a PostgreSQL URL")
    }
    let connection: SQLiteConnection
    let mode: String?
    do throws(SQLiteError) {
      connection = try SQLiteConnection.open(path: location.path, create: creating)
      // WAL: readers never wait for the writer. synchronous = FULL fsyncs each commit, so an
      // acknowledged claim survives a power cut (PostgreSQL's synchronous_commit = on).
      mode = try connection.query("PRAGMA journal_mode = WAL", deadline: deadline)
        .first?.first ?? nil
      try connection.query("PRAGMA synchronous = FULL", deadline: deadline)
      if mode == "wal" { try connection.keepWriteAheadLog() }
    } catch {
      throw classify(error, doing: "open \(location)")
    }
    guard mode == "wal" else {
      throw .configuration("cannot put \(location) in WAL mode (its journal mode stayed \(mode ?? "unknown"))")
    }
    current = connection
    return connection
  }

  public func claim(_ request: ClaimRequest, deadline: Deadline) throws(CronlockError) -> Claim {
    var retry = RetryDecision(budget: connectTimeout, doing: "claim the slot")
    var migrated = false
    while true {
      let connection = try connect(creating: true, deadline: deadline)
      // Waiting for the write lock is waiting for other claims to commit: --lock-timeout bounds it.
      let lockDeadline = min(deadline, .after(request.lockTimeout))
      let failure: AttemptFailure
      do throws(SQLiteError) {
        return try SQLiteClaim(table: table, request: request)
          .run(on: connection, deadline: lockDeadline)
      } catch {
        // A missing table is made on first use: the first run on a new file needs no migrate. A
        // table that exists (gocron-gorm-lock's) is only changed by migrate, as on PostgreSQL.
        if SQLiteSchema.isMissingSchema(error), !migrated, let exists = try? tableExists(on: connection, deadline: deadline) {
          migrated = true
          if !exists {
            _ = try migrate(on: connection, deadline: deadline)
            continue
          }
          // Another first run created the table after this attempt found none: try again on it.
          if error.message.hasPrefix("no such table") { continue }
        }
        failure = attemptFailure(error, request: request, deadline: deadline)
      }
      switch retry.next(after: failure, timeLeft: deadline.timeLeft) {
      case .lost:
        return Claim(outcome: .lost)
      case .fail(let error):
        throw error
      case .retry(let pause, _):
        // Every attempt reads the slot's row first, so a commit that did land is found.
        current = nil
        retryReporter?.info("cannot claim the slot yet (\(failure.problem)); retrying in \(pause)", event: .retrying)
        CronlockCore.pause(until: min(.after(pause), deadline))
      }
    }
  }

  /// How one failed claim attempt reads: a busy file past --lock-timeout is final (75), as
  /// PostgreSQL's lock_timeout is.
  private func attemptFailure(_ error: SQLiteError, request: ClaimRequest, deadline: Deadline) -> AttemptFailure {
    if error.isBusy {
      return .final(deadline.hasPassed
        ? .unavailable("cannot claim the slot: gave up after --connect-timeout \(connectTimeout): \(location) stayed locked by another writer")
        : .unavailable("cannot claim the slot: \(location) stayed locked by another writer for --lock-timeout \(request.lockTimeout)"))
    }
    return SQLiteSchema.isTransient(error) ? .transient(error.message, mayHaveCommitted: false)
      : .final(classify(error, doing: "claim the slot"))
  }

  private func tableExists(on connection: SQLiteConnection, deadline: Deadline) throws(SQLiteError) -> Bool {
    try !connection.query(SQLiteSchema.columnsQuery, [.text(table.name)], deadline: deadline).isEmpty
  }

  public func heartbeat(runID: Int64, deadline: Deadline) throws(CronlockError) {
    let connection = try connect(creating: false, deadline: deadline)
    do throws(SQLiteError) {
      try connection.query(
        "UPDATE \(table.quoted) SET updated_at = ?2 WHERE id = ?1 AND status = 'RUNNING'",
        [.integer(runID), .text(Timestamp.now().sqliteText)], deadline: deadline)
    } catch {
      throw classify(error, doing: "refresh the heartbeat")
    }
  }

  public func finish(runID: Int64, _ record: RunRecord, deadline: Deadline) throws(CronlockError) {
    let sql = """
      UPDATE \(table.quoted)
      SET status = ?2, exit_code = ?3, signal = ?4, note = ?5, finished_at = ?6, updated_at = ?6,
          output = coalesce(?7, output)
      WHERE id = ?1
      """
    var retry = RetryDecision(budget: TimeSpan(nanoseconds: max(1, deadline.timeLeft.nanoseconds)),
                              doing: "record the outcome")
    while true {
      let connection = try connect(creating: false, deadline: deadline)
      do throws(SQLiteError) {
        try connection.query(sql, [
          .integer(runID), .text(record.status.rawValue), .integer(record.exitCode), .integer(record.signal),
          .text(record.note), .text(Timestamp.now().sqliteText), record.output.map { .blob($0) } ?? .null,
        ], deadline: deadline)
      } catch {
        // An UPDATE by id is idempotent: a retry after a busy or broken attempt is safe.
        let failure: AttemptFailure = SQLiteSchema.isTransient(error) || error.isBusy
          ? .transient(error.message, mayHaveCommitted: true) : .final(classify(error, doing: "record the outcome"))
        switch retry.next(after: failure, timeLeft: deadline.timeLeft) {
        case .lost, .fail:
          throw classify(error, doing: "record the outcome")
        case .retry(let pause, _):
          current = nil
          CronlockCore.pause(until: min(.after(pause), deadline))
          continue
        }
      }
      guard connection.changes == 1 else { throw .internalFailure("the row is no longer in \(table)") }
      return
    }
  }

  /// Says each retry of the claim (only with --verbose: `info`).
  public var retryReporter: Reporter?

  public func closeConnection() {
    current = nil
  }

  /// Nothing to do: a wait for the file's lock ends with the process, and leaves nothing behind.
  public func cancelInFlight() {}

  public func release(_ request: ClaimRequest, deadline: Deadline) {
    _ = try? connect(creating: false, deadline: deadline).query(
      "DELETE FROM \(table.quoted) WHERE job_name = ?1 AND job_identifier = ?2 AND run_token = ?3",
      [.text(request.job), .text(request.slot.identifier), .text(request.runToken)], deadline: deadline)
  }

  /// Maps a failure to an exit status: 78 for what the operator must fix (the file cannot be
  /// opened or written, is not a database, lacks the table), 75 for the rest.
  func classify(_ error: SQLiteError, doing what: String) -> CronlockError {
    if error.isBusy {
      return .unavailable("cannot \(what): \(location) stayed locked by another writer for --connect-timeout \(connectTimeout)")
    }
    switch error.code {
    case SQLITE_CANTOPEN:
      return .configuration("cannot open SQLite database \(location): \(error.message)")
    case SQLITE_NOTADB:
      return .configuration("\(location) is not an SQLite database: \(error.message)")
    case SQLITE_READONLY, SQLITE_PERM, SQLITE_AUTH:
      return .configuration("cannot \(what): \(location): \(error.message)")
    default:
      break
    }
    if error.message.hasPrefix("no such table") {
      return .configuration("table \(table) does not exist in \(location); run 'cronlock migrate'")
    }
    if SQLiteSchema.isMissingSchema(error) {
      return .configuration(
        "table \(table) lacks cronlock's columns or its unique index on (job_name, job_identifier); "
          + "run 'cronlock migrate' (\(error.message))")
    }
    return .unavailable("cannot \(what): \(location): \(error.message)")
  }
}
