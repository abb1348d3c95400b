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
    if let runID = query.runID { add("id =", .integer(runID)) }
    parameters.append(.integer(query.limit))
    var clause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
    if let perJob = query.perJob {
      clause = " WHERE id IN (SELECT \(perJob.aggregate)(id) FROM \(table.quoted)\(clause) GROUP BY job_name)"
    }
    let columns = (LockColumn.history + (query.includesOutput ? [LockColumn.output] : [])).map { column in
      column.kind == .bytes ? "lower(hex(\(column.name))) AS \(column.name)" : column.name
    }
    let sql = """
      SELECT \(columns.joined(separator: ", "))
      FROM \(table.quoted)\(clause)
      ORDER BY created_at DESC, id DESC
      LIMIT ?\(parameters.count)
      """
    let records = try perform(doing: "list \(table)") { connection, deadline throws(SQLiteError) in
      try connection.records(sql, parameters, deadline: deadline)
    }
    return records.map { HistoryRow(record: $0, time: Timestamp.init(sqliteText:), now: now) }
  }

  public func statusCounts(job: String?) throws(CronlockError) -> [StatusCount] {
    let sql = """
      SELECT job_name, status, count(*) FROM \(table.quoted)
      WHERE ?1 IS NULL OR job_name = ?1 GROUP BY job_name, status ORDER BY job_name, status
      """
    let rows = try perform(doing: "count the runs in \(table)") { connection, deadline throws(SQLiteError) in
      try connection.query(sql, [.text(job)], deadline: deadline)
    }
    return rows.map { StatusCount(job: $0[0], status: $0[1], count: $0[2].flatMap { Int($0) } ?? 0) }
  }

  public func countPurgeable(_ request: PurgeRequest) throws(CronlockError) -> Int {
    var count = 0
    let now = Timestamp.now()
    for status in PurgeRequest.terminalStatuses {
      let (condition, parameters) = purgeCondition(request, status: status, now: now)
      let rows = try perform(doing: "count the rows to purge from \(table)") { connection, deadline throws(SQLiteError) in
        try connection.query("SELECT count(*) FROM \(table.quoted) WHERE \(condition)", parameters, deadline: deadline)
      }
      count += Int((rows.first?.first ?? nil) ?? "") ?? 0
    }
    return count
  }

  /// Deletes in batches, each its own short write transaction, so claims wait for one batch
  /// at most; interrupting it is safe. One status at a time, so each batch is the next rows of
  /// the (status, updated_at) index, not a sort of every row the three statuses match.
  public func purge(_ request: PurgeRequest) throws(CronlockError) -> Int {
    var deleted = 0
    let now = Timestamp.now()
    for status in PurgeRequest.terminalStatuses {
      let (condition, parameters) = purgeCondition(request, status: status, now: now)
      let sql = """
        DELETE FROM \(table.quoted) WHERE id IN (
          SELECT id FROM \(table.quoted) WHERE \(condition) ORDER BY updated_at LIMIT \(request.batchSize))
        """
      while true {
        let batch = try perform(doing: "purge \(table)") { connection, deadline throws(SQLiteError) in
          try connection.query(sql, parameters, deadline: deadline)
          return connection.changes
        }
        guard batch > 0 else { break }
        deleted += batch
      }
    }
    return deleted
  }

  /// Rows of `status` last updated before now − ttl whose slot ended before now − the hour it
  /// stays claimable; `now` is read once, so every batch uses the same bounds.
  private func purgeCondition(_ request: PurgeRequest, status: RunStatus, now: Timestamp) -> (String, [SQLiteValue]) {
    var parameters: [SQLiteValue] = [
      .text(status.rawValue),
      .text(now.adding(TimeSpan(nanoseconds: -request.ttl.nanoseconds)).sqliteText),
      .text(now.adding(TimeSpan(nanoseconds: -Slot.claimableAfterEnd.nanoseconds)).sqliteText),
    ]
    var condition = "status = ?1 AND updated_at < ?2 AND (slot_end IS NULL OR slot_end < ?3)"
    if let job = request.job {
      parameters.append(.text(job))
      condition += " AND job_name = ?4"
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
    let connection = try connect(creating: false, deadline: deadline)
    do throws(SQLiteError) {
      return try body(connection, deadline)
    } catch {
      throw classify(error, doing: what)
    }
  }
}
