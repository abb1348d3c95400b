extension PostgresLockStore {
  /// The rows `query` selects, newest first. Needs cronlock's columns (`cronlock migrate`).
  public func history(_ query: HistoryQuery) throws(CronlockError) -> [HistoryRow] {
    let (sql, parameters) = query.statement(for: table)
    do {
      let result = try connection.execute(sql, parameters)
      return (0..<result.rowCount).map { row in
        func text(_ column: Int) -> String? { result.value(row: row, column: column) }
        func time(_ column: Int) -> Timestamp? { text(column).flatMap(Self.timestamp(micros:)) }
        func int32(_ column: Int) -> Int32? { text(column).flatMap { Int32($0) } }
        var entry = HistoryRow(
          id: text(0).flatMap { Int64($0) } ?? 0, job: text(1), identifier: text(2), worker: text(3),
          status: text(4), startedAt: time(5), updatedAt: time(6), finishedAt: time(7), slotEnd: time(8),
          exitCode: int32(9), signal: int32(10), pid: int32(11), command: text(12), note: text(13),
          cronlockVersion: text(14))
        entry.clockSkewMilliseconds = text(16).flatMap { Int64($0) }
        entry.heartbeatSeconds = text(17).flatMap { Int64($0) }
        entry.duration = HistoryRow.duration(
          status: entry.status, startedAt: entry.startedAt, updatedAt: entry.updatedAt,
          finishedAt: entry.finishedAt, now: time(15))
        return entry
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
