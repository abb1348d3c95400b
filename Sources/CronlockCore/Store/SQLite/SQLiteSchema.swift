import CSQLite

/// The lock table's schema in SQLite: the seed's seven columns with gorm's SQLite types, then
/// cronlock's nullable ones; times are text (`Timestamp.sqliteText`).
struct SQLiteSchema {
  let table: TableName

  /// The same index names as on PostgreSQL; in SQLite they share one namespace per file.
  var uniqueIndexName: String { PostgresSchema(table: table).uniqueIndexName }

  var createTable: String {
    """
    CREATE TABLE IF NOT EXISTS \(table.quoted) (
      id integer PRIMARY KEY AUTOINCREMENT,
      created_at datetime NOT NULL,
      updated_at datetime NOT NULL,
      job_name text NOT NULL,
      job_identifier text NOT NULL,
      worker text NOT NULL,
      status text NOT NULL,
    \(Self.cronlockColumns.map { "  \($0.name) \($0.type)" }.joined(separator: ",\n"))
    )
    """
  }

  static let cronlockColumns: [(name: String, type: String)] = PostgresSchema.cronlockColumns.map { column in
    (column.name, column.type == "timestamptz" ? "datetime" : column.type)
  }

  /// SQLite has no ADD COLUMN IF NOT EXISTS: one statement per column the table lacks.
  func addColumn(_ column: (name: String, type: String)) -> String {
    "ALTER TABLE \(table.quoted) ADD COLUMN \(column.name) \(column.type)"
  }

  var createUniqueIndex: String {
    "CREATE UNIQUE INDEX \(uniqueIndexName) ON \(table.quoted) (job_name, job_identifier)"
  }

  var createSecondaryIndexes: [String] {
    [
      "CREATE INDEX IF NOT EXISTS \(table.quotedIndexName("job_name_created_at_idx")) ON \(table.quoted) (job_name, created_at DESC)",
      "CREATE INDEX IF NOT EXISTS \(table.quotedIndexName("status_updated_at_idx")) ON \(table.quoted) (status, updated_at)",
    ]
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
      "-- Only when no unique index on (job_name, job_identifier) exists, whatever its name:",
      createUniqueIndex + ";",
    ]
    lines += createSecondaryIndexes.map { $0 + ";" }
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

  public func migrate() throws(CronlockError) -> MigrationReport {
    let deadline = Deadline.after(connectTimeout)
    return try migrate(on: connect(creating: true, deadline: deadline), deadline: deadline)
  }

  /// Creates what is missing in one `BEGIN IMMEDIATE` transaction, so many first runs at once
  /// create it once; also adopts a table gocron-gorm-lock made in the same file.
  func migrate(on connection: SQLiteConnection, deadline: Deadline)
    throws(CronlockError) -> MigrationReport
  {
    let schema = SQLiteSchema(table: table)
    do throws(SQLiteError) {
      try connection.query("BEGIN IMMEDIATE", deadline: deadline)
      do throws(SQLiteError) {
        let existing = Set(try connection.query(SQLiteSchema.columnsQuery, [.text(table.name)], deadline: deadline)
          .compactMap { $0.first ?? nil })
        if existing.isEmpty {
          try connection.query(schema.createTable, deadline: deadline)
        } else {
          for column in SQLiteSchema.cronlockColumns where !existing.contains(column.name) {
            try connection.query(schema.addColumn(column), deadline: deadline)
          }
        }
        var createdIndex = false
        if try connection.query(SQLiteSchema.uniqueIndexQuery, [.text(table.name)], deadline: deadline) != [["1"]] {
          try connection.query(schema.createUniqueIndex, deadline: deadline)
          createdIndex = true
        }
        for statement in schema.createSecondaryIndexes { try connection.query(statement, deadline: deadline) }
        try connection.query("COMMIT", deadline: deadline)
        return MigrationReport(createdTable: existing.isEmpty, createdUniqueIndex: createdIndex)
      } catch {
        if connection.inTransaction { _ = try? connection.query("ROLLBACK", deadline: .after(.seconds(2))) }
        throw error
      }
    } catch {
      if error.code == SQLITE_CONSTRAINT {
        throw .configuration(
          "cannot create the unique index on \(table)(job_name, job_identifier): duplicate rows exist (\(error.message))")
      }
      throw classify(error, doing: "migrate \(table)")
    }
  }
}
