/// `list`, `purge` and stale runs on SQLite. Times are fixed-width UTC text, so comparing and
/// sorting them as text is comparing and sorting instants, and the indexes serve both.
extension SQLiteLockStore {
  public func history(_ query: HistoryQuery) throws(CronlockError) -> [HistoryRow] {
    let now = Timestamp.now()
    var conditions: [String] = []
    var parameters: [SQLiteValue] = []
    func add(_ condition: String, _ value: SQLiteValue) {
      parameters.append(value)
      conditions.append(condition + " ?\(parameters.count)")
    }
    if let job = query.job { add("job_name =", .text(job)) }
    if let worker = query.worker { add("worker =", .text(worker)) }
    if let status = query.status { add("status =", .text(status)) }
    if let since = query.since { add("created_at >=", .text(now.adding(TimeSpan(nanoseconds: -since.nanoseconds)).sqliteText)) }
    parameters.append(.integer(query.limit))
    let sql = """
      SELECT id, job_name, job_identifier, worker, status, created_at, updated_at, finished_at, slot_end,
             exit_code, signal, pid, command, note, cronlock_version, clock_skew_ms, heartbeat_seconds
      FROM \(table.quoted)\(conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
      ORDER BY created_at DESC, id DESC
      LIMIT ?\(parameters.count)
      """
    let rows = try perform(doing: "list \(table)") { connection, deadline throws(SQLiteError) in
      try connection.query(sql, parameters, deadline: deadline)
    }
    return rows.map { HistoryRow(columns: $0, time: Timestamp.init(sqliteText:), now: now) }
  }

  public func countPurgeable(_ request: PurgeRequest) throws(CronlockError) -> Int {
    let (condition, parameters) = purgeCondition(request)
    let rows = try perform(doing: "count the rows to purge from \(table)") { connection, deadline throws(SQLiteError) in
      try connection.query("SELECT count(*) FROM \(table.quoted) WHERE \(condition)", parameters, deadline: deadline)
    }
    return Int((rows.first?.first ?? nil) ?? "") ?? 0
  }

  /// Deletes in batches, each its own short write transaction, so claims wait for one batch
  /// at most; interrupting it is safe.
  public func purge(_ request: PurgeRequest) throws(CronlockError) -> Int {
    let (condition, parameters) = purgeCondition(request)
    let sql = """
      DELETE FROM \(table.quoted) WHERE id IN (
        SELECT id FROM \(table.quoted) WHERE \(condition) ORDER BY updated_at, id LIMIT \(request.batchSize))
      """
    var deleted = 0
    while true {
      let batch = try perform(doing: "purge \(table)") { connection, deadline throws(SQLiteError) in
        try connection.query(sql, parameters, deadline: deadline)
        return connection.changes
      }
      guard batch > 0 else { return deleted }
      deleted += batch
    }
  }

  /// Terminal rows last updated before now − ttl whose slot ended before now − the hour it
  /// stays claimable; both bounds read once, so every batch uses the same.
  private func purgeCondition(_ request: PurgeRequest) -> (String, [SQLiteValue]) {
    let now = Timestamp.now()
    var parameters = PurgeRequest.terminalStatuses.map { SQLiteValue.text($0.rawValue) } + [
      .text(now.adding(TimeSpan(nanoseconds: -request.ttl.nanoseconds)).sqliteText),
      .text(now.adding(TimeSpan(nanoseconds: -Slot.claimableAfterEnd.nanoseconds)).sqliteText),
    ]
    var condition = "status IN (?1, ?2, ?3) AND updated_at < ?4 AND (slot_end IS NULL OR slot_end < ?5)"
    if let job = request.job {
      parameters.append(.text(job))
      condition += " AND job_name = ?6"
    }
    return (condition, parameters)
  }

  public func abandonStale(after: TimeSpan, job: String?, dryRun: Bool) throws(CronlockError) -> Int {
    let condition = """
      status = 'RUNNING'
        AND julianday(updated_at) < julianday(?1) - max(?2 / 1000.0, 3 * coalesce(heartbeat_seconds, 0)) / 86400.0
        AND (?3 IS NULL OR job_name = ?3)
      """
    var parameters: [SQLiteValue] = [.text(Timestamp.now().sqliteText), .integer(after.milliseconds), .text(job)]
    let sql: String
    if dryRun {
      sql = "SELECT count(*) FROM \(table.quoted) WHERE \(condition)"
    } else {
      parameters.append(.text(after.description))
      sql = """
        UPDATE \(table.quoted)
        SET status = 'ABANDONED', updated_at = ?1,
            note = 'no sign of life since ' || strftime('%Y-%m-%d %H:%M:%S', updated_at) || ' UTC; '
                   || 'marked ABANDONED by cronlock purge --stale-after ' || ?4
        WHERE \(condition)
        """
    }
    return try perform(doing: "mark stale runs of \(table)") { connection, deadline throws(SQLiteError) in
      let rows = try connection.query(sql, parameters, deadline: deadline)
      return dryRun ? Int((rows.first?.first ?? nil) ?? "") ?? 0 : connection.changes
    }
  }

  /// Runs `body` on an existing file within --connect-timeout, mapping failures to statuses.
  func perform<Result>(doing what: String, _ body: (SQLiteConnection, Deadline) throws(SQLiteError) -> Result)
    throws(CronlockError) -> Result
  {
    let deadline = Deadline.after(connectTimeout)
    let connection = try connect(creating: false, deadline: deadline, interruption: nil)
    do throws(SQLiteError) {
      return try body(connection, deadline)
    } catch {
      throw classify(error, doing: what)
    }
  }
}
