import CronlockCore
import Foundation
import Testing
import CronlockTestSupport

/// Catalogue items 17–20 and 22: signals, timeouts, grandchildren, SIGKILL, big output.
@Suite("fault: processes and signals")
struct FaultSignalTests {
  let server = TestServer.shared

  @Test("items 17, 19: TERM/INT/HUP while the child runs reach its whole group; 128+N; the row says so; no grandchild left",
        arguments: Backend.allCases, [(SIGTERM, 143), (SIGINT, 130), (SIGHUP, 129)] as [(number: Int32, expected: Int32)])
  func forwardedWhileRunning(backend: Backend, signalled: (number: Int32, expected: Int32)) throws {
    let (signal, expected) = signalled
    let database = try TestDatabase.fresh(backend, "sig")
    let scratch = Scratch()
    // A grandchild that reports what reaches it, and one that would sleep on: the sweep after the
    // signal must kill it. Background jobs of sh ignore INT, so for INT there is no report; for
    // TERM and HUP the child waits (up to 5 s) for the report, then dies of the same signal, so
    // the sweep cannot kill the reporter first.
    let name = signal == SIGTERM ? "TERM" : "HUP"
    let grandchild = scratch.path("grandchild")
    let reraise = signal == SIGINT ? "" : """
      trap 'i=0; while [ ! -e \(grandchild) ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done; trap - \(name); kill -\(name) $$' \(name)
      """
    let child = scratch.faultChild("""
      sleep 100 &
      (trap 'echo got >> \(grandchild); exit 0' TERM HUP; touch '\(scratch.path("ready"))'
       while :; do sleep 0.05; done) &
      \(reraise)
      wait
      """)
    let process = database.start(["--job", "sig", "--identifier", "s1", "--"] + child)
    #expect(scratch.waitForFile("ready"))
    process.signal(signal)
    let result = process.finish()
    #expect(result.status == expected, "\(result.stderr)")
    if signal != SIGINT { #expect(scratch.waitForFile("grandchild", timeout: 1), "the grandchild got the signal") }
    let rows = try database.query("SELECT status, signal, note FROM \(database.table)")
    #expect(rows.first?[0] == "FAILED" && rows.first?[1] == String(signal), "\(rows)")
    #expect(rows.first?[2]?.contains("signal \(signal)") == true, "\(rows)")
    try History.check(database: database, scratch: scratch,
                      invocations: [Invocation(job: "sig", result: result, identifier: "s1")])
  }

  @Test("item 17: a signal while cronlock is still connecting ends it within 2 s with 128+N: no child, no row",
        arguments: [(SIGTERM, 143), (SIGINT, 130), (SIGHUP, 129)] as [(Int32, Int32)])
  func signalWhileConnecting(signal: Int32, expected: Int32) throws {
    let listener = DeadListener(.silent)
    let scratch = Scratch()
    let process = Fault.start(["--job", "conn", "--identifier", "s1", "--database", listener.database, "--connect-timeout", "60s",
                               "--"] + scratch.faultChild(), environment: [:])
    #expect(listener.waitForClient(), "cronlock connected")
    let (result, seconds) = Fault.timed {
      process.signal(signal)
      return process.finish()
    }
    #expect(result.status == expected, "\(result.stderr)")
    #expect(seconds < 2)
    #expect(scratch.executions.isEmpty)
  }

  @Test("item 17: a signal while the claim waits for a lock ends cronlock within 2 s with 128+N: no child, no row left")
  func signalWhileClaiming() throws {
    let table = try server.freshTable("claiming")
    let scratch = Scratch()
    let holder = try Connection.connect(url: server.conninfo, connectTimeout: .seconds(10), deadline: .after(.seconds(10)))
    try holder.execute("BEGIN")
    try holder.execute("LOCK TABLE \(table) IN SHARE MODE")
    let process = Fault.start(["--job", "claiming", "--identifier", "s1", "--table", table, "--lock-timeout", "60s",
                               "--connect-timeout", "60s", "--"] + scratch.faultChild(), environment: server.environment)
    let backend = try #require(try server.waitForWaitingBackend(on: table))
    let (result, seconds) = Fault.timed {
      process.signal(SIGINT)
      return process.finish()
    }
    try holder.execute("ROLLBACK")
    #expect(result.status == 130, "\(result.stderr)")
    #expect(seconds < 2)
    _ = try eventually(timeout: 10) {
      try server.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [String(backend)]) == []
    }
    #expect(try server.query("SELECT count(*) FROM \(table)") == [["0"]])
    #expect(scratch.executions.isEmpty)
  }

  @Test("items 18, 19: --timeout 1s --kill-after 1s: a child that ignores TERM is killed with its group; 124; the row says timed out",
        arguments: Backend.allCases, [true, false])
  func timeout(backend: Backend, ignoresTerm: Bool) throws {
    let database = try TestDatabase.fresh(backend, "timeout")
    let scratch = Scratch()
    let child = scratch.faultChild((ignoresTerm ? "trap '' TERM\n" : "") + "sleep 100 & sleep 100 & wait")
    let (result, seconds) = Fault.timed {
      database.run(["--job", "to", "--identifier", "s1", "--timeout", "1s", "--kill-after", "1s", "--"] + child)
    }
    #expect(result.status == 124, "\(result.stderr)")
    #expect(seconds < 1 + 1 + 5)
    let rows = try database.query("SELECT status, note, signal FROM \(database.table)")
    #expect(rows.first?[0] == "FAILED" && rows.first?[1]?.contains("timed out") == true, "\(rows)")
    #expect(rows.first?[2] == String(ignoresTerm ? SIGKILL : SIGTERM), "\(rows)")
    try History.check(database: database, scratch: scratch,
                      invocations: [Invocation(job: "to", result: result, identifier: "s1")])
  }

