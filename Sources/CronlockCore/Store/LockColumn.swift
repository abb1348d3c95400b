/// One logical column of the lock table (design §4). Each store renders its own DDL from
/// `LockColumn.all`; nothing here is any database's type name.
public struct LockColumn: Sendable, Equatable {
  public enum Kind: Sendable, Equatable {
    /// The row id: a 64-bit key the database assigns, increasing; cronlock's run id.
    case id
    case text
    /// Fits 32 bits.
    case integer
    /// An instant, to the microsecond.
    case timestamp
    /// Raw bytes (captured output); read back as lowercase hex.
    case bytes
  }

  public let name: String
  public let kind: Kind
  /// The seed's seven columns, which the Go lockers create and write; the rest are cronlock's.
  public let seed: Bool
  /// NOT NULL. Only seed columns are: cronlock's own stay nullable so the Go lockers keep working.
  public let required: Bool
  /// The database fills it with its clock when an insert leaves it out.
  public let defaultsToNow: Bool

  init(_ name: String, _ kind: Kind, seed: Bool = false, required: Bool = false, defaultsToNow: Bool = false) {
    self.name = name
    self.kind = kind
    self.seed = seed
    self.required = required
    self.defaultsToNow = defaultsToNow
  }

  /// The seed's columns, in the seed's order.
  public static let seedColumns: [LockColumn] = [
    LockColumn("id", .id, seed: true, required: true),
    LockColumn("created_at", .timestamp, seed: true, required: true, defaultsToNow: true),
    LockColumn("updated_at", .timestamp, seed: true, required: true, defaultsToNow: true),
    LockColumn("job_name", .text, seed: true, required: true),
    LockColumn("job_identifier", .text, seed: true, required: true),
    LockColumn("worker", .text, seed: true, required: true),
    LockColumn("status", .text, seed: true, required: true),
  ]

  /// cronlock's own columns, all nullable; `migrate` adds the ones a table lacks.
  public static let cronlockColumns: [LockColumn] = [
    LockColumn("finished_at", .timestamp),
    LockColumn("exit_code", .integer),
    LockColumn("signal", .integer),
    LockColumn("pid", .integer),
    LockColumn("command", .text),
    LockColumn("slot_end", .timestamp),
    LockColumn("note", .text),
    LockColumn("run_token", .text),
    LockColumn("cronlock_version", .text),
    LockColumn("clock_skew_ms", .integer),
    LockColumn("heartbeat_seconds", .integer),
    LockColumn("slot_rule", .text),
    LockColumn("output", .bytes),
  ]

  public static let all = seedColumns + cronlockColumns

  /// What `list` reads: every column but the run token, which only the claim's read-back needs,
  /// and the captured output, which only `show` reads (`HistoryQuery.includesOutput`).
  public static let history = all.filter { $0.name != "run_token" && $0.name != "output" }

  /// The captured output's column.
  public static let output = all.first { $0.name == "output" }!

  /// The unique key every claim races on.
  public static let uniqueKey = ["job_name", "job_identifier"]
}
