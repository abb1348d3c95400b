import CronlockCore
import Foundation
import Synchronization

/// A throwaway PostgreSQL server started by `scripts/pgtemp` (initdb + pg_ctl in a temporary
/// directory, as the `postgres` user when running as root), which owns every server option:
/// the one all tests share (`shared`, never crashed), or one of a test's own (`start`) that it
/// may crash, freeze and restart. Every server started is stopped when the test process exits.
public final class TestServer: Sendable {
  public static let shared = TestServer.start()

  public let directory: URL
  public let environment: [String: String]
  public let maxConnections: Int

  private init(directory: URL, environment: [String: String], maxConnections: Int) {
    self.directory = directory
    self.environment = environment
    self.maxConnections = maxConnections
  }

  public static let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  static let pgtemp = packageRoot.appendingPathComponent("scripts/pgtemp").path

  /// A new server in a new temporary directory, stopped when the test process exits.
  public static func start(maxConnections: Int = 300) -> TestServer {
    let base = URL(fileURLWithPath: NSTemporaryDirectory())
      .appendingPathComponent("cronlock-test-\(UUID().uuidString.prefix(8))")
    try! FileManager.default.createDirectory(at: base, withIntermediateDirectories: true,
                                             attributes: [.posixPermissions: 0o755])
    let result = Shell.run([pgtemp, "start", base.path, "--fast", "--max-connections", String(maxConnections)])
    precondition(result.status == 0, "pgtemp failed: \(result.stderr)")
    registerForCleanup(base.path)
    return TestServer(directory: base, environment: EnvFile.read(base.appendingPathComponent("env")),
                      maxConnections: maxConnections)
  }

  private static let startedDirectories = Mutex<[String]>([])
  private static let exitHook: Void = {
    atexit {
      for directory in TestServer.startedDirectories.withLock({ $0 }) {
        _ = Shell.run([TestServer.pgtemp, "stop", directory])
        try? FileManager.default.removeItem(atPath: directory)
      }
    }
  }()

  private static func registerForCleanup(_ directory: String) {
    _ = exitHook
    startedDirectories.withLock { $0.append(directory) }
  }

  public var port: String { environment["PGPORT"]! }
  public var host: String { environment["PGHOST"]! }

  /// Connection settings for the superuser over the Unix socket.
  public var conninfo: String { "host=\(host) port=\(port) user=postgres dbname=postgres" }

  /// A new connection as the superuser, for setting up and checking tables.
  public func connect() throws -> Connection {
    try Connection.connect(url: conninfo, connectTimeout: .seconds(10))
  }

  /// Runs SQL and returns every row as text (nil for NULL).
  public func query(_ sql: String, _ parameters: [String?] = []) throws -> [[String?]] {
    let connection = try connect()
    let result = try connection.execute(sql, parameters)
    return (0..<result.rowCount).map { row in (0..<result.columnCount).map { result.value(row: row, column: $0) } }
  }

  public func execute(_ sql: String, _ parameters: [String?] = []) throws {
    _ = try query(sql, parameters)
  }

  public func execute(_ statements: [String]) throws {
    let connection = try connect()
    for statement in statements { try connection.execute(statement) }
  }

  /// A table name no other test uses.
  public func freshTableName(_ hint: String = "t") -> String {
    "\(hint)_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
  }

  /// A migrated table no other test uses.
  public func freshTable(_ hint: String = "t") throws -> String {
    try freshTable(named: freshTableName(hint))
  }

  /// Migrates the table `name` and returns its name.
  @discardableResult
  public func freshTable(named name: String) throws -> String {
    let store = try PostgresLockStore(url: DatabaseURL(conninfo), table: TableName(parsing: name),
                                      connectTimeout: .seconds(10))
    _ = try store.migrate()
    return name
  }

  /// A role that may only use `table`, as a host should run.
  public func runnerRole(_ name: String, on table: String, settings: [String] = []) throws {
    try execute("DO $$ BEGIN CREATE ROLE \(name) LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
    try execute("GRANT SELECT, INSERT, UPDATE, DELETE ON \(table) TO \(name)")
    for setting in settings { try execute("ALTER ROLE \(name) SET \(setting)") }
  }

  /// A server crash: every process killed at once, no shutdown checkpoint.
  public func crash() {
    let result = Shell.run([Self.pgtemp, "stop", directory.path])
    precondition(result.status == 0, "pgtemp stop failed: \(result.stderr)")
  }

  /// Stops a server of the test's own for good (the exit hook would, later).
  public func stop() {
    Shell.run([Self.pgtemp, "stop", directory.path])
  }

  /// Starts the server again on the same port and socket, through crash recovery if it crashed.
  public func restart() {
    let result = Shell.run([Self.pgtemp, "restart", directory.path])
    precondition(result.status == 0, "pgtemp restart failed: \(result.stderr)")
  }

  /// The postmaster and every process it started, as of now.
  public var processes: [pid_t] {
    guard let text = try? String(contentsOfFile: directory.path + "/data/postmaster.pid", encoding: .utf8),
      let postmaster = text.split(separator: "\n").first.flatMap({ pid_t($0) })
    else { return [] }
    let children = Shell.run(["/usr/bin/pgrep", "-P", String(postmaster)]).stdout
      .split(separator: "\n").compactMap { pid_t($0) }
    return [postmaster] + children
  }

  /// Stops every server process (SIGSTOP) until `thaw`: a server that accepts nothing and
  /// answers nothing. Returns the processes frozen.
  @discardableResult
  public func freeze() -> [pid_t] {
    let frozen = processes
    for pid in frozen { kill(pid, SIGSTOP) }
    return frozen
  }

  public func thaw(_ frozen: [pid_t]) {
    for pid in frozen { kill(pid, SIGCONT) }
  }

  /// The backends serving cronlock (it sets fallback_application_name) whose statement mentions
  /// `table` and that wait for a lock: the other tests' cronlocks never touch our table.
  public func cronlockBackendsWaiting(on table: String) throws -> [pid_t] {
    try query("""
      SELECT pid FROM pg_stat_activity
      WHERE application_name = 'cronlock' AND wait_event_type = 'Lock' AND position($1 IN query) > 0
      """, [table]).compactMap { $0[0].flatMap { pid_t($0) } }
  }

  /// Waits (bounded) for a cronlock backend waiting on a lock in `table`.
  public func waitForWaitingBackend(on table: String, timeout: TimeInterval = 20) throws -> pid_t? {
    var found: pid_t?
    _ = try eventually(timeout: timeout) {
      found = try cronlockBackendsWaiting(on: table).first
      return found != nil
    }
    return found
  }

  public static let bindir: String = {
    let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
    return versions.sorted().last.map { "/usr/lib/postgresql/\($0)/bin" } ?? "/usr/bin"
  }()

  public static func bin(_ name: String) -> String { bindir + "/" + name }
  public static var asPostgres: [String] { getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : [] }
}
