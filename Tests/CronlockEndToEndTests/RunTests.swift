import CronlockCore
import Foundation
import Testing
import CronlockTestSupport

@Suite("cronlock run, end to end")
struct RunTests {
  let server = TestServer.shared

  @Test("a win runs the child once, with its identity, and leaves a FINISHED row", arguments: Backend.allCases)
  func winRunsChild(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let result = database.run(
      ["--job", "report", "--identifier", "slot-1", "--worker", "host-a", "--"] + [
        "/bin/sh", "-c",
        "echo \"$CRONLOCK_JOB|$CRONLOCK_IDENTIFIER|$CRONLOCK_RUN_ID|$CRONLOCK_WORKER\"; echo out; echo err >&2",
      ])
    #expect(result.status == 0)
    let rows = try database.query("""
      SELECT id, job_name, job_identifier, worker, status, exit_code, signal,
             CASE WHEN finished_at IS NOT NULL THEN 'yes' ELSE 'no' END, command
      FROM \(database.table)
      """)
    #expect(rows.count == 1)
    let row = try #require(rows.first)
    #expect(result.stdout == "report|slot-1|\(row[0]!)|host-a\nout\n")
    #expect(result.stderr == "err\n", "cronlock itself is quiet; the child's stderr passes through")
    #expect(Array(row[1...]) == ["report", "slot-1", "host-a", "FINISHED", "0", nil, "yes", "/bin/sh"])
  }

  @Test("a lost slot runs nothing, prints nothing and exits with the skip code", arguments: Backend.allCases)
  func lostSlot(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let scratch = Scratch()
    let first = database.run(["--job", "j", "--identifier", "s", "--"] + scratch.markingChild)
    #expect(first.status == 0)
    let second = database.run(["--job", "j", "--identifier", "s", "--"] + scratch.markingChild)
    #expect(second.status == 0)
    #expect(second.stderr.isEmpty && second.stdout.isEmpty)
    let coded = database.run(["--job", "j", "--identifier", "s", "--skip-exit-code", "3", "--"] + scratch.markingChild)
    #expect(coded.status == 3)
    let verbose = database.run(["-v", "--job", "j", "--identifier", "s", "--"] + scratch.markingChild)
    #expect(verbose.status == 0)
    #expect(verbose.stderr.contains("another worker owns this slot"))
    #expect(scratch.markerLines.count == 1)
    #expect(try database.query("SELECT count(*) FROM \(database.table)") == [["1"]])
  }

  @Test("a losing claim writes nothing: the row it lost to is not even locked",
        arguments: [[], ["--no-overlap"]])
  func losingClaimWritesNothing(options: [String]) throws {
    let database = try TestDatabase.fresh(.postgres)
    #expect(database.run(["--job", "j", "--identifier", "s", "--", "true"]).status == 0)
    let before = try database.query("SELECT xmin, xmax FROM \(database.table)")
    let lost = database.run(["-v", "--job", "j", "--identifier", "s"] + options + ["--", "true"])
    #expect(lost.status == 0 && lost.stderr.contains("another worker owns this slot"), "\(lost.stderr)")
    // A row lock (ON CONFLICT DO UPDATE locks the row it meets) would set xmax to the loser's
    // transaction, written to the WAL and flushed at commit: a fleet's losers paying an fsync each.
    #expect(try database.query("SELECT xmin, xmax FROM \(database.table)") == before)
    #expect(before.first?[1] == "0")
  }

  @Test("the command may follow the options without --",
        arguments: Backend.allCases, [["echo", "hi"], ["--", "echo", "hi"]])
  func commandWithoutTerminator(backend: Backend, command: [String]) throws {
    let database = try TestDatabase.fresh(backend)
    let result = database.run(["run", "--job", "x"] + command)
    #expect(result.status == 0)
    #expect(result.stdout == "hi\n")
  }

  @Test("the child's exit status passes through and is recorded", arguments: Backend.allCases, [0, 1, 2, 75, 255])
  func exitPassthrough(backend: Backend, code: Int) throws {
    let database = try TestDatabase.fresh(backend)
    let result = database.run(["--job", "exit", "--", "/bin/sh", "-c", "exit \(code)"])
    #expect(result.status == Int32(code))
    let expected = code == 0 ? "FINISHED" : "FAILED"
    #expect(try database.query("SELECT status, exit_code, signal FROM \(database.table)") == [[expected, String(code), nil]])
  }

