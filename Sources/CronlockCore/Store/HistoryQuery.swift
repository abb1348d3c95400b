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
}
