import CSQLite

/// The lock table's schema in SQLite, rendered from `LockColumn`: gorm's SQLite types for the
/// seed's seven columns, then cronlock's nullable ones; times are text (`Timestamp.sqliteText`).
struct SQLiteSchema {
  let table: TableName

  /// A column's type in SQLite. No DEFAULT for times: SQLite's CURRENT_TIMESTAMP is another
  /// text format, and every insert of cronlock's writes them.
  static func definition(of column: LockColumn) -> String {
    let type = switch column.kind {
    case .id: "integer PRIMARY KEY AUTOINCREMENT"
    case .text: "text"
    case .integer: "integer"
    case .timestamp: "datetime"
    case .bytes: "blob"
    }
    return column.name + " " + type + (column.required && column.kind != .id ? " NOT NULL" : "")
  }

  var createTable: String {
    "CREATE TABLE IF NOT EXISTS \(table.quoted) (\n"
      + LockColumn.all.map { "  " + Self.definition(of: $0) }.joined(separator: ",\n") + "\n)"
  }

  static var cronlockColumns: [LockColumn] { LockColumn.cronlockColumns }

  /// SQLite has no ADD COLUMN IF NOT EXISTS: one statement per column the table lacks.
  func addColumn(_ column: LockColumn) -> String {
    "ALTER TABLE \(table.quoted) ADD COLUMN \(Self.definition(of: column))"
  }

  /// `CREATE [UNIQUE] INDEX name ON table (columns)`.
  func createIndex(_ index: LockIndex, named name: String) -> String {
    "CREATE \(index.unique ? "UNIQUE " : "")INDEX \(TableName.quote(name)) ON \(table.quoted) (\(index.columns.joined(separator: ", ")))"
  }

  /// Who owns name ?1 in the file (tables, indexes and views share one namespace): nobody,
  /// an index on table ?2, or something else.
  static let nameOwnerQuery = """
    SELECT CASE WHEN type = 'index' AND tbl_name = ?2 THEN 'this' ELSE 'other' END
    FROM sqlite_master WHERE name = ?1 COLLATE NOCASE
    """

  /// The rows that share a (job_name, job_identifier), oldest first in each slot.
  var duplicatesQuery: String {
    """
    SELECT id, job_name, job_identifier, worker, status FROM \(table.quoted)
    WHERE (job_name, job_identifier) IN
          (SELECT job_name, job_identifier FROM \(table.quoted) GROUP BY 1, 2 HAVING count(*) > 1)
    ORDER BY job_name, job_identifier, id
    """
  }

  /// Finds a usable unique index by catalog, not by name: unique, not partial, on exactly
  /// (job_name, job_identifier). ?1 is the table name.
  static let uniqueIndexQuery = """
    SELECT EXISTS (
      SELECT 1 FROM pragma_index_list(?1) AS list
      WHERE list."unique" AND NOT list.partial
        AND (SELECT group_concat(name, ',') FROM
               (SELECT name FROM pragma_index_info(list.name) ORDER BY name)) = 'job_identifier,job_name')
    """

  static let columnsQuery = "SELECT name FROM pragma_table_info(?1)"

  /// What `migrate --print-sql` shows.
  var script: String {
    var lines = [
      "PRAGMA journal_mode = WAL;",
      "BEGIN IMMEDIATE;",
      createTable + ";",
      "-- An existing table (gocron-gorm-lock's) gets each of cronlock's columns it lacks:",
    ]
    lines += Self.cronlockColumns.map { "--   " + addColumn($0) + ";" }
    lines += [
      "-- Only when no unique index on (job_name, job_identifier) exists, whatever its name,",
      "-- and no two rows share a (job_name, job_identifier):",
      createIndex(.uniqueKey, named: LockIndex.uniqueKey.candidateNames(for: table)[0]) + ";",
      "-- Each index under the first of its names nothing else in the file owns:",
    ]
    lines += LockIndex.secondary.map { createIndex($0, named: $0.candidateNames(for: table)[0]) + ";" }
    lines.append("COMMIT;")
    return lines.joined(separator: "\n")
  }

  /// The table, a column or the unique index the claim needs is missing.
  static func isMissingSchema(_ error: SQLiteError) -> Bool {
    error.code == SQLITE_ERROR
      && ["no such table", "no such column", "has no column named", "ON CONFLICT clause does not match"]
        .contains { error.message.contains($0) }
  }

