import CronlockCore
import CronlockTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Catalogue item 33: the whole server frozen — postmaster and every backend SIGSTOPped — while
/// cronlock connects, claims, heartbeats and records. cronlock's own clock must not notice:
/// --timeout, --kill-after, signal forwarding and the exit stay on time.
@Suite("fault: the whole server frozen", .serialized)
struct FaultFreezeTests {
  /// Scheduling slack on a loaded 2-core machine, added to every bound the options give.
  static let slack: TimeInterval = 2.5

  /// A private server (the others' tests must not freeze) with a migrated table.
  static let server = TestServer.start()

  func fresh() throws -> (server: TestServer, table: String, scratch: Scratch) {
    (Self.server, try Self.server.freshTable("freeze"), Scratch())
  }

  func cronlock(_ server: TestServer, _ table: String, _ arguments: [String]) -> RunningProcess {
    Fault.start(["--table", table] + arguments, environment: server.environment)
  }

  @Test("frozen before the run: the claim gives up at --connect-timeout with 75; the command never runs, not even after the thaw")
  func frozenWhileConnecting() throws {
    let (server, table, scratch) = try fresh()
    let frozen = server.freeze()
    let (result, seconds) = Fault.timed {
      cronlock(server, table, ["--job", "fz", "--identifier", "s1", "--connect-timeout", "2s", "--"]
        + scratch.faultChild()).finish()
    }
    server.thaw(frozen)
    #expect(result.status == 75, "\(result.stderr)")
    #expect(seconds < 2 + Self.slack, "bounded by --connect-timeout")
    #expect(result.stderr.contains("the command did not run"))
    #expect(scratch.executions.isEmpty)
  }

  @Test("frozen during the claim (its INSERT waits for a lock): 75 at --connect-timeout; after the thaw, no run")
  func frozenWhileClaiming() throws {
    let (server, table, scratch) = try fresh()
    let holder = try Connection.connect(url: server.conninfo, connectTimeout: .seconds(10), deadline: .after(.seconds(10)))
    try holder.execute("BEGIN")
    try holder.execute("LOCK TABLE \(table) IN SHARE MODE")
    let process = cronlock(server, table, ["--job", "fz", "--identifier", "s1", "--connect-timeout", "3s",
                                           "--lock-timeout", "60s", "--"] + scratch.faultChild())
    #expect(try server.waitForWaitingBackend(on: table) != nil, "the claim waits behind the lock")
    let frozen = server.freeze()
    let (result, seconds) = Fault.timed { process.finish() }
    server.thaw(frozen)
    try holder.execute("ROLLBACK")
    #expect(result.status == 75, "\(result.stderr)")
    #expect(seconds < 3 + Self.slack, "bounded by --connect-timeout, whatever the server does")
    #expect(scratch.executions.isEmpty, "a claim past its budget never runs the command")
  }

  @Test("frozen while the command runs: --timeout and --kill-after fire on time (124), the exit does not wait for a heartbeat")
  func frozenDuringHeartbeats() throws {
    let (server, table, scratch) = try fresh()
    let process = cronlock(server, table, ["--job", "fz", "--identifier", "s1", "--heartbeat", "1s", "--timeout", "4s",
                                           "--kill-after", "1s", "--finish-timeout", "2s", "--"]
      + scratch.faultChild("trap '' TERM; touch '\(scratch.path("ready"))'; while :; do sleep 0.1; done"))
    #expect(scratch.waitForFile("ready"))
    let frozenAt = Date()
    let frozen = server.freeze()
    let result = process.finish()
    let seconds = Date().timeIntervalSince(frozenAt)
    server.thaw(frozen)
    #expect(result.status == 124, "\(result.stderr)")
    // From the freeze: what is left of --timeout, --kill-after, then --finish-timeout for the record.
    #expect(seconds < 4 + 1 + 2 + Self.slack)
    #expect(result.stderr.contains("timed out after --timeout 4s"))
    #expect(result.stderr.contains("was not recorded"), "the lost update is reported: \(result.stderr)")
    let child = try #require(scratch.executions.first)
    #expect(ProcessGroup.waitUntilEmpty(child.group) == nil)
  }

  @Test("frozen while the command runs: SIGTERM to cronlock reaches the command at once; 143")
  func frozenSignalForwarding() throws {
    let (server, table, scratch) = try fresh()
    let process = cronlock(server, table, ["--job", "fz", "--identifier", "s1", "--heartbeat", "1s",
                                           "--finish-timeout", "1s", "--"]
      + scratch.faultChild("touch '\(scratch.path("ready"))'; exec sleep 60"))
    #expect(scratch.waitForFile("ready"))
    let frozen = server.freeze()
    Thread.sleep(forTimeInterval: 1.5)  // the scenario: a heartbeat is due, and blocks, while frozen
    let sentAt = Date()
    process.signal(SIGTERM)
    let result = process.finish()
    let seconds = Date().timeIntervalSince(sentAt)
    server.thaw(frozen)
    #expect(result.status == 143, "\(result.stderr)")
    #expect(seconds < 1 + Self.slack, "forwarded at once; then at most --finish-timeout to record")
  }

  @Test("frozen when the command ends: cronlock exits with the command's status at --finish-timeout, and says the row is RUNNING",
        arguments: [[], ["--capture-output", "64KiB"]])
  func frozenDuringFinish(capture: [String]) throws {
    let (server, table, scratch) = try fresh()
    let process = cronlock(server, table, ["--job", "fz", "--identifier", "s1", "--finish-timeout", "2s"] + capture + ["--"]
      + scratch.faultChild("touch '\(scratch.path("ready"))'; while [ ! -e '\(scratch.path("go"))' ]; do sleep 0.05; done",
                           exit: 3))
    #expect(scratch.waitForFile("ready"))
    let frozen = server.freeze()
    scratch.touch("go")
    let (result, seconds) = Fault.timed { process.finish() }
    server.thaw(frozen)
    #expect(result.status == 3, "\(result.stderr)")
    #expect(seconds < 2 + Self.slack)
    #expect(result.stderr.contains("is still RUNNING in the table"), "\(result.stderr)")
  }
}
