extension PostgresLockStore {
  /// The rows `query` selects, newest first. Needs cronlock's columns (`cronlock migrate`).
  public func history(_ query: HistoryQuery) throws(CronlockError) -> [HistoryRow] {
    let (sql, parameters) = query.statement(for: table)
    do {
      let result = try connection.execute(sql, parameters, deadline: statementDeadline)
      return (0..<result.rowCount).map { row in
        let columns = (0..<result.columnCount).map { result.value(row: row, column: $0) }
        return HistoryRow(columns: columns, time: Self.timestamp(micros:), now: columns[17].flatMap(Self.timestamp(micros:)))
      }
    } catch {
      throw classify(error, doing: "list \(table)")
    }
  }

  /// Nil beyond what `Timestamp` holds (about years 1678–2262).
  static func timestamp(micros text: String) -> Timestamp? {
    guard let micros = Int64(text) else { return nil }
    let (nanoseconds, overflow) = micros.multipliedReportingOverflow(by: 1000)
    return overflow ? nil : Timestamp(nanosecondsSinceEpoch: nanoseconds)
  }
}
