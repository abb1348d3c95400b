import CronlockCore
import Foundation

/// A PostgreSQL server a fault test may crash, restart and freeze: one started for the test
/// (`FaultServer.start`), or the shared one, which fault tests never crash.
final class FaultServer: Sendable {
  let directory: URL
  let environment: [String: String]
  let maxConnections: Int

  private init(directory: URL, environment: [String: String], maxConnections: Int) {
    self.directory = directory
    self.environment = environment
    self.maxConnections = maxConnections
  }

  static var shared: FaultServer {
    FaultServer(directory: TestServer.shared.directory, environment: TestServer.shared.environment, maxConnections: 300)
  }

  /// A new server of the test's own, stopped when the test process exits.
  static func start(maxConnections: Int = 300) -> FaultServer {
    _ = TestServer.shared  // registers the exit hook that stops every started server
    let (directory, environment) = TestServer.startServer(extraOptions: ["--max-connections", String(maxConnections)])
    TestServer.startedDirectories.withLock { $0.append(directory.path) }
    return FaultServer(directory: directory, environment: environment, maxConnections: maxConnections)
  }

  var port: String { environment["PGPORT"]! }
  var conninfo: String { "host=\(environment["PGHOST"]!) port=\(port) user=postgres dbname=postgres" }

  func query(_ sql: String, _ parameters: [String?] = []) throws -> [[String?]] {
    let connection = try Connection.connect(url: conninfo, connectTimeout: .seconds(10), deadline: .after(.seconds(10)))
    let result = try connection.execute(sql, parameters)
    return (0..<result.rowCount).map { row in (0..<result.columnCount).map { result.value(row: row, column: $0) } }
  }

  func execute(_ sql: String, _ parameters: [String?] = []) throws {
    _ = try query(sql, parameters)
  }

  func freshTable(_ hint: String = "f") throws -> String {
    let name = "\(hint)_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
    let store = try PostgresLockStore(url: DatabaseURL(conninfo), table: TableName(parsing: name),
                                      connectTimeout: .seconds(10))
    _ = try store.migrate()
    return name
  }

  /// A role that may only use `table`, as a host should run.
  func runnerRole(_ name: String, on table: String, settings: [String] = []) throws {
    try execute("DO $$ BEGIN CREATE ROLE \(name) LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
    try execute("GRANT SELECT, INSERT, UPDATE, DELETE ON \(table) TO \(name)")
    for setting in settings { try execute("ALTER ROLE \(name) SET \(setting)") }
  }

  /// A server crash: every process killed at once, no shutdown checkpoint.
  func crash() {
    let result = Shell.run(Self.asPostgres + [Self.bin("pg_ctl"), "-D", directory.path + "/data", "-m", "immediate", "-w", "stop"])
    precondition(result.status == 0, "pg_ctl stop failed: \(result.stderr)")
  }

  /// Stops a server of the test's own for good (the exit hook would, later).
  func stop() {
    Shell.run([TestServer.packageRoot.appendingPathComponent("scripts/pgtemp").path, "stop", directory.path])
  }

  /// Starts the server again on the same port and socket, through crash recovery if it crashed.
  func restart() {
    let options = "-c listen_addresses=127.0.0.1 -c port=\(port) -c unix_socket_directories=\(directory.path) "
      + "-c max_connections=\(maxConnections) -c fsync=off -c full_page_writes=off"
    let result = Shell.run(Self.asPostgres + [Self.bin("pg_ctl"), "-D", directory.path + "/data", "-o", options,
                                              "-l", directory.path + "/server.log", "-w", "-t", "60", "start"])
    precondition(result.status == 0, "pg_ctl start failed: \(result.stderr)")
  }

  /// The backends serving cronlock (it sets fallback_application_name) whose statement mentions
  /// `table` and that wait for a lock: the other tests' cronlocks never touch our table.
  func cronlockBackendsWaiting(on table: String) throws -> [pid_t] {
    try query("""
      SELECT pid FROM pg_stat_activity
      WHERE application_name = 'cronlock' AND wait_event_type = 'Lock' AND position($1 IN query) > 0
      """, [table]).compactMap { $0[0].flatMap { pid_t($0) } }
  }

  /// Waits (bounded) for a cronlock backend waiting on a lock in `table`.
  func waitForWaitingBackend(on table: String, timeout: TimeInterval = 20) throws -> pid_t? {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      if let pid = try cronlockBackendsWaiting(on: table).first { return pid }
      usleep(20_000)
    }
    return nil
  }

