import CronlockCore

extension Connection {
  /// For test fixtures: a statement that must answer within 30 s (cronlock's own code always
  /// names its deadline).
  @discardableResult
  func execute(_ sql: String, _ parameters: [String?] = []) throws(PostgresError) -> QueryResult {
    try execute(sql, parameters, deadline: .after(.seconds(30)))
  }
}
