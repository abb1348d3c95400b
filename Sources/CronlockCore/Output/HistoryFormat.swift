/// How `cronlock list` prints rows.
public enum HistoryFormat: String, Sendable, CaseIterable {
  case table, json, csv

  /// The rows in this format; `table` settings apply only to `.table`.
  public func render(_ rows: [HistoryRow], table: HistoryTable) -> String {
    switch self {
    case .table: table.render(rows)
    case .json: HistoryJSON.render(rows)
    case .csv: HistoryCSV.render(rows)
    }
  }
}
