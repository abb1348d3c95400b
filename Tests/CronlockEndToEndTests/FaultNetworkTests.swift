import CronlockCore
import Foundation
import Testing
import CronlockTestSupport

/// Catalogue items 14–16: a server that drops packets, accepts and says nothing, or freezes.
@Suite("fault: network")
struct FaultNetworkTests {
  /// cronlock against a dead address: 75 within --connect-timeout + 5 s, child not run.
  func expectBounded(_ arguments: [String] = [], database: String, prefix: [String] = [],
                     sourceLocation: SourceLocation = #_sourceLocation) -> ProcessResult
  {
    let scratch = Scratch()
    let environment = CronlockBinary.environment()
    let (result, seconds) = Fault.timed {
      Shell.run(prefix + [CronlockBinary.path, "--job", "net", "--identifier", "s1", "--database", database,
                          "--connect-timeout", "3s"] + arguments + ["--"] + scratch.faultChild(), environment: environment)
    }
    #expect(result.status == 75, "\(result.stderr)", sourceLocation: sourceLocation)
    #expect(seconds < 3 + 5, "bounded by --connect-timeout", sourceLocation: sourceLocation)
    #expect(scratch.executions.isEmpty, sourceLocation: sourceLocation)
    // No server behind the address, so no rows: the history is the invocation and the (absent) child.
    let problems = History.problems(rows: [], executions: scratch.executions,
                                    invocations: [Invocation(job: "net", result: result, identifier: "s1")])
    #expect(problems == [], sourceLocation: sourceLocation)
    return result
  }

  @Test("item 14: a black-holed address on loopback (SYNs dropped): 75 within --connect-timeout")
  func blackHoleOnLoopback() throws {
    let hole = DeadListener(.blackHole)
    let result = expectBounded(database: hole.database)
    #expect(!result.stderr.contains("refused"), "the SYNs were dropped, not refused: \(result.stderr)")
  }

  @Test("item 14: a black hole made with iptables DROP in a network namespace: 75 within --connect-timeout",
        .enabled(if: NetworkNamespace.available, "needs root, 'ip netns' and iptables (iproute2, iptables)"))
  func blackHoleInNamespace() throws {
    let namespace = try #require(NetworkNamespace(droppingPort: 5432))
    defer { namespace.remove() }
    let result = expectBounded(database: "host=127.0.0.1 port=5432 user=postgres dbname=postgres",
                                   prefix: ["/usr/sbin/ip", "netns", "exec", namespace.name])
    #expect(!result.stderr.contains("refused"), "the SYNs were dropped, not refused: \(result.stderr)")
  }

  @Test("item 15: a listener that accepts and never answers: 75 within --connect-timeout")
  func silentListener() throws {
    let listener = DeadListener(.silent)
    _ = expectBounded(database: listener.database)
  }

  @Test("item 16: the backend freezes (SIGSTOP) during the claim: cronlock's deadline fires; after SIGCONT no second run")
  func frozenBackend() throws {
    let server = TestServer.shared
    let table = try server.freshTable("frozen")
    let scratch = Scratch()
    // The claim's INSERT waits behind this lock, so the backend is caught in the middle of it.
    let holder = try Connection.connect(url: server.conninfo, connectTimeout: .seconds(10), deadline: .after(.seconds(10)))
    try holder.execute("BEGIN")
    try holder.execute("LOCK TABLE \(table) IN SHARE MODE")
    let arguments = ["--job", "frozen", "--identifier", "s1", "--table", table, "--lock-timeout", "60s"]
    let process = Fault.start(arguments + ["--connect-timeout", "3s", "--"] + scratch.faultChild(), environment: server.environment)
    let backend = try #require(try server.waitForWaitingBackend(on: table))
    kill(backend, SIGSTOP)
    let (result, seconds) = Fault.timed { process.finish() }
    kill(backend, SIGCONT)
    try holder.execute("ROLLBACK")
    #expect(result.status == 75, "\(result.stderr)")
    #expect(seconds < 3 + 8, "bounded by --connect-timeout and the cancel's grace")
    // The thawed backend must not complete the claim cronlock gave up on.
    _ = try eventually(timeout: 15) {
      try server.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [String(backend)]) == []
    }
    #expect(try server.query("SELECT count(*) FROM \(table)") == [["0"]], "the frozen claim did not land")
    let retry = Fault.run(arguments + ["--"] + scratch.faultChild(), environment: server.environment)
    #expect(retry.status == 0, "\(retry.stderr)")
    #expect(scratch.executions.count == 1)
    try History.check(table: table, server: server, scratch: scratch,
                      invocations: [Invocation(job: "frozen", result: result, identifier: "s1"),
                                    Invocation(job: "frozen", result: retry, identifier: "s1")])
  }
}

/// A network namespace with only loopback, where iptables drops TCP to one port.
struct NetworkNamespace {
  let name: String

  init?(droppingPort port: Int) {
    name = "cronlock-fault-\(UUID().uuidString.prefix(8).lowercased())"
    let steps = [
      ["/usr/sbin/ip", "netns", "add", name],
      ["/usr/sbin/ip", "netns", "exec", name, "/usr/sbin/ip", "link", "set", "lo", "up"],
      ["/usr/sbin/ip", "netns", "exec", name, "iptables", "-A", "INPUT", "-p", "tcp", "--dport", String(port), "-j", "DROP"],
    ]
    for step in steps where Shell.run(step, environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"]).status != 0 {
      remove()
      return nil
    }
  }

  func remove() {
    Shell.run(["/usr/sbin/ip", "netns", "del", name])
  }

  /// Whether this machine lets us make one (root, iproute2, iptables, a kernel with netfilter).
  static let available: Bool = {
    guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip"),
      FileManager.default.isExecutableFile(atPath: "/usr/sbin/iptables")
    else { return false }
    guard let probe = NetworkNamespace(droppingPort: 9) else { return false }
    probe.remove()
    return true
  }()
}
