import CronlockCore
import Foundation
import Testing
import CronlockTestSupport

/// Catalogue items 2–6 and 31: at most one start per slot under isolation levels, PgBouncer,
/// open transactions, many jobs, --no-overlap and a burst against a small max_connections.
@Suite("fault: exclusion", .serialized)
struct FaultExclusionTests {
  let server = TestServer.shared

  /// 32 processes race for one explicit slot, `rounds` times; returns every invocation.
  func race(table: String, job: String, rounds: Int, scratch: Scratch, environment: [String: String],
            extra: [String: String] = [:]) -> [Invocation]
  {
    (1...rounds).flatMap { round in
      let processes = (0..<32).map { index in
        Fault.start(["-v", "--job", job, "--identifier", "round-\(round)", "--table", table, "--worker", "w\(index)",
                     "--"] + scratch.faultChild(), environment: environment, extra: extra)
      }
      return processes.map { Invocation(job: job, result: $0.finish(), identifier: "round-\(round)") }
    }
  }

  @Test("item 2: a role whose default isolation is SERIALIZABLE or REPEATABLE READ still has one winner; losers lose",
        arguments: ["serializable", "repeatable read"])
  func isolationLevels(isolation: String) throws {
    let table = try server.freshTable("iso")
    let role = "fault_" + isolation.replacingOccurrences(of: " ", with: "_")
    try server.runnerRole(role, on: table, settings: ["default_transaction_isolation = '\(isolation)'"])
    #expect(try server.query("SELECT rolconfig::text FROM pg_roles WHERE rolname = $1", [role])[0][0]?.contains(isolation) == true)
    let scratch = Scratch()
    let invocations = race(table: table, job: "iso", rounds: 3, scratch: scratch, environment: server.environment,
                           extra: ["PGUSER": role])
    #expect(invocations.allSatisfy { $0.result.status == 0 }, "\(invocations.map { $0.result.stderr })")
    let losers = invocations.filter { $0.ranRunID == nil }
    #expect(losers.count == 3 * 31)
    #expect(losers.allSatisfy { $0.result.stderr.contains("another worker owns this slot") },
            "a serialization failure is a lost race, never 75")
    try History.check(table: table, server: server, scratch: scratch, invocations: invocations)
    #expect(scratch.executions.count == 3)
  }

  @Test("item 3: 32 processes racing through PgBouncer in transaction mode: one child per round")
  func raceThroughBouncer() throws {
    let table = try server.freshTable("bounce")
    let bouncer = FaultBouncer(in: server)
    defer { bouncer.stop() }
    let scratch = Scratch()
    let invocations = race(table: table, job: "bounce", rounds: 3, scratch: scratch, environment: bouncer.environment)
    #expect(invocations.allSatisfy { $0.result.status == 0 }, "\(invocations.map { $0.result.stderr })")
    #expect(scratch.executions.count == 3)
    try History.check(table: table, server: server, scratch: scratch, invocations: invocations)
  }

  @Test("item 4: another session's uncommitted claim: 75 after --lock-timeout, then a lost race once it commits")
  func uncommittedClaim() throws {
    let table = try server.freshTable("open")
    let holder = try Connection.connect(url: server.conninfo, connectTimeout: .seconds(10), deadline: .after(.seconds(10)))
    try holder.execute("BEGIN")
    try holder.execute("INSERT INTO \(table) (job_name, job_identifier, worker, status) VALUES ('open', 's1', 'intruder', 'RUNNING')")
    let scratch = Scratch()
    // --connect-timeout is far longer: only the lock timeout can end this one early.
    let (waited, seconds) = Fault.timed {
      Fault.run(["--job", "open", "--identifier", "s1", "--table", table, "--lock-timeout", "1s", "--connect-timeout", "30s",
                 "--"] + scratch.faultChild(), environment: server.environment)
    }
    #expect(waited.status == 75, "\(waited.stderr)")
    #expect(seconds < 1 + 8, "bounded by --lock-timeout, not --connect-timeout")
    #expect(waited.stderr.contains("job 'open' slot 's1'"))
    try holder.execute("COMMIT")
    let after = Fault.run(["-v", "--job", "open", "--identifier", "s1", "--table", table, "--"] + scratch.faultChild(),
                          environment: server.environment)
    #expect(after.status == 0 && after.stderr.contains("another worker owns this slot"), "\(after.stderr)")
    #expect(scratch.executions.isEmpty)
    #expect(try server.query("SELECT worker FROM \(table)") == [["intruder"]])
    // The intruder's row has no execution: it is the test's own claim.
    try History.check(table: table, server: server, scratch: scratch,
                      invocations: [Invocation(job: "open", result: waited, identifier: "s1"),
                                    Invocation(job: "open", result: after, identifier: "s1")],
                      options: .init(orphanClaimsAllowed: true))
  }

  // The catalogue's 20 jobs x 60 slots x 8 processes (9 600 cronlocks) is scaled to 20 x 5 x 8
  // (800) so that it runs in well under 30 s on 2 cores; the shape of the race is the same.
  @Test("item 5: 20 jobs x 5 slots x 8 processes: exactly 100 runs, one per (job, slot), no cross-talk",
        arguments: Backend.allCases)
  func manyJobs(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend, "many")
    let scratch = Scratch()
    var invocations: [Invocation] = []
    for slot in 1...5 {
      let processes = (1...20).flatMap { job in
        (0..<8).map { host in
          (job, database.start(["--job", "job-\(job)", "--identifier", "slot-\(slot)", "--worker", "h\(host)", "--"]
            + scratch.faultChild()))
        }
      }
      invocations += processes.map { Invocation(job: "job-\($0.0)", result: $0.1.finish(), identifier: "slot-\(slot)") }
    }
    #expect(invocations.allSatisfy { $0.result.status == 0 }, "\(Set(invocations.map { $0.result.stderr }))")
    let executions = scratch.executions
    #expect(executions.count == 100)
    #expect(Set(executions.map { "\($0.job)/\($0.identifier)" }).count == 100)
    #expect(try database.query("""
      SELECT count(*), count(DISTINCT job_name || '/' || job_identifier) FROM \(database.table) WHERE status = 'FINISHED'
      """) == [["100", "100"]])
    try History.check(database: database, scratch: scratch, invocations: invocations)
  }

  @Test("item 6: --no-overlap: 8 hosts start 8 different slots while none runs: exactly one starts; then the next runs",
        arguments: [(.postgres, false), (.postgres, true), (.sqlite, false)] as [(backend: Backend, throughBouncer: Bool)])
  func noOverlap(backend: Backend, throughBouncer: Bool) throws {
    let database = try TestDatabase.fresh(backend, "overlap")
    let bouncer = throughBouncer ? FaultBouncer(in: server) : nil
    defer { bouncer?.stop() }
    let environment = bouncer?.environment ?? [:]
    let scratch = Scratch()
    let hold = "touch '\(scratch.path("ready"))'; while [ ! -e '\(scratch.path("release"))' ]; do sleep 0.05; done"
    let processes = (1...8).map { slot in
      database.start(["-v", "--no-overlap", "--heartbeat", "1s", "--skip-exit-code", "3", "--job", "ov", "--identifier", "slot-\(slot)",
                      "--"] + scratch.faultChild(hold), environment: environment)
    }
    #expect(scratch.waitForFile("ready"))
    // Every loser has decided (exited) while the winner's child still waits for "release".
    _ = eventually(timeout: 30) { processes.filter({ ProcessGroup.isAlive($0.pid) }).count <= 1 }
    var invocations: [Invocation] = []
    let late = database.run(["-v", "--no-overlap", "--skip-exit-code", "3", "--job", "ov", "--identifier", "slot-9", "--"]
      + scratch.faultChild(), environment: environment)
    #expect(late.status == 3 && late.stderr.contains("still running"), "\(late.stderr)")
    invocations.append(Invocation(job: "ov", result: late, skipCode: 3))
    scratch.touch("release")
    invocations += processes.map { Invocation(job: "ov", result: $0.finish(), skipCode: 3) }
    #expect(invocations.map { $0.result.status }.sorted() == [0] + Array(repeating: 3, count: 8), "\(invocations.map { $0.result.stderr })")
    #expect(invocations.filter { $0.result.status == 3 }.allSatisfy { $0.result.stderr.contains("--no-overlap") })
    let next = database.run(["--no-overlap", "--job", "ov", "--identifier", "slot-10", "--"] + scratch.faultChild(),
                            environment: environment)
    #expect(next.status == 0)
    invocations.append(Invocation(job: "ov", result: next, identifier: "slot-10"))
    #expect(scratch.executions.count == 2)
    try History.check(database: database, scratch: scratch, invocations: invocations)
  }

  @Test("item 6: a run whose cronlock was SIGKILLed blocks --no-overlap only until 3 heartbeats lapse",
        arguments: Backend.allCases)
  func staleRunDoesNotBlock(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend, "stale")
    let scratch = Scratch()
    let arguments = ["--no-overlap", "--heartbeat", "1s", "--skip-exit-code", "3", "--job", "st"]
    let crashed = database.start(arguments + ["--identifier", "a", "--"]
      + scratch.faultChild("touch '\(scratch.path("ready"))'; exec sleep 100"))
    #expect(scratch.waitForFile("ready"))
    crashed.signal(SIGKILL)
    var invocations = [Invocation(job: "st", result: crashed.finish(), killed: true)]
    let blocked = database.run(["-v"] + arguments + ["--identifier", "b", "--"] + scratch.faultChild())
    #expect(blocked.status == 3 && blocked.stderr.contains("still running"), "\(blocked.stderr)")
    invocations.append(Invocation(job: "st", result: blocked, skipCode: 3))
    // The heartbeat is 1 s, so 3 s after the last one the run is stale (list shows STALE); allow a generous margin.
    let stale = try eventually(timeout: 15, every: 0.1) {
      let listed = database.run(["list", "--format", "json"])
      let rows = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]]
      return rows?.map { $0["status"] as? String } == ["STALE"]
    }
    #expect(stale)
    let after = database.run(arguments + ["--identifier", "c", "--"] + scratch.faultChild())
    #expect(after.status == 0, "\(after.stderr)")
    invocations.append(Invocation(job: "st", result: after, identifier: "c"))
    #expect(scratch.executions.map(\.identifier) == ["a", "c"])
    try History.check(database: database, scratch: scratch, invocations: invocations)
  }
}