  @Test("item 20: SIGKILL to cronlock: the child dies too, the row stays RUNNING until its heartbeat lapses, the next slot runs",
        arguments: Backend.allCases)
  func killedCronlock(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend, "killed")
    let scratch = Scratch()
    let arguments = ["--job", "killed", "--heartbeat", "1s"]
    let process = database.start(arguments + ["--identifier", "s1", "--"]
      + scratch.faultChild("touch '\(scratch.path("ready"))'; exec sleep 100"))
    #expect(scratch.waitForFile("ready"))
    // A beat has landed while cronlock was alive (a generous bound for a 1 s heartbeat).
    let beat = try eventually(timeout: 10, every: 0.1) {
      try database.query("SELECT CASE WHEN updated_at > created_at THEN 'yes' ELSE 'no' END FROM \(database.table)")
        == [["yes"]]
    }
    #expect(beat, "the heartbeat refreshes updated_at")
    process.signal(SIGKILL)
    let killed = process.finish()
    #expect(killed.status == 137)
    let child = try #require(scratch.executions.first)
    #expect(child.group > 1 && child.group != child.pid, "the command runs in its guardian's group")
    #expect(ProcessGroup.waitUntilEmpty(child.group, timeout: 5) == nil, "the guardian took the child with it")
    #expect(try database.query("SELECT status, heartbeat_seconds FROM \(database.table)") == [["RUNNING", "1"]])
    // list shows STALE once three heartbeats are missed.
    let stale = try eventually(timeout: 15, every: 0.1) {
      let listed = database.run(["list", "--format", "json"])
      let rows = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]]
      return rows?.map { $0["status"] as? String } == ["STALE"]
    }
    #expect(stale, "no heartbeat once cronlock is gone")
    let next = database.run(arguments + ["--identifier", "s2", "--"] + scratch.faultChild())
    #expect(next.status == 0, "\(next.stderr)")
    try History.check(database: database, scratch: scratch,
                      invocations: [Invocation(job: "killed", result: killed, killed: true),
                                    Invocation(job: "killed", result: next, identifier: "s2")])
  }

  @Test("item 22: 10 MiB on the child's stdout and on its stderr (a pipe) arrive byte for byte", arguments: Backend.allCases)
  func bigOutput(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend, "big")
    let scratch = Scratch()
    let payload = Data((0..<(10 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) })
    try payload.write(to: URL(fileURLWithPath: scratch.path("payload")))
    let child = scratch.faultChild("cat '\(scratch.path("payload"))'; cat '\(scratch.path("payload"))' >&2")
    let result = Shell.run(["/bin/sh", "-c", "\"$@\" 2>&1 >'\(scratch.path("out"))' | cat > '\(scratch.path("err"))'", "sh",
                            CronlockBinary.path, "--job", "big", "--identifier", "s1", "--"] + child,
                           environment: CronlockBinary.environment(database.environment))
    #expect(result.status == 0, "\(result.stderr)")
    let out = try Data(contentsOf: URL(fileURLWithPath: scratch.path("out")))
    let err = try Data(contentsOf: URL(fileURLWithPath: scratch.path("err")))
    let runLine = Data("run=\(scratch.executions.first?.runID ?? "?")\n".utf8)
    #expect(out == runLine + payload, "stdout: \(out.count) bytes")
    #expect(err == payload, "stderr: \(err.count) bytes")
    try History.check(database: database, scratch: scratch,
                      invocations: [Invocation(job: "big", result: ProcessResult(status: result.status,
                                                                                stdout: String(decoding: runLine, as: UTF8.self),
                                                                                stderr: ""), identifier: "s1")])
  }

  @Test("item 36: SIGKILL of cronlock while the command has children of its own: the whole tree dies at once",
        arguments: Backend.allCases, [[], ["--no-overlap"], ["--capture-output", "4KiB"]])
  func killedCronlockWithGrandchildren(backend: Backend, options: [String]) throws {
    let database = try TestDatabase.fresh(backend, "tree")
    let scratch = Scratch()
    let noOverlap = options.contains("--no-overlap")
    let arguments = ["--job", "tree", "--heartbeat", "1s"] + options
    // The grandchild writes its pid, then works for five minutes under a shell that waits for it.
    let process = database.start(arguments + ["--identifier", "s1", "--"] + scratch.faultChild(
      "sleep 300 & echo $! > '\(scratch.path("grandchild"))'; touch '\(scratch.path("ready"))'; wait"))
    #expect(scratch.waitForFile("ready"))
    let grandchild = try #require(pid_t(try String(contentsOfFile: scratch.path("grandchild"), encoding: .utf8)
      .trimmingCharacters(in: .whitespacesAndNewlines)))
    process.signal(SIGKILL)
    let killed = process.finish()
    #expect(killed.status == 137)
    let child = try #require(scratch.executions.first)
    #expect(ProcessGroup.waitUntilEmpty(child.group, timeout: 5) == nil, "the guardian killed the whole group")
    #expect(!ProcessGroup.isAlive(grandchild), "the grandchild is gone too")
    guard noOverlap else { return }
    // The next slot starts only once the old run's heartbeat lapses — by then the tree is long gone.
    var next = database.run(arguments + ["--identifier", "s2", "--"] + scratch.faultChild())
    let deadline = Date().addingTimeInterval(3 * 1 + 10)
    while scratch.executions.count < 2 && Date() < deadline {
      usleep(200_000)
      next = database.run(arguments + ["--identifier", "s2", "--"] + scratch.faultChild())
    }
    #expect(next.status == 0 && scratch.executions.count == 2, "\(next.stderr)")
    #expect(!ProcessGroup.isAlive(grandchild))
  }
}