  static let bindir: String = {
    let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
    return versions.sorted().last.map { "/usr/lib/postgresql/\($0)/bin" } ?? "/usr/bin"
  }()

  static func bin(_ name: String) -> String { bindir + "/" + name }
  static var asPostgres: [String] { getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : [] }
}

/// PgBouncer in transaction pooling mode in front of a server (scripts/pgbouncer-temp).
final class FaultBouncer: Sendable {
  let directory: URL
  let environment: [String: String]

  init(in server: FaultServer, poolSize: Int = 20) {
    let base = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cronlock-bouncer-\(UUID().uuidString.prefix(8))")
    try! FileManager.default.createDirectory(at: base, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
    let script = TestServer.packageRoot.appendingPathComponent("scripts/pgbouncer-temp").path
    let result = Shell.run([script, "start", base.path, "--server-env", server.directory.path + "/env",
                            "--pool-size", String(poolSize)])
    precondition(result.status == 0, "pgbouncer-temp failed: \(result.stderr)")
    directory = base
    environment = FaultBouncer.readEnv(base.appendingPathComponent("env"))
  }

  func stop() {
    Shell.run([TestServer.packageRoot.appendingPathComponent("scripts/pgbouncer-temp").path, "stop", directory.path])
  }

  static func readEnv(_ file: URL) -> [String: String] {
    var environment: [String: String] = [:]
    for line in (try! String(contentsOf: file, encoding: .utf8)).split(separator: "\n") {
      let parts = line.replacingOccurrences(of: "export ", with: "").split(separator: "=", maxSplits: 1).map(String.init)
      if parts.count == 2 { environment[parts[0]] = parts[1] }
    }
    return environment
  }
}

/// Spawns cronlock against a given server (or bouncer) environment.
enum Fault {
  static func start(_ arguments: [String], environment: [String: String], extra: [String: String] = [:]) -> RunningProcess {
    Shell.start([CronlockBinary.path] + arguments,
                environment: CronlockBinary.environment(environment.merging(extra) { $1 }))
  }

  static func run(_ arguments: [String], environment: [String: String], extra: [String: String] = [:]) -> ProcessResult {
    start(arguments, environment: environment, extra: extra).finish()
  }

  /// Runs and measures the wall time, for the contract's generous upper bounds.
  static func timed(_ body: () -> ProcessResult) -> (ProcessResult, TimeInterval) {
    let started = Date()
    let result = body()
    return (result, Date().timeIntervalSince(started))
  }

  /// The identifier cronlock computes for a --precision 1s slot starting at `date`.
  static func secondIdentifier(_ date: Date) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.000"
    return formatter.string(from: Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)))
  }
}

/// A TCP listener on 127.0.0.1 that never answers. `.silent`: the kernel completes every
/// handshake and nothing is ever read or written. `.blackHole`: the accept queue is kept full
/// with connections of our own, so the kernel drops further SYNs, as a firewall's DROP would.
final class DeadListener {
  enum Kind { case silent, blackHole }
  let port: Int
  private let socket: Int32
  private var fillers: [Int32] = []

  init(_ kind: Kind) {
    let listening = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    socket = listening
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listening, $0, length) } }
    listen(listening, kind == .silent ? 128 : 0)
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listening, $0, &length) }
    }
    port = Int(UInt16(bigEndian: address.sin_port))
    if kind == .blackHole {
      // A backlog of 0 queues one connection: once the first filler is connected, the others
      // (and every later client) stay in SYN-SENT.
      for index in 0..<3 {
        let filler = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        _ = fcntl(filler, F_SETFL, O_NONBLOCK)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, length) } }
        fillers.append(filler)
        if index == 0 {
          var ready = [pollfd(fd: filler, events: Int16(POLLOUT), revents: 0)]
          _ = poll(&ready, 1, 5000)
        }
      }
    }
  }

  var database: String { "host=127.0.0.1 port=\(port) user=postgres dbname=postgres" }

  /// Waits (bounded) until a client's handshake has completed, and takes it off the queue.
  func waitForClient(timeout: TimeInterval = 10) -> Bool {
    _ = fcntl(socket, F_SETFL, O_NONBLOCK)
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      let client = accept(socket, nil, nil)
      if client >= 0 { fillers.append(client); return true }
      usleep(10_000)
    }
    return false
  }

  deinit {
    fillers.forEach { close($0) }
    close(socket)
  }
}
