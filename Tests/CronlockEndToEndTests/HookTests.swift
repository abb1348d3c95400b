import CronlockCore
import Foundation
import Testing
import CronlockTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// --on-start, --on-success, --on-failure and --hook-timeout: winner only, in order, with the
/// outcome in their environment, bounded, and never changing the row or the exit status.
@Suite("run's hooks, end to end")
struct HookTests {
  /// A hook that appends `name` and the outcome variables to the marker file.
  static func marking(_ name: String, _ scratch: Scratch) -> String {
    "echo \"\(name) $CRONLOCK_STATUS|${CRONLOCK_EXIT_CODE-unset}|${CRONLOCK_DURATION_MS-unset}\" >> '\(scratch.path("marker"))'"
  }

  /// Shell that says `ready` and then waits (bounded) until the test creates `go`.
  static func handshake(_ ready: String, _ go: String, _ scratch: Scratch) -> String {
    "touch '\(scratch.path(ready))'; i=0; while [ ! -e '\(scratch.path(go))' ] && [ $i -lt 3000 ]; do sleep 0.01; i=$((i+1)); done"
  }

  @Test("--on-start runs after the claim and before the command, --on-success after the row is recorded",
        arguments: Backend.allCases)
  func order(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let scratch = Scratch()
    let onStart = Self.marking("start", scratch) + "; env | grep -E '^(CRONLOCK_|PGPASSWORD)' | sort > '\(scratch.path("env"))'; "
      + Self.handshake("started", "go-start", scratch)
    let onSuccess = Self.marking("success", scratch) + "; " + Self.handshake("succeeded", "go-success", scratch)
    let process = database.start(
      ["--job", "hooked", "--identifier", "s1", "--worker", "host-a", "--on-start", onStart, "--on-success", onSuccess,
       "--", "/bin/sh", "-c", "echo command >> '\(scratch.path("marker"))'; sleep 0.2"],
      environment: ["PGPASSWORD": "hunter2"])
    #expect(scratch.waitForFile("started"))
    #expect(scratch.markerLines == ["start RUNNING|unset|unset"], "the command waits for --on-start")
    let running = try database.query("SELECT id, status FROM \(database.table)")
    #expect(running.count == 1 && running.first?[1] == "RUNNING", "--on-start runs after the claim is won")
    let runID = try #require(running.first?[0])
    _ = FileManager.default.createFile(atPath: scratch.path("go-start"), contents: nil)
    #expect(scratch.waitForFile("succeeded"))
    #expect(try database.query("SELECT status, exit_code FROM \(database.table)") == [["FINISHED", "0"]],
            "--on-success runs once the outcome is recorded")
    _ = FileManager.default.createFile(atPath: scratch.path("go-success"), contents: nil)
    let result = process.finish()
    #expect(result.status == 0)
    #expect(result.stderr.isEmpty, "a hook that succeeds says nothing: \(result.stderr)")
    let lines = scratch.markerLines
    #expect(lines.count == 3)
    #expect(lines.prefix(2) == ["start RUNNING|unset|unset", "command"])
    let success = try #require(lines.last?.split(separator: "|").map(String.init))
    #expect(success.prefix(2) == ["success FINISHED", "0"])
    let duration = try #require(Int(success[2]))
    #expect(duration >= 200, "the command slept 200ms")
    let environment = try String(contentsOfFile: scratch.path("env"), encoding: .utf8)
    #expect(environment == """
      CRONLOCK_IDENTIFIER=s1
      CRONLOCK_JOB=hooked
      CRONLOCK_RUN_ID=\(runID)
      CRONLOCK_STATUS=RUNNING
      CRONLOCK_TABLE=\(database.table)
      CRONLOCK_WORKER=host-a

