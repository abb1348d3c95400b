import CronlockCore
import Foundation
import CronlockTestSupport

/// PgBouncer in transaction pooling mode in front of a server (scripts/pgbouncer-temp).
final class FaultBouncer: Sendable {
  let directory: URL
  let environment: [String: String]

  init(in server: TestServer, poolSize: Int = 20) {
    let base = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cronlock-bouncer-\(UUID().uuidString.prefix(8))")
    try! FileManager.default.createDirectory(at: base, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
    let script = TestServer.packageRoot.appendingPathComponent("scripts/pgbouncer-temp").path
    let result = Shell.run([script, "start", base.path, "--server-env", server.directory.path + "/env",
                            "--pool-size", String(poolSize)])
    precondition(result.status == 0, "pgbouncer-temp failed: \(result.stderr)")
    directory = base
    environment = EnvFile.read(base.appendingPathComponent("env"))
  }

  func stop() {
    Shell.run([TestServer.packageRoot.appendingPathComponent("scripts/pgbouncer-temp").path, "stop", directory.path])
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
    return eventually(timeout: timeout, every: 0.01) {
      let client = accept(socket, nil, nil)
      if client >= 0 { fillers.append(client) }
      return client >= 0
    }
  }

  deinit {
    fillers.forEach { close($0) }
    close(socket)
  }
}
