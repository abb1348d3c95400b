import Foundation
import Testing
import CronlockTestSupport

/// Catalogue items 7, 8, 10 and 11: the server is down before, during or after the child.
@Suite("fault: database availability")
struct FaultAvailabilityTests {
  @Test("item 7: server down at start: 75 in bound, no row; --on-db-error run runs unrecorded and says so; skip skips")
  func serverDownAtStart() throws {
    let server = TestServer.start()
    defer { server.stop() }
    let table = try server.freshTable("down")
    server.crash()
    let scratch = Scratch()
    let secret = "Down-Secret-7"
    let database = "postgresql://postgres:\(secret)@127.0.0.1:\(server.port)/postgres"
    func run(_ policy: [String], exit code: Int = 0) -> (ProcessResult, TimeInterval) {
      Fault.timed {
        Fault.run(["--job", "down", "--identifier", "s1", "--table", table, "--database", database, "--connect-timeout", "2s",
                   "--skip-exit-code", "3"] + policy + ["--"] + scratch.faultChild(exit: code), environment: server.environment)
      }
    }
    let (failed, failedSeconds) = run([])
    #expect(failed.status == 75)
    #expect(failedSeconds < 2 + 5, "bounded by --connect-timeout")
    #expect(failed.stderr.contains("the command did not run"))
    #expect(failed.stderr.split(separator: "\n").count == 1, "quiet without -v: \(failed.stderr)")
    let (verbose, _) = run(["-v"])
    #expect(verbose.status == 75)
    #expect(verbose.stderr.contains("cannot claim the slot yet (cannot connect to the database")
      && verbose.stderr.contains("retrying in"), "-v says each retry: \(verbose.stderr)")
    #expect(!verbose.stderr.contains(secret))
    let (skipped, _) = run(["--on-db-error", "skip"])
    #expect(skipped.status == 3, "\(skipped.stderr)")
    #expect(skipped.stderr.contains("job 'down' slot 's1'"))
    let (ran, _) = run(["--on-db-error", "run"], exit: 5)
    #expect(ran.status == 5, "the child's status: \(ran.stderr)")
    #expect(ran.stderr.contains("job 'down' slot 's1'") && ran.stderr.contains("anyway"), "\(ran.stderr)")
    #expect(scratch.executions.map(\.runID) == [""], "one unrecorded run, with an empty CRONLOCK_RUN_ID")
    server.restart()
    #expect(try server.query("SELECT count(*) FROM \(table)") == [["0"]])
    let invocations = [failed, verbose, skipped, ran].map { Invocation(job: "down", result: $0, skipCode: 3) }
    try History.check(table: table, server: server, scratch: scratch, invocations: invocations, secrets: [secret],
                      options: .init(unrecordedRunsAllowed: true))
  }

  @Test("item 8: the server comes back inside --connect-timeout: the original slot is won and run once")
  func serverBackInTime() throws {
    let server = TestServer.start()
    defer { server.stop() }
    let table = try server.freshTable("back")
    server.crash()
    let scratch = Scratch()
    let launched = Date()
    let process = Fault.start(["--job", "back", "--precision", "1s", "--table", table, "--connect-timeout", "30s", "--"]
      + scratch.faultChild(), environment: server.environment)
    // The outage: long enough that a recomputed identifier would name a later 1 s slot.
    sleep(3)
    server.restart()
    let restarted = Date()
    let result = process.finish()
    #expect(result.status == 0, "\(result.stderr)")
    let executions = scratch.executions
    #expect(executions.count == 1)
    let original = [Fault.secondIdentifier(launched), Fault.secondIdentifier(launched.addingTimeInterval(1))]
    #expect(original.contains(executions.first?.identifier ?? ""), "\(executions) launched \(original)")
    #expect((executions.first?.identifier ?? "") < Fault.secondIdentifier(restarted))
    try History.check(table: table, server: server, scratch: scratch, invocations: [Invocation(job: "back", result: result)])
  }

  /// A child that says when it runs, waits for "go", says it is done and exits `code`.
  func waitingChild(_ scratch: Scratch, exit code: Int) -> [String] {
    scratch.faultChild("""
      touch '\(scratch.path("ready"))'
      while [ ! -e '\(scratch.path("go"))' ]; do sleep 0.05; done
      touch '\(scratch.path("done"))'
      """, exit: code)
  }

  @Test("item 10: the server crashes while the child runs and returns 5 s later: the row gets the child's outcome")
  func crashWhileRunning() throws {
    let server = TestServer.start()
    defer { server.stop() }
    let table = try server.freshTable("crash")
    let scratch = Scratch()
    // --connect-timeout 2s is shorter than the outage: the final update is retried for --finish-timeout.
    let process = Fault.start(["--job", "crash", "--identifier", "s1", "--table", table, "--heartbeat", "1s",
                               "--connect-timeout", "2s", "--finish-timeout", "60s", "--"] + waitingChild(scratch, exit: 3),
                              environment: server.environment)
    #expect(scratch.waitForFile("ready"))
    server.crash()
    scratch.touch("go")
    #expect(scratch.waitForFile("done"))
    sleep(5)  // the outage outlasts the child
    server.restart()
    let result = process.finish()
    #expect(result.status == 3, "\(result.stderr)")
    #expect(try server.query("SELECT status, exit_code FROM \(table)") == [["FAILED", "3"]])
    try History.check(table: table, server: server, scratch: scratch,
                      invocations: [Invocation(job: "crash", result: result, identifier: "s1")])
  }

  @Test("item 11: the server is still down when the child ends: the child's status, and the RUNNING row is reported")
  func downAtFinish() throws {
    let server = TestServer.start()
    defer { server.stop() }
    let table = try server.freshTable("gone")
    let scratch = Scratch()
    let (result, seconds) = Fault.timed {
      let process = Fault.start(["--job", "gone", "--identifier", "s1", "--table", table, "--heartbeat", "1s",
                                 "--finish-timeout", "2s", "--"] + waitingChild(scratch, exit: 4),
                                environment: server.environment)
      _ = scratch.waitForFile("ready")
      server.crash()
      scratch.touch("go")
      return process.finish()
    }
    #expect(result.status == 4, "\(result.stderr)")
    #expect(seconds < 30, "bounded by --finish-timeout (and a heartbeat's attempt)")
    let runID = try #require(scratch.executions.first?.runID)
    let report = result.stderr.split(separator: "\n").filter { $0.contains("still RUNNING") }
    #expect(report.count == 1, "\(result.stderr)")
    #expect(report.first.map { $0.contains("job 'gone'") && $0.contains("'s1'") && $0.contains("run \(runID)") } == true)
    server.restart()
    #expect(try server.query("SELECT id::text, status FROM \(table)") == [[runID, "RUNNING"]])
    try History.check(table: table, server: server, scratch: scratch,
                      invocations: [Invocation(job: "gone", result: result, identifier: "s1")])
  }
}
