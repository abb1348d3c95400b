import Foundation
import Testing

/// On a real Patroni cluster (scripts/ha-lab): a synchronous failover in the middle of a run,
/// and what `check` says of synchronous, asynchronous and standby members. Each suite starts
/// its own two-member lab (about 20 s); the suites run in parallel.
@Suite("high availability: a synchronous Patroni failover mid-run", .serialized,
       .enabled(if: HALab.available, HALab.skipReason))
struct SynchronousFailoverTests {
  @Test("the finish lands on the new primary within --finish-timeout, the slot is not run again, run ids keep growing")
  func failoverMidRun() throws {
    let lab = HALab(.sync)
    defer { lab.stop() }
    let table = "ha_\(UUID().uuidString.prefix(8).lowercased())"
    let migrated = lab.run(["migrate", "--table", table])
    try #require(migrated.status == 0, "\(migrated.stderr)")

    let check = lab.run(["check", "--table", table])
    #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    #expect(check.stdout.contains("ok    1 streaming standby(s), 1 synchronous"), "\(check.stdout)")

    let scratch = Scratch()
    // The child says it started, then waits (bounded) for the test's go-ahead and exits 7.
    let child = """
      touch '\(scratch.path("started"))'
      i=0; while [ ! -e '\(scratch.path("go"))' ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i+1)); done
      echo "$CRONLOCK_RUN_ID" > '\(scratch.path("run-id"))'
      exit 7
      """
    let finishTimeout: TimeInterval = 60
    let running = lab.cronlock(["run", "--job", "ha-job", "--identifier", "slot-1", "--table", table,
                                "--heartbeat", "1s", "--finish-timeout", "\(Int(finishTimeout))s", "--",
                                "/bin/sh", "-c", child])
    #expect(scratch.waitForFile("started", timeout: 30))
    let before = try lab.query("SELECT id, status FROM \(table) WHERE job_identifier = 'slot-1'")
    #expect(before.count == 1 && before.first?[1] == "RUNNING", "\(before)")

    let moved = try #require(lab.failover())
    #expect(moved.contains(" -> "), "\(moved)")
    #expect(FileManager.default.createFile(atPath: scratch.path("go"), contents: nil))
    // The child exits at once; the rest is cronlock reconnecting to the new primary.
    let result = try #require(running.finish(within: finishTimeout + 30), "cronlock did not exit")
    #expect(result.status == 7, "\(result.stderr)")

    let after = try lab.query("SELECT id, status, exit_code, finished_at IS NOT NULL FROM \(table)")
    #expect(after.count == 1, "\(after)")
    #expect(after.first?[0] == before.first?[0], "the same row, on the new primary")
    #expect(after.first?[1] == "FAILED" && after.first?[2] == "7" && after.first?[3] == "t", "\(after)")

    // A second host trying the same slot after the failover loses it.
    let again = lab.run(["run", "--job", "ha-job", "--identifier", "slot-1", "--table", table,
                         "--skip-exit-code", "3", "--"] + scratch.markingChild)
    #expect(again.status == 3, "\(again.stderr)")
    #expect(scratch.markerLines.isEmpty)
    // A new slot is claimed on the new primary, with a larger run id than any before it.
    let next = lab.run(["run", "--job", "ha-job", "--identifier", "slot-2", "--table", table, "--"] + scratch.markingChild)
    #expect(next.status == 0, "\(next.stderr)")
    let nextID = Int64(scratch.markerLines.first?.split(separator: " ").last ?? "") ?? 0
    let firstID = Int64(before.first?[0] ?? "") ?? .max
    #expect(nextID > firstID, "CRONLOCK_RUN_ID \(nextID) after \(firstID)")
  }
}

