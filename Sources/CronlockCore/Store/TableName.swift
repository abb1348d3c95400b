/// The lock table's name, `table` or `schema.table`, always quoted as an identifier.
///
/// PostgreSQL never resolves it through `search_path`: a name without a schema means the table
/// in `public` (`qualified`), the schema the Go lockers' default search_path creates their
/// unqualified `cron_job_locks` in. search_path is searched after `pg_temp`, so an unqualified
/// name could be captured by any session's temporary table (which PgBouncer's pooled server
/// connections carry from one client to the next) or by a table in any schema earlier on the
/// path, owned by whoever could create there. A fixed rule needs no catalog lookup, so the
/// claim stays one round trip; `check` and `migrate` say when search_path finds another table.
public struct TableName: Sendable, Equatable, CustomStringConvertible {
  public static let standard = TableName(schema: nil, name: "cron_job_locks")

  /// Where PostgreSQL looks for a name given without a schema.
  public static let defaultSchema = "public"

  public let schema: String?
  public let name: String
  /// The schema is `qualified`'s default, not one the user named.
  public let schemaIsDefault: Bool

  init(schema: String?, name: String, schemaIsDefault: Bool = false) {
    self.schema = schema
    self.name = name
    self.schemaIsDefault = schemaIsDefault
  }

  public static func == (left: TableName, right: TableName) -> Bool {
    left.schema == right.schema && left.name == right.name
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

  /// The same table with its schema spelled out: `public` when none was given.
  public var qualified: TableName {
    schema == nil ? TableName(schema: Self.defaultSchema, name: name, schemaIsDefault: true) : self
  }

  /// The name alone, quoted: what search_path would resolve (for `check` and `migrate` to
  /// compare against, never to use).
  public var quotedUnqualified: String { Self.quote(name) }

  /// `"schema"."table"`, safe to put in SQL text.
  public var quoted: String {
    (schema.map { Self.quote($0) + "." } ?? "") + Self.quote(name)
  }

  public var description: String { (schema.map { $0 + "." } ?? "") + name }

  static func quote(_ identifier: String) -> String {
    "\"" + identifier.replacing("\"", with: "\"\"") + "\""
  }
}
