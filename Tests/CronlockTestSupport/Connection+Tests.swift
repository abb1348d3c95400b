import CronlockCore

extension Connection {
  /// For test fixtures: a connection made within 10 s.
  public static func connect(url: String?, connectTimeout: TimeSpan) throws(PostgresError) -> Connection {
    try connect(url: url, connectTimeout: connectTimeout, deadline: .after(connectTimeout))
  }

  /// For test fixtures: a statement that must answer within 30 s (cronlock's own code always
  /// names its deadline).
  @discardableResult
  public func execute(_ sql: String, _ parameters: [String?] = []) throws(PostgresError) -> QueryResult {
    try execute(sql, parameters, deadline: .after(.seconds(30)))
  }
}