extension SynchronousFailoverTests {
  /// PostgreSQL answers a commit whose wait for the synchronous standby was cancelled with
  /// success and a WARNING ("canceling wait for synchronous replication … the transaction has
  /// already committed locally, but might not have been replicated"). cronlock gives up on a
  /// claim at its deadline without reading that answer (75, not run), and takes no claim
  /// answered with a WARNING as a win; a failover to the standby, which never had the claim,
  /// then lets the slot run at most once.
  @Test("a claim whose wait for the synchronous standby was cancelled is not run twice across a failover",
        .enabled(if: HALab.canBlock, "skipped: needs root and iptables to cut the replication stream"))
  func cancelledSynchronousWait() throws {
    let lab = HALab(.sync)
    defer { lab.stop() }
    let table = "ha_\(UUID().uuidString.prefix(8).lowercased())"
    let migrated = lab.run(["migrate", "--table", table])
    try #require(migrated.status == 0, "\(migrated.stderr)")
    let scratch = Scratch()
    let slot = ["run", "--job", "sync-wait", "--identifier", "s1", "--table", table, "--skip-exit-code", "3"]
    lab.block()
    // The commit waits for a standby that no longer hears the primary; cronlock gives up at 3 s.
    let first = lab.run(slot + ["--connect-timeout", "3s", "--finish-timeout", "2s", "--"] + scratch.markingChild)
    // Within wal_sender_timeout (60 s): the standby still counts as synchronous, and is promoted.
    let moved = lab.failover()
    lab.unblock()
    try #require(moved != nil)
    let second = lab.run(slot + ["--"] + scratch.markingChild)
    #expect(first.status == 75, "a claim whose commit was not confirmed in time is a visible miss: \(first.stderr)")
    #expect(scratch.markerLines.count <= 1,
            "ran \(scratch.markerLines.count) times; first exited \(first.status) (\(first.stderr)), second \(second.status)")
  }
}

@Suite("high availability: check against an asynchronous Patroni cluster", .enabled(if: HALab.available, HALab.skipReason))
struct AsynchronousCheckTests {
  @Test("the primary: ready with a named replication warning; the standby: not ready (78)")
  func asynchronousCheck() throws {
    let lab = HALab(.async)
    defer { lab.stop() }
    let table = "ha_\(UUID().uuidString.prefix(8).lowercased())"
    let migrated = lab.run(["migrate", "--table", table])
    try #require(migrated.status == 0, "\(migrated.stderr)")

    let result = lab.run(["check", "--table", table, "--format", "json"])
    #expect(result.status == 0, "a warning does not change the exit status: \(result.stdout)")
    let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let checks = report["checks"] as? [[String: Any]] ?? []
    let replication = try #require(checks.first { $0["name"] as? String == "replication" })
    #expect(replication["ok"] as? Bool == false && replication["required"] as? Bool == false)
    #expect((replication["detail"] as? String ?? "").contains("all asynchronous: a failover can lose acknowledged claims"))

    // Each member alone: exactly one is the primary; the other says it is a standby.
    var verdicts: [Int32] = []
    for port in lab.ports {
      let member = lab.run(["check", "--table", table], database: lab.member(port))
      verdicts.append(member.status)
      if member.status == 78 {
        #expect(member.stdout.contains("FAIL  connected to a standby (pg_is_in_recovery)"), "\(member.stdout)")
        #expect(member.stdout.contains("FAIL  this session is read-only"), "\(member.stdout)")
      }
    }
    #expect(verdicts.sorted() == [0, 78], "\(verdicts)")

    // The warning is true: a claim the primary acknowledged before its standby had it is lost
    // at the failover, and the slot runs again, with the same CRONLOCK_RUN_ID.
    guard HALab.canBlock else { return }
    let scratch = Scratch()
    let slot = ["run", "--job", "async-loss", "--identifier", "s1", "--table", table, "--"] + scratch.markingChild
    lab.block()
    let first = lab.run(slot)
    #expect(first.status == 0, "\(first.stderr)")
    let moved = lab.failover()
    lab.unblock()
    try #require(moved != nil)
    let second = lab.run(slot)
    #expect(second.status == 0, "\(second.stderr)")
    let ids = scratch.markerLines.map { $0.split(separator: " ").last.map(String.init) ?? "" }
    #expect(ids.count == 2, "the slot ran twice: \(scratch.markerLines)")
    #expect(Set(ids).count == 1, "with the same run id: \(ids)")
  }
}
