import Foundation
import Testing
import CronlockTestSupport

/// Catalogue items 9 and 31: more cronlocks than the server has connections.
@Suite("fault: load", .serialized)
struct FaultLoadTests {
  @Test("item 9: max_connections exhausted by 100 concurrent runs of one slot: at most one child, the rest lost or 75")
  func connectionsExhausted() throws {
    let server = TestServer.start(maxConnections: 10)
    defer { server.stop() }
    let table = try server.freshTable("full")
    let scratch = Scratch()
    let processes = (0..<100).map { host in
      Fault.start(["--job", "full", "--identifier", "s1", "--table", table, "--worker", "h\(host)", "--connect-timeout", "5s",
                   "--"] + scratch.faultChild(), environment: server.environment)
    }
    let invocations = processes.map { Invocation(job: "full", result: $0.finish(), identifier: "s1") }
    let statuses = Set(invocations.map { $0.result.status })
    #expect(statuses.isSubset(of: [0, 75]), "\(statuses): \(Set(invocations.map { $0.result.stderr }))")
    #expect(scratch.executions.count <= 1)
    #expect(scratch.executions.count == Int(try server.query("SELECT count(*) FROM \(table)")[0][0]!)!)
    try History.check(table: table, server: server, scratch: scratch, invocations: invocations)
  }

  @Test("item 31: 500 invocations (50 jobs x 10 hosts) within a second against max_connections=50",
        arguments: [false, true])
  func burst(throughBouncer: Bool) throws {
    let server = TestServer.start(maxConnections: 50)
    defer { server.stop() }
    let table = try server.freshTable("burst")
    let bouncer = throughBouncer ? FaultBouncer(in: server, poolSize: 20) : nil
    defer { bouncer?.stop() }
    let environment = bouncer?.environment ?? server.environment
    let scratch = Scratch()
    // A gate: every cronlock waits behind a FIFO until all 500 are spawned, then they go at once
    // (opening the FIFO blocks until the test opens its other end), so spawning time does not
    // spread the burst out.
    let gate = scratch.path("gate")
    #expect(mkfifo(gate, 0o600) == 0)
    let processes = (0..<10).flatMap { host in
      (1...50).map { job in
        (job, Shell.start(["/bin/sh", "-c", ": < \"$0\"; exec \"$@\"", gate, CronlockBinary.path, "--job", "burst-\(job)",
                           "--identifier", "s1", "--table", table, "--worker", "h\(host)", "--connect-timeout", "30s", "--"]
                            + scratch.faultChild(), environment: CronlockBinary.environment(environment)))
      }
    }
    let opened = open(gate, O_RDWR)
    #expect(opened >= 0)
    let invocations = processes.map { Invocation(job: "burst-\($0.0)", result: $0.1.finish(), identifier: "s1") }
    close(opened)
    let statuses = Set(invocations.map { $0.result.status })
    #expect(statuses.isSubset(of: [0, 75]), "\(statuses): \(Set(invocations.map { $0.result.stderr }))")
    let ranJobs = scratch.executions.map(\.job)
    #expect(Set(ranJobs).count == ranJobs.count, "at most one run per job")
    // A job nobody ran must show a visible miss (75), never only silent losers.
    for job in (1...50).map({ "burst-\($0)" }) where !ranJobs.contains(job) {
      #expect(invocations.contains { $0.job == job && $0.result.status == 75 }, "\(job) was silently missed")
    }
    try History.check(table: table, server: server, scratch: scratch, invocations: invocations)
  }
}
