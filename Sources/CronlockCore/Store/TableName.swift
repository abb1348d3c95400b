/// The lock table's name, `table` or `schema.table`, always quoted as an identifier.
public struct TableName: Sendable, Equatable, CustomStringConvertible {
  public static let standard = TableName(schema: nil, name: "cron_job_locks")

  public let schema: String?
  public let name: String

  init(schema: String?, name: String) {
    self.schema = schema
    self.name = name
  }

  /// Splits at one `.`; each part is taken literally (case and all) and must be 1–63 bytes
  /// without NUL, PostgreSQL's limit for identifiers.
  public init(parsing text: String) throws(CronlockError) {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    guard parts.count <= 2 else {
      throw .usage("table name '\(LockName.escaped(text))' has more than one '.'; use schema.table")
    }
    for part in parts {
      guard !part.isEmpty, part.utf8.count <= 63, !part.utf8.contains(0) else {
        throw .usage("table name '\(LockName.escaped(text))' needs 1 to 63 bytes in each part, without NUL")
      }
    }
    self.init(schema: parts.count == 2 ? parts[0] : nil, name: parts[parts.count - 1])
  }

  /// `"schema"."table"`, safe to put in SQL text.
  public var quoted: String {
    (schema.map { Self.quote($0) + "." } ?? "") + Self.quote(name)
  }

  public var description: String { (schema.map { $0 + "." } ?? "") + name }

  static func quote(_ identifier: String) -> String {
    "\"" + identifier.replacing("\"", with: "\"\"") + "\""
  }
}