      """, "the command's environment, no database secrets, plus the status")
  }

  @Test("--on-failure gets the recorded status and cronlock's exit status; --on-success does not run",
        arguments: Backend.allCases, [("exit 3", 3), ("kill -TERM $$", 143), ("exec /nonexistent/cmd", 127)])
  func failure(backend: Backend, command: (shell: String, status: Int32)) throws {
    let database = try TestDatabase.fresh(backend)
    let scratch = Scratch()
    let result = database.run(
      ["--job", "f", "--on-success", Self.marking("success", scratch), "--on-failure", Self.marking("failure", scratch),
       "--", "/bin/sh", "-c", command.shell])
    #expect(result.status == command.status)
    #expect(try database.query("SELECT status FROM \(database.table)") == [["FAILED"]])
    let line = try #require(scratch.markerLines.first)
    #expect(scratch.markerLines.count == 1)
    #expect(line.hasPrefix("failure FAILED|\(command.status)|"))
  }

  @Test("a command that cannot be started is a failure for --on-failure too", arguments: Backend.allCases)
  func notRunnable(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let scratch = Scratch()
    let result = database.run(
      ["--job", "nr", "--on-start", Self.marking("start", scratch), "--on-failure", Self.marking("failure", scratch),
       "--", "no-such-command-xyz"])
    #expect(result.status == 127)
    #expect(scratch.markerLines.count == 2)
    #expect(scratch.markerLines.first == "start RUNNING|unset|unset")
    #expect(scratch.markerLines.last?.hasPrefix("failure FAILED|127|") == true)
  }

  @Test("of processes racing for one slot, only the winner runs hooks", arguments: Backend.allCases)
  func winnerOnly(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let scratch = Scratch()
    let processes = (0..<8).map { index in
      database.start(
        ["--job", "race", "--identifier", "one", "--worker", "w\(index)",
         "--on-start", Self.marking("start", scratch), "--on-success", Self.marking("success", scratch),
         "--on-failure", Self.marking("failure", scratch), "--", "/bin/sh", "-c", "echo command >> '\(scratch.path("marker"))'"])
    }
    let statuses = processes.map { $0.finish().status }
    #expect(statuses.allSatisfy { $0 == 0 })
    let lines = scratch.markerLines
    #expect(lines.count == 3, "\(lines)")
    #expect(lines.first == "start RUNNING|unset|unset")
    #expect(lines.dropFirst().first == "command")
    #expect(lines.last?.hasPrefix("success FINISHED|0|") == true)
  }

  @Test("a lost, a late and an unrecorded (--on-db-error run) run run no hook")
  func noHookWithoutWin() throws {
    let database = try TestDatabase.fresh(.sqlite)
    let scratch = Scratch()
    let hooks = ["--on-start", Self.marking("start", scratch), "--on-success", Self.marking("success", scratch),
                 "--on-failure", Self.marking("failure", scratch)]
    let child = ["--", "/bin/sh", "-c", "echo command >> '\(scratch.path("marker"))'"]
    #expect(database.run(["--job", "l", "--identifier", "taken"] + child).status == 0)
    #expect(database.run(["--job", "l", "--identifier", "taken"] + hooks + child).status == 0)
    #expect(database.run(["--job", "late", "--precision", "1d", "--max-late", "1ms"] + hooks + child).status == 0)
    let unrecorded = CronlockBinary.run(
      ["--job", "u", "--database", "postgresql://cronlock@127.0.0.1:1/none", "--connect-timeout", "1s",
       "--on-db-error", "run"] + hooks + child)
    #expect(unrecorded.status == 0, "\(unrecorded.stderr)")
    #expect(scratch.markerLines == ["command", "command"], "the first win's command and the unrecorded one, no hook")
  }

  @Test("failing hooks are one error line each and change neither the row nor the exit status",
        arguments: Backend.allCases)
  func failingHooks(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let result = database.run(
      ["--job", "j", "--identifier", "s", "--on-start", "exit 5", "--on-success", "kill -KILL $$", "--", "true"])
    #expect(result.status == 0)
    #expect(result.stderr == """
      cronlock: job 'j' slot 's': the --on-start hook exited with status 5
      cronlock: job 'j' slot 's': the --on-success hook was killed by signal 9