  @Test("a child killed by signal N gives 128+N",
        arguments: Backend.allCases, [(SIGTERM, 143), (SIGSEGV, 139), (SIGKILL, 137)] as [(number: Int32, expected: Int32)])
  func signalledChild(backend: Backend, signal: (number: Int32, expected: Int32)) throws {
    let database = try TestDatabase.fresh(backend)
    let result = database.run(["--job", "sig", "--", "/bin/sh", "-c", "kill -\(signal.number) $$"])
    #expect(result.status == signal.expected)
    #expect(try database.query("SELECT status, exit_code, signal FROM \(database.table)")
      == [["FAILED", nil, String(signal.number)]])
  }

  @Test("a command that cannot be found or executed gives 127 or 126, and the row says why", arguments: Backend.allCases)
  func commandNotRunnable(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let scratch = Scratch()
    _ = FileManager.default.createFile(atPath: scratch.path("plain"), contents: Data("#!/bin/sh\n".utf8),
                                   attributes: [.posixPermissions: 0o644])
    let missing = database.run(["--job", "a", "--", "no-such-command-xyz"])
    #expect(missing.status == 127)
    #expect(missing.stderr.hasPrefix("cronlock: ") && missing.stderr.contains("no-such-command-xyz"))
    let plain = database.run(["--job", "b", "--", scratch.path("plain")])
    #expect(plain.status == 126)
    let rows = try database.query("""
      SELECT job_name, status, exit_code, CASE WHEN note IS NOT NULL THEN 'yes' ELSE 'no' END
      FROM \(database.table) ORDER BY job_name
      """)
    #expect(rows == [["a", "FAILED", "127", "yes"], ["b", "FAILED", "126", "yes"]])
  }

  @Test("the child gets no database secrets and no descriptors beyond 0-2", arguments: Backend.allCases)
  func childEnvironmentAndDescriptors(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let result = database.run(
      ["--job", "env", "--", "/bin/sh", "-c",
       "env | grep -E '^(CRONLOCK_DATABASE_URL|PGPASSWORD|KEEP)=' ; ls /proc/self/fd"],
      environment: ["CRONLOCK_DATABASE_URL": database.url ?? server.conninfo, "PGPASSWORD": "hunter2", "KEEP": "yes"])
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n").map(String.init)
    #expect(lines.first == "KEEP=yes")
    // ls itself opens one descriptor (3) to read the directory.
    #expect(Array(lines.dropFirst()) == ["0", "1", "2", "3"])
  }

  @Test("started with stdin, stdout and stderr closed, cronlock keeps its descriptors off 0-2; the command gets them closed",
        arguments: Backend.allCases)
  func closedStandardDescriptors(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let scratch = Scratch()
    // The child reports on descriptor 3: whether its own 0-2 are open (`[` is the shell's own, so
    // /proc/self is the shell), then what cronlock, its parent, holds at 0-2 while it runs.
    let child = "exec 3>'\(scratch.path("report"))'; "
      + "for fd in 0 1 2; do if [ -e /proc/self/fd/$fd ]; then echo open >&3; else echo closed >&3; fi; done; "
      + "readlink /proc/$PPID/fd/0 /proc/$PPID/fd/1 /proc/$PPID/fd/2 >&3"
    let result = Shell.run(
      ["/bin/sh", "-c", "exec \"$0\" \"$@\" <&- >&- 2>&-", CronlockBinary.path,
       "run", "--verbose", "--job", "closed", "--identifier", "s", "--", "/bin/sh", "-c", child],
      environment: CronlockBinary.environment(database.environment))
    #expect(result.status == 0)
    // Without the hold, cronlock's signalfd, the command's pidfd and a pipe sat at 0, 1 and 2, and
    // its --verbose lines went into that pipe.
    let report = try String(contentsOfFile: scratch.path("report"), encoding: .utf8)
    #expect(report == "closed\nclosed\nclosed\n/dev/null\n/dev/null\n/dev/null\n")
    #expect(try database.query("SELECT status, exit_code FROM \(database.table)") == [["FINISHED", "0"]])
  }

  @Test("arguments reach the child byte for byte, even when they are not UTF-8", arguments: Backend.allCases)
  func rawArguments(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let scratch = Scratch()
    let result = Shell.run(
      ["/bin/sh", "-c", "exec \"$0\" --job raw -- /bin/sh -c 'printf %s \"$1\" > \"$2\"' sh \"$(printf 'a\\377b')\" \"$1\"",
       CronlockBinary.path, scratch.path("out")],
      environment: CronlockBinary.environment(database.environment))
    #expect(result.status == 0, "\(result.stderr)")
    let bytes = try Data(contentsOf: URL(fileURLWithPath: scratch.path("out")))
    #expect(Array(bytes) == [0x61, 0xFF, 0x62])
  }

  @Test("SIGTERM to cronlock reaches the child's process group and the row records it", arguments: Backend.allCases)
  func forwardsSignals(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let scratch = Scratch()
    let child = "trap 'echo got-term >> \(scratch.path("marker")); exit 7' TERM; touch \(scratch.path("ready")); while :; do sleep 1; done"
    let process = database.start(["--job", "fwd", "--", "/bin/sh", "-c", child])
    #expect(scratch.waitForFile("ready"))
    process.signal(SIGTERM)
    let result = process.finish()
    #expect(result.status == 7)
    #expect(scratch.markerLines == ["got-term"])
    let rows = try database.query("SELECT status, exit_code FROM \(database.table)")
    #expect(rows == [["FAILED", "7"]])
    #expect(try database.query("SELECT note FROM \(database.table)")[0][0]?.contains("signal 15") == true)
  }

  @Test("identifiers come from the UTC clock truncated to --precision; the slot ends one period later",
        arguments: Backend.allCases)
  func precisionIdentifier(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let result = database.run(
      ["--job", "p", "--precision", "1d", "--", "/bin/sh", "-c", "echo $CRONLOCK_IDENTIFIER"],
      environment: ["TZ": "Asia/Kolkata"])
    #expect(result.status == 0)
    #expect(result.stdout.hasSuffix(" 00:00:00.000\n"))
    let listed = database.run(["list", "--format", "json"])
    let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS"
    let start = try #require(formatter.date(from: String(result.stdout.dropLast())))
    formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"
    #expect(rows.first?["slot_end"] as? String == formatter.string(from: start.addingTimeInterval(86_400)))
  }
}
