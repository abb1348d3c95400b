#if canImport(Glibc)
import Glibc
#endif

extension SQLiteLockStore {
  /// What `check` can say of an SQLite file: where it is, whether this user may write it and
  /// its directory (SQLite keeps -wal and -shm files there), the table, its unique index and
  /// columns. It creates nothing (though it puts an existing file in WAL mode, as every
  /// connection does): a missing file is ready when `run` may create it.
  public func check(maxSkew: TimeSpan) throws(CronlockError) -> TableCheck {
    var check = TableCheck()
    check.serverVersion = "SQLite " + SQLiteConnection.libraryVersion
    check.role = getpwuid(geteuid()).flatMap { $0.pointee.pw_name }.map { String(cString: $0) } ?? String(geteuid())
    let path = location.path
    if let kind = location.networkFileSystem {
      check.add("file-system", false, "\(location) is on a network file system (\(kind)); SQLite's locks do not hold across hosts there")
    } else {
      check.add("file-system", true, "\(location) is on a local file system")
    }
    let directoryWritable = access(location.directory, W_OK | X_OK) == 0
    check.add("directory", directoryWritable, directoryWritable
      ? "may create files in \(TerminalText.escaped(location.directory)) (the database and its -wal and -shm files)"
      : "may not create files in \(TerminalText.escaped(location.directory)); SQLite needs to, for the -wal and -shm files")
    guard access(path, F_OK) == 0 else {
      check.add("table", directoryWritable, "\(location) does not exist yet; the first run (or cronlock migrate) creates it and table \(table)")
      addClock(to: &check)
      return check
    }
    let writable = access(path, R_OK | W_OK) == 0
    check.add("privilege-write", writable, "\(writable ? "may" : "may not") read and write \(location) (needed by run, purge)")
    guard writable else {
      addClock(to: &check)
      return check
    }
    let (columns, hasIndex) = try perform(doing: "check \(table)") { connection, deadline throws(SQLiteError) in
      (Set(try connection.query(SQLiteSchema.columnsQuery, [.text(table.name)], deadline: deadline).compactMap { $0.first ?? nil }),
       try connection.query(SQLiteSchema.uniqueIndexQuery, [.text(table.name)], deadline: deadline) == [["1"]])
    }
    if columns.isEmpty {
      check.add("table", true, "table \(table) does not exist yet; the first run (or cronlock migrate) creates it")
    } else {
      check.add("table", true, "table \(table) exists")
      check.add("unique-index", hasIndex, hasIndex
        ? "a unique index on (job_name, job_identifier) exists"
        : "no unique index on (job_name, job_identifier); run 'cronlock migrate'")
      let missing = SQLiteSchema.cronlockColumns.map(\.name).filter { !columns.contains($0) }
      check.add("columns", missing.isEmpty, missing.isEmpty
        ? "cronlock's columns are present"
        : "missing columns \(missing.joined(separator: ", ")); run 'cronlock migrate'")
    }
    addClock(to: &check)
    return check
  }

  private func addClock(to check: inout TableCheck) {
    check.clockSkew = ClockSkew(milliseconds: 0)
    check.add("clock-skew", true, required: false, "SQLite keeps time by this host's clock: there is no skew")
  }
}
