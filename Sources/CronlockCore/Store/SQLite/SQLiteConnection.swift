import CSQLite

#if canImport(Glibc)
import Glibc
#endif

/// One SQLite connection, owned and closed exactly once; the only code that touches SQLite's
/// pointers. Values come back as text (nil for NULL), as they do from libpq.
final class SQLiteConnection {
  private let handle: OpaquePointer
  private let sqlite = LibSQLite.api
  /// Read by the busy handler while a statement waits for another writer's lock.
  private let busyWait = BusyWait()

  private init(handle: OpaquePointer) {
    self.handle = handle
    _ = sqlite.sqlite3_extended_result_codes(handle, 1)
    // SQLite's own busy timeout sleeps blindly; this one waits on the signal channel too, so
    // a signal ends a wait for the lock at once, as it ends a wait for PostgreSQL.
    _ = sqlite.sqlite3_busy_handler(handle, { context, attempt in
      Unmanaged<BusyWait>.fromOpaque(context!).takeUnretainedValue().shouldRetry(attempt: Int(attempt)) ? 1 : 0
    }, Unmanaged.passUnretained(busyWait).toOpaque())
  }

  deinit {
    _ = sqlite.sqlite3_close_v2(handle)
  }

  /// Opens the file read-write, creating it when `create` is set; makes no change to it.
  static func open(path: String, create: Bool) throws(SQLiteError) -> SQLiteConnection {
    var handle: OpaquePointer?
    // Rows can hold captured output: a new file gets no world access (the umask still applies
    // to the owner and group), and SQLite gives its -wal and -shm files the same mode.
    if create {
      let descriptor = Glibc.open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o660)
      if descriptor >= 0 { close(descriptor) }
    }
    let flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX
    let code = LibSQLite.api.sqlite3_open_v2(path, &handle, flags, nil)
    guard code == SQLITE_OK, let handle else {
      // Build the error before closing the handle it reads from; SQLite: close even on failure.
      let error = handle.map { SQLiteError(code: code, handle: $0) } ?? SQLiteError(code: code, message: "out of memory")
      _ = LibSQLite.api.sqlite3_close_v2(handle)
      throw error
    }
    return SQLiteConnection(handle: handle)
  }

  /// Runs one statement and returns its rows. A statement that must wait for another writer
  /// waits until `deadline`.
  @discardableResult
  func query(_ sql: String, _ parameters: [SQLiteValue] = [], deadline: Deadline)
    throws(SQLiteError) -> [[String?]]
  {
    var names: [String] = []
    return try query(sql, parameters, deadline: deadline, names: &names)
  }

  /// `query`, each row keyed by its column's name (nil for NULL).
  func records(_ sql: String, _ parameters: [SQLiteValue] = [], deadline: Deadline) throws(SQLiteError)
    -> [[String: String?]]
  {
    var names: [String] = []
    let rows = try query(sql, parameters, deadline: deadline, names: &names)
    return rows.map { row in
      var record: [String: String?] = [:]
      for (name, value) in zip(names, row) { record[name] = .some(value) }
      return record
    }
  }

  private func query(_ sql: String, _ parameters: [SQLiteValue], deadline: Deadline,
                     names: inout [String]) throws(SQLiteError) -> [[String?]]
  {
    busyWait.deadline = deadline

    var prepared: OpaquePointer?
    let code = sqlite.sqlite3_prepare_v2(handle, sql, -1, &prepared, nil)
    guard code == SQLITE_OK, let statement = prepared else { throw SQLiteError(code: code, handle: handle) }
    defer { _ = sqlite.sqlite3_finalize(statement) }
    for (offset, value) in parameters.enumerated() {
      let index = Int32(offset + 1)
      let bound: Int32
      switch value {
      case .null: bound = sqlite.sqlite3_bind_null(statement, index)
      case .integer(let number): bound = sqlite.sqlite3_bind_int64(statement, index, number)
      case .text(let text): bound = sqlite.sqlite3_bind_text(statement, index, text, -1, cronlock_sqlite_transient())
      case .blob(let bytes) where bytes.isEmpty:
        bound = sqlite.sqlite3_bind_zeroblob(statement, index, 0)  // bind_blob with no bytes would store NULL
      case .blob(let bytes):
        bound = bytes.withUnsafeBytes { buffer in
          sqlite.sqlite3_bind_blob(statement, index, buffer.baseAddress, Int32(buffer.count), cronlock_sqlite_transient())
        }
      }
      guard bound == SQLITE_OK else { throw SQLiteError(code: bound, handle: handle) }
    }
    names = (0..<sqlite.sqlite3_column_count(statement)).map { sqlite.sqlite3_column_name(statement, $0).map { String(cString: $0) } ?? "" }
    var rows: [[String?]] = []
    while true {
      let step = sqlite.sqlite3_step(statement)
      if step == SQLITE_DONE { return rows }
      guard step == SQLITE_ROW else {
        throw SQLiteError(code: step, handle: handle)
      }
      rows.append((0..<sqlite.sqlite3_column_count(statement)).map { column in
        sqlite.sqlite3_column_type(statement, column) == SQLITE_NULL
          ? nil : sqlite.sqlite3_column_text(statement, column).map { String(cString: $0) } ?? ""
      })
    }
  }

  /// Keeps the WAL file when the connection closes and skips the checkpoint on close (see shim.h).
  func keepWriteAheadLog() throws(SQLiteError) {
    let code = cronlock_sqlite_keep_wal(handle, sqlite.sqlite3_db_config, sqlite.sqlite3_file_control)
    guard code == SQLITE_OK else { throw SQLiteError(code: code, handle: handle) }
  }

  /// Rows changed by the last INSERT, UPDATE or DELETE.
  var changes: Int { Int(sqlite.sqlite3_changes(handle)) }

  /// Whether a transaction is open (false in autocommit mode).
  var inTransaction: Bool { sqlite.sqlite3_get_autocommit(handle) == 0 }

  static var libraryVersion: String { LibSQLite.api.sqlite3_libversion().map { String(cString: $0) } ?? "unknown" }
}

