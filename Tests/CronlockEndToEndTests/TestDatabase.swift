import Foundation
import Testing

@testable import CronlockCore
import CronlockTestSupport

/// The two places a lock table can live. Backend-independent tests take one as an argument
/// and run against both.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
  case postgres, sqlite

  var testDescription: String { rawValue }
}

/// A lock table no other test uses, on one backend: how to point `cronlock` at it, and how to
/// read and write its rows directly. PostgreSQL tables live on the shared throwaway server;
/// each SQLite table gets its own file in a new directory.
struct TestDatabase {
  let backend: Backend
  let table: String
  /// `sqlite:` URL of the file, for SQLite.
  let url: String?

  /// A new table, migrated unless `migrated` is false (then it does not exist yet).
  static func fresh(_ backend: Backend, _ hint: String = "t", migrated: Bool = true) throws -> TestDatabase {
    let server = TestServer.shared
    let table = server.freshTableName(hint)
    switch backend {
    case .postgres:
      if migrated { _ = try server.freshTable(named: table) }
      return TestDatabase(backend: backend, table: table, url: nil)
    case .sqlite:
      let directory = Scratch().directory.path
      let database = TestDatabase(backend: backend, table: table, url: "sqlite:\(directory)/locks.db")
      if migrated { _ = try database.store().migrate() }
      return database
    }
  }

  /// The table as cronlock's messages name it: schema-qualified in PostgreSQL (a name without
  /// a schema is in `public`), plain in SQLite, which has no schemas.
  var shownTable: String { backend == .postgres ? "public.\(table)" : table }

  /// The file of an SQLite database.
  var path: String? { url.map { String($0.dropFirst("sqlite:".count)) } }

  /// What `cronlock` needs to find this table, besides `--table` (the server's PG* variables
  /// are always set; an `sqlite:` URL wins over them).
  var environment: [String: String] {
    url.map { ["CRONLOCK_DATABASE_URL": $0, "CRONLOCK_TABLE": table] } ?? ["CRONLOCK_TABLE": table]
  }

  /// Runs `cronlock` against this table, `--table` coming from the environment.
  @discardableResult
  func run(_ arguments: [String], environment extra: [String: String] = [:]) -> ProcessResult {
    CronlockBinary.run(arguments, environment: environment.merging(extra) { $1 })
  }

  func start(_ arguments: [String], environment extra: [String: String] = [:]) -> RunningProcess {
    CronlockBinary.start(arguments, environment: environment.merging(extra) { $1 })
  }

  func store() throws -> any LockStore {
    switch backend {
    case .postgres:
      return try PostgresLockStore(url: DatabaseURL(TestServer.shared.conninfo), table: TableName(parsing: table),
                                   connectTimeout: .seconds(10))
    case .sqlite:
      return try SQLiteLockStore(location: SQLiteLocation(path: path!), table: TableName(parsing: table),
                                 connectTimeout: .seconds(10))
    }
  }

  /// Runs SQL written with `$1`-style parameters and returns every row as text (nil for NULL).
  /// Write SQL both dialects read; pass times as `TestDatabase.time(_:)` parameters.
  func query(_ sql: String, _ parameters: [String?] = []) throws -> [[String?]] {
    switch backend {
    case .postgres:
      return try TestServer.shared.query(sql, parameters)
    case .sqlite:
      let connection = try SQLiteConnection.open(path: path!, create: false)
      return try connection.query(sql.replacingOccurrences(of: "$", with: "?"), parameters.map { .text($0) },
                                  deadline: .after(.seconds(10)))
    }
  }

  func execute(_ sql: String, _ parameters: [String?] = []) throws {
    _ = try query(sql, parameters)
  }

  /// An instant as a parameter both backends store in a time column.
  static func time(_ instant: Timestamp) -> String { instant.sqliteText }

  /// `seconds` before now, as a time parameter.
  static func ago(_ seconds: Int) -> String {
    time(Timestamp.now().adding(.seconds(Int64(-seconds))))
  }

  /// How the backend shows a true boolean in a query's text result.
  var yes: String { backend == .postgres ? "t" : "1" }
}

extension History {
  /// `check(table:server:…)` for a table on either backend.
  static func check(database: TestDatabase, scratch: Scratch, invocations: [Invocation], options: Options = Options(),
                    sourceLocation: SourceLocation = #_sourceLocation) throws
  {
    let rows = try database.query("SELECT id, job_name, job_identifier, status, exit_code, signal, note FROM \(database.table)")
    #expect(problems(rows: rows, executions: scratch.executions, invocations: invocations, options: options) == [],
            sourceLocation: sourceLocation)
  }
}