  /// Failures worth another try within the deadline. Waiting for a lock is not one: the busy
  /// handler already waited for it until the deadline.
  static func isTransient(_ error: SQLiteError) -> Bool {
    [SQLITE_IOERR, SQLITE_PROTOCOL, SQLITE_FULL, SQLITE_NOMEM].contains(error.code)
  }
}

extension SQLiteLockStore {
  public var migrationScript: String { SQLiteSchema(table: table).script }

  public func migrate(_ options: MigrationOptions) throws(CronlockError) -> MigrationReport {
    let deadline = Deadline.after(connectTimeout)
    return try migrate(on: connect(creating: true, deadline: deadline), options, deadline: deadline)
  }

  /// Creates what is missing in one `BEGIN IMMEDIATE` transaction, so many first runs at once
  /// create it once; adopts a table gocron-gorm-lock made in the same file. All or nothing:
  /// a refusal (duplicates, index names others own) rolls back.
  func migrate(on connection: SQLiteConnection, _ options: MigrationOptions = MigrationOptions(), deadline: Deadline) throws(CronlockError) -> MigrationReport
  {
    do throws(SQLiteError) {
      try connection.query("BEGIN IMMEDIATE", deadline: deadline)
    } catch {
      throw classify(error, doing: "migrate \(table)")
    }
    do {
      let report = try migrateSteps(on: connection, options, deadline: deadline)
      try connection.query("COMMIT", deadline: deadline)
      return report
    } catch {
      if connection.inTransaction { _ = try? connection.query("ROLLBACK", deadline: .after(.seconds(2))) }
      switch error {
      case let error as CronlockError: throw error
      case let error as SQLiteError: throw classify(error, doing: "migrate \(table)")
      default: throw .internalFailure("cannot migrate \(table): \(error)")
      }
    }
  }

  private func migrateSteps(on connection: SQLiteConnection, _ options: MigrationOptions, deadline: Deadline) throws
    -> MigrationReport
  {
    let schema = SQLiteSchema(table: table)
    let existing = Set(try connection.query(SQLiteSchema.columnsQuery, [.text(table.name)], deadline: deadline)
      .compactMap { $0.first ?? nil })
    if existing.isEmpty {
      try connection.query(schema.createTable, deadline: deadline)
    } else {
      for column in SQLiteSchema.cronlockColumns where !existing.contains(column.name) {
        try connection.query(schema.addColumn(column), deadline: deadline)
      }
    }
    var report = MigrationReport(createdTable: existing.isEmpty, createdUniqueIndex: false)
    if try connection.query(SQLiteSchema.uniqueIndexQuery, [.text(table.name)], deadline: deadline) != [["1"]] {
      let duplicates = Duplicates(rows: try connection.records(schema.duplicatesQuery, deadline: deadline)
        .map { HistoryRow(record: $0, time: { _ in nil }, now: nil) })
      if !duplicates.rows.isEmpty {
        guard options.duplicates == .keepFirst else { throw duplicates.refusal(table: table) }
        for extra in duplicates.extras {
          try connection.query("DELETE FROM \(table.quoted) WHERE id = ?1", [.integer(extra.removed.id)], deadline: deadline)
        }
        report.removedDuplicates = duplicates.extras
      }
      try create(.uniqueKey, on: connection, schema, deadline: deadline)
      report.createdUniqueIndex = true
    }
    for index in LockIndex.secondary { try create(index, on: connection, schema, deadline: deadline) }
    return report
  }

  /// Creates `index` under the first of its names nothing else in the file owns; nothing when
  /// it exists under one of them already.
  private func create(_ index: LockIndex, on connection: SQLiteConnection, _ schema: SQLiteSchema, deadline: Deadline)
    throws
  {
    let choice = try index.choose(for: table) { name throws(SQLiteError) in
      let owner = try connection.query(SQLiteSchema.nameOwnerQuery, [.text(name), .text(table.name)], deadline: deadline)
      guard let first = owner.first else { return .free }
      return first.first == "this" && !index.unique ? .thisTable : .other
    }
    guard let choice else { throw index.namesTaken(on: table) }
    if !choice.exists { try connection.query(schema.createIndex(index, named: choice.name), deadline: deadline) }
  }
}
