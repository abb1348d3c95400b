/// What `cronlock list` asks for: filters, newest first, at most `limit` rows.
public struct HistoryQuery: Sendable, Equatable {
  public static let defaultLimit = 50

  public var job: String?
  public var worker: String?
  /// A stored status, e.g. `FAILED`; compared exactly.
  public var status: String?
  /// Only runs that started less than this long ago by the database's clock.
  public var since: TimeSpan?
  public var limit: Int

  public init(job: String? = nil, worker: String? = nil, status: String? = nil, since: TimeSpan? = nil,
              limit: Int = HistoryQuery.defaultLimit) {
    self.job = job
    self.worker = worker
    self.status = status
    self.since = since
    self.limit = limit
  }

  /// The SELECT for `table` and its parameters. Only fixed fragments are put in the text.
  /// `ORDER BY created_at DESC` matches the index on (job_name, created_at DESC), so
  /// `--job X --limit N` reads N index entries; `id DESC` only breaks ties.
  func statement(for table: TableName) -> (sql: String, parameters: [String?]) {
    var conditions: [String] = []
    var parameters: [String?] = []
    func add(_ condition: (String) -> String, _ value: String) {
      parameters.append(value)
      conditions.append(condition("$\(parameters.count)"))
    }
    if let job { add({ "job_name = \($0)" }, job) }
    if let worker { add({ "worker = \($0)" }, worker) }
    if let status { add({ "status = \($0)" }, status) }
    if let since {
      add({ "created_at >= now() - \($0)::interval" }, "\(since.nanoseconds / 1000) microseconds")
    }
    parameters.append(String(limit))
    let limitParameter = "$\(parameters.count)"
    let clause = conditions.isEmpty ? "" : "\n      WHERE " + conditions.joined(separator: " AND ")
    // The inner query picks the rows; the outer one converts only those, not every row the
    // scan passes to a sort when no index gives the order.
    let sql = """
      SELECT id, job_name, job_identifier, worker, status,
             \(Self.micros("created_at")), \(Self.micros("updated_at")), \(Self.micros("finished_at")),
             \(Self.micros("slot_end")), exit_code, signal, pid, command, note, cronlock_version,
             clock_skew_ms, heartbeat_seconds, \(Self.micros("now()"))
      FROM (SELECT * FROM \(table.quoted)\(clause)
            ORDER BY created_at DESC, id DESC
            LIMIT \(limitParameter)) AS newest
      ORDER BY created_at DESC, id DESC
      """
    return (sql, parameters)
  }

  /// Microseconds since the epoch, exact, and NULL for NULL or ±infinity (stored by hand).
  private static func micros(_ column: String) -> String {
    "CASE WHEN isfinite(\(column)) THEN floor(extract(epoch FROM \(column)) * 1000000)::bigint END"
  }
}
