import CronlockCore
import CronlockTestSupport
import Foundation
import Synchronization
import Testing

/// A Patroni cluster of two PostgreSQL 15 members and one etcd on loopback (scripts/ha-lab),
/// started for one test and stopped by it (and, should the test crash, at exit).
final class HALab: Sendable {
  enum Mode: String { case sync, async }

  let directory: URL
  let environment: [String: String]
  let ports: [String]

  static let script = TestServer.packageRoot.appendingPathComponent("scripts/ha-lab").path

  /// Why the lab cannot run here, or nil when it can.
  static let unavailability: String? = {
    let needs = [("/usr/bin/patroni", "patroni"), ("/usr/bin/etcd", "etcd-server"),
                 ("/usr/lib/postgresql/15/bin/postgres", "postgresql-15")]
    let missing = needs.filter { !FileManager.default.isExecutableFile(atPath: $0.0) }.map(\.1)
    if !missing.isEmpty {
      return "the HA lab needs Debian's \(missing.joined(separator: ", ")) (scripts/test installs them as root)"
    }
    if getuid() == 0, Shell.run(["/usr/bin/id", "postgres"]).status != 0 {
      return "the HA lab runs PostgreSQL as the 'postgres' user, which does not exist"
    }
    return nil
  }()

  static var available: Bool { unavailability == nil }
  static var skipReason: Comment { Comment(rawValue: "skipped: " + (unavailability ?? "")) }

  static let started = Mutex<[String]>([])
  static let exitHook: Void = {
    atexit {
      for directory in HALab.started.withLock({ $0 }) { _ = Shell.run([HALab.script, "stop", directory]) }
    }
  }()

  init(_ mode: Mode) {
    HALab.exitHook
    let base = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cronlock-ha-\(UUID().uuidString.prefix(8))")
    try! FileManager.default.createDirectory(at: base, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
    HALab.started.withLock { $0.append(base.path) }
    let result = Shell.run([HALab.script, "start", "--\(mode.rawValue)", "--members", "2", base.path])
    precondition(result.status == 0, "ha-lab start failed: \(result.stderr)")
    directory = base
    var environment: [String: String] = [:]
    for line in (try! String(contentsOf: base.appendingPathComponent("env"), encoding: .utf8)).split(separator: "\n") {
      let parts = line.replacingOccurrences(of: "export ", with: "").split(separator: "=", maxSplits: 1).map(String.init)
      if parts.count == 2 { environment[parts[0]] = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "'")) }
    }
    self.environment = environment
    ports = (environment["HA_LAB_PORTS"] ?? "").split(separator: ",").map(String.init)
  }

  /// Stops the lab; a failure is the test's, not a crash of the whole run.
  func stop() {
    let result = Shell.run([HALab.script, "stop", directory.path])
    if result.status != 0 { Issue.record("ha-lab stop failed: \(result.stderr)") }
  }

  /// SIGKILLs the primary's postmaster and waits until Patroni promotes the other member:
  /// `OLD -> NEW`, or nil (an issue recorded) when none was promoted in time.
  func failover() -> String? {
    let result = Shell.run([HALab.script, "failover", directory.path, "--timeout", "90"])
    guard result.status == 0 else {
      Issue.record("ha-lab failover failed: \(result.stderr)")
      return nil
    }
    return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// Whether `block` can work here: it needs root and iptables.
  static var canBlock: Bool { getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/iptables") }

  /// Drops the WAL the primary streams to its replicas (connections stay up) until `unblock`.
  func block() {
    let result = Shell.run([HALab.script, "block", directory.path])
    precondition(result.status == 0, "ha-lab block failed: \(result.stderr)")
  }

  func unblock() {
    let result = Shell.run([HALab.script, "unblock", directory.path])
    precondition(result.status == 0, "ha-lab unblock failed: \(result.stderr)")
  }

  /// The multi-host conninfo with target_session_attrs=read-write: whichever member is primary.
  var conninfo: String { environment["CRONLOCK_DATABASE_URL"]! }

  /// One member alone, whatever its role.
  func member(_ port: String) -> String { "host=127.0.0.1 port=\(port) dbname=postgres user=postgres" }

  func query(_ sql: String, _ parameters: [String?] = [], on conninfo: String? = nil) throws -> [[String?]] {
    let connection = try Connection.connect(url: conninfo ?? self.conninfo, connectTimeout: .seconds(20))
    let result = try connection.execute(sql, parameters)
    return (0..<result.rowCount).map { row in (0..<result.columnCount).map { result.value(row: row, column: $0) } }
  }

  /// cronlock with the lab's conninfo and nothing of the test runner's environment.
  func cronlock(_ arguments: [String], database: String? = nil) -> RunningProcess {
    Shell.start([CronlockBinary.path] + arguments, environment: [
      "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "LANG": "C.UTF-8",
      "CRONLOCK_DATABASE_URL": database ?? conninfo,
    ])
  }

  func run(_ arguments: [String], database: String? = nil) -> ProcessResult {
    cronlock(arguments, database: database).finish()
  }
}

extension RunningProcess {
  /// Waits up to `timeout` for the process to exit; SIGKILLs it past that (and returns nil).
  func finish(within timeout: TimeInterval) -> ProcessResult? {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      var info = siginfo_t()
      if waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0, info._sifields._sigchld.si_pid == pid {
        return finish()
      }
      usleep(20_000)
    }
    signal(SIGKILL)
    _ = finish()
    return nil
  }
}
