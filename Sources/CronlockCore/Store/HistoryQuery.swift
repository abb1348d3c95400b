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
  /// Only the row with this id (`show`).
  public var runID: Int64?
  /// Of the rows the filters select, only each job's newest (highest id) or oldest: a job's
  /// last run, or with `status` its last run of that status.
  public var perJob: PerJob?

  public enum PerJob: Sendable, Equatable {
    case newest, oldest

    var aggregate: String { self == .newest ? "max" : "min" }
  }
  /// Also read the captured output (`show`); `list` never does, it can be a MiB a row.
  public var includesOutput = false

  public init(job: String? = nil, worker: String? = nil, status: String? = nil, since: TimeSpan? = nil,
              limit: Int = HistoryQuery.defaultLimit) {
    self.job = job
    self.worker = worker
    self.status = status
    self.since = since
    self.limit = limit
  }
}

/// How many rows of one job have one status (`metrics`).
public struct StatusCount: Sendable, Equatable {
  public var job: String?
  public var status: String?
  public var count: Int

  public init(job: String?, status: String?, count: Int) {
    self.job = job
    self.status = status
    self.count = count
  }
}
