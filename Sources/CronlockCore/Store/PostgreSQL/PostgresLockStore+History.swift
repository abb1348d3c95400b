extension PostgresLockStore {
  /// The rows `query` selects, newest first. Needs cronlock's columns (`cronlock migrate`).
  public func history(_ query: HistoryQuery) throws(CronlockError) -> [HistoryRow] {
    let (sql, parameters) = Self.statement(query, table: table)
    do {
      let result = try connection.execute(sql, parameters, deadline: statementDeadline)
      return (0..<result.rowCount).map { row in
        let record = result.record(row)
        return HistoryRow(record: record, time: Self.timestamp(micros:), now: (record["now"] ?? nil).flatMap(Self.timestamp(micros:)))
      }
    } catch {
      throw classify(error, doing: "list \(table)")
    }
  }

  /// The SELECT for `query` on `table` and its parameters. Only fixed fragments are put in the
  /// text. `ORDER BY created_at DESC` matches the index on (job_name, created_at DESC), so
  /// `--job X --limit N` reads N index entries; `id DESC` only breaks ties.
  static func statement(_ query: HistoryQuery, table: TableName) -> (sql: String, parameters: [String?]) {
    var conditions: [String] = []
    var parameters: [String?] = []
    func add(_ condition: (String) -> String, _ value: String) {
      parameters.append(value)
      conditions.append(condition("$\(parameters.count)"))
    }
    if let job = query.job { add({ "job_name = \($0)" }, job) }
    if let worker = query.worker { add({ "worker = \($0)" }, worker) }
    if let status = query.status { add({ "status = \($0)" }, status) }
    if let since = query.since {
      add({ "created_at >= now() - \($0)::interval" }, "\(since.nanoseconds / 1000) microseconds")
    }
    if let runID = query.runID { add({ "id = \($0)::bigint" }, String(runID)) }
    parameters.append(String(query.limit))
    let limitParameter = "$\(parameters.count)"
    var clause = conditions.isEmpty ? "" : "\n      WHERE " + conditions.joined(separator: " AND ")
    if let perJob = query.perJob {
      clause = "\n      WHERE id IN (SELECT \(perJob.aggregate)(id) FROM \(table.quoted)\(clause) GROUP BY job_name)"
    }
    // Times as exact microseconds, named as the columns they come from; bytes as hex.
    let columns = (LockColumn.history + (query.includesOutput ? [LockColumn.output] : [])).map { column in
      switch column.kind {
      case .timestamp: micros(column.name) + " AS " + column.name
      case .bytes: "encode(\(column.name), 'hex') AS \(column.name)"
      case .id, .text, .integer: column.name
      }
    }
    // The inner query picks the rows; the outer one converts only those, not every row the
    // scan passes to a sort when no index gives the order.
    let sql = """
      SELECT \(columns.joined(separator: ", ")), \(micros("now()")) AS now
      FROM (SELECT * FROM \(table.quoted)\(clause)
            ORDER BY created_at DESC, id DESC
            LIMIT \(limitParameter)) AS newest
      ORDER BY created_at DESC, id DESC
      """
    return (sql, parameters)
  }

  public func statusCounts(job: String?) throws(CronlockError) -> [StatusCount] {
    let sql = """
      SELECT job_name, status, count(*) FROM \(table.quoted)
      WHERE $1::text IS NULL OR job_name = $1 GROUP BY job_name, status ORDER BY job_name, status
      """
    do {
      let result = try connection.execute(sql, [job], deadline: statementDeadline)
      return (0..<result.rowCount).map { row in
        StatusCount(job: result.value(row: row, column: 0), status: result.value(row: row, column: 1),
                    count: result.value(row: row, column: 2).flatMap { Int($0) } ?? 0)
      }
    } catch {
      throw classify(error, doing: "count the runs in \(table)")
    }
  }

  /// Microseconds since the epoch, exact, and NULL for NULL or ±infinity (stored by hand).
  private static func micros(_ column: String) -> String {
    "CASE WHEN isfinite(\(column)) THEN floor(extract(epoch FROM \(column)) * 1000000)::bigint END"
  }

  /// Nil beyond what `Timestamp` holds (about years 1678–2262).
  static func timestamp(micros text: String) -> Timestamp? {
    guard let micros = Int64(text) else { return nil }
    let (nanoseconds, overflow) = micros.multipliedReportingOverflow(by: 1000)
    return overflow ? nil : Timestamp(nanosecondsSinceEpoch: nanoseconds)
  }
}

extension QueryResult {
  /// One row, keyed by column name (nil for SQL NULL).
  func record(_ row: Int) -> [String: String?] {
    var record: [String: String?] = [:]
    for column in 0..<columnCount { record[columnName(column)] = .some(value(row: row, column: column)) }
    return record
  }
}