      """)
    #expect(try database.query("SELECT status, exit_code FROM \(database.table)") == [["FINISHED", "0"]])
    let failed = database.run(["--job", "j", "--identifier", "t", "--on-failure", "exit 9", "--", "/bin/sh", "-c", "exit 4"])
    #expect(failed.status == 4)
    #expect(failed.stderr == "cronlock: job 'j' slot 't': the --on-failure hook exited with status 9\n")
  }

  @Test("a hanging hook is ended at --hook-timeout: SIGTERM to its group, SIGKILL 1s later if it ignores that",
        arguments: Backend.allCases, [false, true])
  func hangingHook(backend: Backend, ignoresTerm: Bool) throws {
    let database = try TestDatabase.fresh(backend)
    let scratch = Scratch()
    let timeout = 0.3
    let hook = (ignoresTerm ? "trap '' TERM; " : "") + "echo $$ > '\(scratch.path("pid"))'; sleep 60; sleep 60"
    let started = Date()
    let result = database.run(["--job", "hang", "--hook-timeout", "300ms", "--on-success", hook, "--", "true"])
    let elapsed = Date().timeIntervalSince(started)
    #expect(result.status == 0)
    #expect(result.stderr == "cronlock: job 'hang' slot '\(try slot(database))': the --on-success hook timed out after "
      + "--hook-timeout 300ms; sent SIGTERM\(ignoresTerm ? ", then SIGKILL after 1s" : "")\n")
    // The bound: the timeout, the kill grace when TERM is ignored, and slack for the run itself.
    #expect(elapsed < timeout + (ignoresTerm ? 1 : 0) + 5)
    if ignoresTerm { #expect(elapsed >= timeout + 1) }
    #expect(try database.query("SELECT status FROM \(database.table)") == [["FINISHED"]])
    let pid = try #require(pid_t(try String(contentsOfFile: scratch.path("pid"), encoding: .utf8)
      .trimmingCharacters(in: .whitespacesAndNewlines)))
    #expect(kill(pid, 0) == -1 && errno == ESRCH, "the hook's shell is gone")
  }

  private func slot(_ database: TestDatabase) throws -> String {
    try #require(try database.query("SELECT job_identifier FROM \(database.table)").first?[0] ?? nil)
  }

  @Test("a signal during --on-start ends the hook, starts no command and leaves no row", arguments: Backend.allCases)
  func signalDuringOnStart(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let scratch = Scratch()
    let process = database.start(
      ["--job", "sig", "-v", "--on-start", "trap '' TERM; touch '\(scratch.path("ready"))'; sleep 60",
       "--", "/bin/sh", "-c", "echo command >> '\(scratch.path("marker"))'"])
    #expect(scratch.waitForFile("ready"))
    let signalled = Date()
    process.signal(SIGTERM)
    let result = process.finish()
    // The hook ignores TERM, so it takes the kill grace (1s); slack beyond that.
    #expect(Date().timeIntervalSince(signalled) < 1 + 5)
    #expect(result.status == 128 + SIGTERM)
    #expect(result.stderr.contains("the --on-start hook was stopped: cronlock received signal 15"))
    #expect(result.stderr.contains("stopped by signal 15 before the command started"))
    #expect(scratch.markerLines.isEmpty, "the command never started")
    #expect(try database.query("SELECT count(*) FROM \(database.table)") == [["0"]], "the claim was released")
  }

  @Test("a signal during --on-success ends the hook; cronlock exits as the run would", arguments: Backend.allCases)
  func signalDuringOnSuccess(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let scratch = Scratch()
    let process = database.start(
      ["--job", "sig", "--on-success", "touch '\(scratch.path("ready"))'; sleep 60", "--", "/bin/sh", "-c", "exit 0"])
    #expect(scratch.waitForFile("ready"))
    let signalled = Date()
    process.signal(SIGTERM)
    let result = process.finish()
    #expect(Date().timeIntervalSince(signalled) < 1 + 5)
    #expect(result.status == 0)
    #expect(result.stderr.isEmpty, "a stopped hook is said only with -v: \(result.stderr)")
    #expect(try database.query("SELECT status FROM \(database.table)") == [["FINISHED"]])
  }

  @Test("a hook reads /dev/null, not the command's stdin; its stdout and stderr are cronlock's")
  func standardStreams() throws {
    let database = try TestDatabase.fresh(.sqlite)
    let scratch = Scratch()
    let result = Shell.run(
      ["/bin/sh", "-c", "echo data | exec \"$0\" --job io --on-start \"cat > '\(scratch.path("hook-in"))'; echo hook-out; echo hook-err >&2\" -- cat",
       CronlockBinary.path],
      environment: CronlockBinary.environment(database.environment))
    #expect(result.status == 0, "\(result.stderr)")
    #expect(try String(contentsOfFile: scratch.path("hook-in"), encoding: .utf8) == "")
    #expect(result.stdout == "hook-out\ndata\n")
    #expect(result.stderr == "hook-err\n")
  }

  @Test("with --capture-output the hooks' output reaches cronlock's stdout but not the row", arguments: Backend.allCases)
  func captureKeepsOnlyTheCommand(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let result = database.run(
      ["--job", "cap", "--identifier", "s", "--capture-output", "1KiB", "--on-start", "echo hook-start",
       "--on-success", "echo hook-ok", "--", "/bin/sh", "-c", "echo command"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout == "hook-start\ncommand\nhook-ok\n")
    let id = try #require(try database.query("SELECT id FROM \(database.table)").first?[0] ?? nil)
    let shown = database.run(["show", id, "--format", "json"])
    let object = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
    #expect(object["output"] as? String == "command\n")
  }

  @Test("--hook-timeout is range-checked like every duration", arguments: ["0s", "2h", "-1s", "soon"])
  func hookTimeoutRange(value: String) {
    let result = CronlockBinary.run(["--job", "x", "--database", "sqlite:/nonexistent/x.db", "--hook-timeout", value,
                                     "--on-start", "true", "--", "true"])
    #expect(result.status == 64)
    #expect(result.stderr.hasPrefix("cronlock: ") && result.stderr.contains("--hook-timeout"))
    #expect(result.stderr.split(separator: "\n").count == 1)
  }
}
