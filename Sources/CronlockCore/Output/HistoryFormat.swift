/// How `cronlock list` prints rows.
public enum HistoryFormat: String, Sendable, CaseIterable {
  case table, json, csv

  /// The rows in this format; `table` settings apply only to `.table`. `terminal`: a person
  /// reads it, so CSV escapes control characters (JSON's own escapes already keep them out).
  public func render(_ rows: [HistoryRow], table: HistoryTable, terminal: Bool = false) -> String {
    switch self {
    case .table: table.render(rows)
    case .json: HistoryJSON.render(rows)
    case .csv: HistoryCSV.render(rows, forTerminal: terminal)
    }
  }
}