/// A statement parameter.
enum SQLiteValue: Sendable, Equatable {
  case null
  case integer(Int64)
  case text(String)
  case blob([UInt8])

  static func text(_ value: String?) -> SQLiteValue { value.map { .text($0) } ?? .null }
  static func integer<Number: BinaryInteger>(_ value: Number?) -> SQLiteValue { value.map { .integer(Int64($0)) } ?? .null }
}

/// A failure SQLite reported: its primary result code, and its message folded to one line.
struct SQLiteError: Error, CustomStringConvertible, Sendable {
  /// The primary code, e.g. `SQLITE_BUSY`; `extendedCode` says more (`SQLITE_IOERR_FSYNC`).
  let code: Int32
  let extendedCode: Int32
  let message: String

  init(code: Int32, message: String) {
    self.code = code & 0xff
    self.extendedCode = code
    self.message = message
  }

  /// Reads the connection's message, and the system error behind an open or I/O failure.
  init(code: Int32, handle: OpaquePointer) {
    let sqlite = LibSQLite.api
    var message = sqlite.sqlite3_errmsg(handle).map { String(cString: $0) } ?? "out of memory"
    let primary = code & 0xff
    let systemError = sqlite.sqlite3_system_errno(handle)
    if (primary == SQLITE_CANTOPEN || primary == SQLITE_IOERR || primary == SQLITE_READONLY), systemError != 0 {
      message += " (\(String(cString: strerror(systemError))))"
    }
    self.init(code: code, message: PostgresError.oneLine(message))
  }

  var description: String { message }
  var isBusy: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }
}

/// How long a statement may wait for another connection's lock, consulted by SQLite's busy
/// handler between attempts.
private final class BusyWait {
  var deadline = Deadline.never

  /// SQLite's own schedule: short pauses first, since most writers hold the lock for one fsync.
  private static let pauses: [Int64] = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100]

  func shouldRetry(attempt: Int) -> Bool {
    guard !deadline.hasPassed else { return false }
    let pause = TimeSpan.milliseconds(Self.pauses[min(attempt, Self.pauses.count - 1)])
    CronlockCore.pause(until: min(.after(pause), deadline))
    return true
  }
}
