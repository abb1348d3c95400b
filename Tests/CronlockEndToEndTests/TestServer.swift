import CronlockCore
import Foundation
import Synchronization

/// The throwaway PostgreSQL server every end-to-end test talks to: started once per test
/// process by `scripts/pgtemp` (initdb + pg_ctl in a temporary directory, as the `postgres` user
/// when running as root) and stopped when the process exits.
final class TestServer: Sendable {
  static let shared = TestServer.start()

  let directory: URL
  let environment: [String: String]
  let port: Int

  private init(directory: URL, environment: [String: String]) {
    self.directory = directory
    self.environment = environment
    self.port = Int(environment["PGPORT"] ?? "") ?? 5432
  }

  static let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// Starts a server in a new temporary directory and returns its connection environment.
  static func startServer(extraOptions: [String] = []) -> (URL, [String: String]) {
    let base = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cronlock-test-\(UUID().uuidString.prefix(8))")
    try! FileManager.default.createDirectory(at: base, withIntermediateDirectories: true,
                                             attributes: [.posixPermissions: 0o755])
    let script = packageRoot.appendingPathComponent("scripts/pgtemp").path
    let result = Shell.run([script, "start", base.path, "--fast", "--max-connections", "300"] + extraOptions)
    precondition(result.status == 0, "pgtemp failed: \(result.stderr)")
    var environment: [String: String] = [:]
    let envFile = try! String(contentsOf: base.appendingPathComponent("env"), encoding: .utf8)
    for line in envFile.split(separator: "\n") {
      let assignment = line.replacingOccurrences(of: "export ", with: "")
      let parts = assignment.split(separator: "=", maxSplits: 1).map(String.init)
      if parts.count == 2 { environment[parts[0]] = parts[1] }
    }
    return (base, environment)
  }

  private static func start() -> TestServer {
    let (directory, environment) = startServer()
    let server = TestServer(directory: directory, environment: environment)
    TestServer.startedDirectories.withLock { $0.append(directory.path) }
    atexit {
      for directory in TestServer.startedDirectories.withLock({ $0 }) {
        _ = Shell.run([TestServer.packageRoot.appendingPathComponent("scripts/pgtemp").path, "stop", directory])
        try? FileManager.default.removeItem(atPath: directory)
      }
    }
    return server
  }

  static let startedDirectories = Mutex<[String]>([])

  /// A new connection as the superuser, for setting up and checking tables.
  func connect() throws -> Connection {
    try Connection.connect(url: conninfo, connectTimeout: .seconds(10), deadline: .after(.seconds(10)))
  }

  var conninfo: String {
    "host=\(environment["PGHOST"]!) port=\(environment["PGPORT"]!) user=postgres dbname=postgres"
  }

  /// A table name no other test uses.
  func freshTableName(_ hint: String = "t") -> String {
    "\(hint)_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
  }

  /// A migrated table no other test uses.
  func freshTable(_ hint: String = "t") throws -> String {
    try freshTable(named: freshTableName(hint))
  }

  /// Migrates the table `name` and returns its name.
  @discardableResult
  func freshTable(named name: String) throws -> String {
    let store = try PostgresLockStore(url: DatabaseURL(conninfo), table: TableName(parsing: name),
                                      connectTimeout: .seconds(10))
    _ = try store.migrate()
    return name
  }

  /// Runs SQL and returns every row as text (nil for NULL).
  func query(_ sql: String, _ parameters: [String?] = []) throws -> [[String?]] {
    let connection = try connect()
    let result = try connection.execute(sql, parameters)
    return (0..<result.rowCount).map { row in (0..<result.columnCount).map { result.value(row: row, column: $0) } }
  }

  func execute(_ sql: String, _ parameters: [String?] = []) throws {
    _ = try query(sql, parameters)
  }

  func execute(_ statements: [String]) throws {
    let connection = try connect()
    for statement in statements { try connection.execute(statement) }
  }
}
