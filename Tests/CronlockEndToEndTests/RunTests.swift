import CronlockCore
import Foundation
import Testing

@Suite("cronlock run, end to end")
struct RunTests {
  let server = TestServer.shared

  @Test("a win runs the child once, with its identity, and leaves a FINISHED row")
  func winRunsChild() throws {
    let table = try server.freshTable()
    let result = CronlockBinary.run(
      ["--job", "report", "--identifier", "slot-1", "--table", table, "--worker", "host-a", "--"] + [
        "/bin/sh", "-c",
        "echo \"$CRONLOCK_JOB|$CRONLOCK_IDENTIFIER|$CRONLOCK_RUN_ID|$CRONLOCK_WORKER\"; echo out; echo err >&2",
      ])
    #expect(result.status == 0)
    let rows = try server.query(
      "SELECT id, job_name, job_identifier, worker, status, exit_code, signal, finished_at IS NOT NULL, command FROM \(table)")
    #expect(rows.count == 1)
    let row = try #require(rows.first)
    #expect(result.stdout == "report|slot-1|\(row[0]!)|host-a\nout\n")
    #expect(result.stderr == "err\n", "cronlock itself is quiet; the child's stderr passes through")
    #expect(Array(row[1...]) == ["report", "slot-1", "host-a", "FINISHED", "0", nil, "t", "/bin/sh"])
  }

  @Test("a lost slot runs nothing, prints nothing and exits with the skip code")
  func lostSlot() throws {
    let table = try server.freshTable()
    let scratch = Scratch()
    let first = CronlockBinary.run(["--job", "j", "--identifier", "s", "--table", table, "--"] + scratch.markingChild)
    #expect(first.status == 0)
    let second = CronlockBinary.run(["--job", "j", "--identifier", "s", "--table", table, "--"] + scratch.markingChild)
    #expect(second.status == 0)
    #expect(second.stderr.isEmpty && second.stdout.isEmpty)
    let coded = CronlockBinary.run(
      ["--job", "j", "--identifier", "s", "--table", table, "--skip-exit-code", "3", "--"] + scratch.markingChild)
    #expect(coded.status == 3)
    let verbose = CronlockBinary.run(["-v", "--job", "j", "--identifier", "s", "--table", table, "--"] + scratch.markingChild)
    #expect(verbose.status == 0)
    #expect(verbose.stderr.contains("another worker owns this slot"))
    #expect(scratch.markerLines.count == 1)
    #expect(try server.query("SELECT count(*) FROM \(table)") == [["1"]])
  }

  @Test("the command may follow the options without --", arguments: [["echo", "hi"], ["--", "echo", "hi"]])
  func commandWithoutTerminator(command: [String]) throws {
    let table = try server.freshTable()
    let result = CronlockBinary.run(["run", "--job", "x", "--table", table] + command)
    #expect(result.status == 0)
    #expect(result.stdout == "hi\n")
  }

  @Test("the child's exit status passes through and is recorded", arguments: [0, 1, 2, 75, 255])
  func exitPassthrough(code: Int) throws {
    let table = try server.freshTable()
    let result = CronlockBinary.run(["--job", "exit", "--table", table, "--", "/bin/sh", "-c", "exit \(code)"])
    #expect(result.status == Int32(code))
    let expected = code == 0 ? "FINISHED" : "FAILED"
    #expect(try server.query("SELECT status, exit_code, signal FROM \(table)") == [[expected, String(code), nil]])
  }

  @Test("a child killed by signal N gives 128+N", arguments: [(SIGTERM, 143), (SIGSEGV, 139), (SIGKILL, 137)] as [(Int32, Int32)])
  func signalledChild(signal: Int32, expected: Int32) throws {
    let table = try server.freshTable()
    let result = CronlockBinary.run(["--job", "sig", "--table", table, "--", "/bin/sh", "-c", "kill -\(signal) $$"])
    #expect(result.status == expected)
    #expect(try server.query("SELECT status, exit_code, signal FROM \(table)") == [["FAILED", nil, String(signal)]])
  }

  @Test("a command that cannot be found or executed gives 127 or 126, and the row says why")
  func commandNotRunnable() throws {
    let table = try server.freshTable()
    let scratch = Scratch()
    _ = FileManager.default.createFile(atPath: scratch.path("plain"), contents: Data("#!/bin/sh\n".utf8),
                                   attributes: [.posixPermissions: 0o644])
    let missing = CronlockBinary.run(["--job", "a", "--table", table, "--", "no-such-command-xyz"])
    #expect(missing.status == 127)
    #expect(missing.stderr.hasPrefix("cronlock: ") && missing.stderr.contains("no-such-command-xyz"))
    let plain = CronlockBinary.run(["--job", "b", "--table", table, "--", scratch.path("plain")])
    #expect(plain.status == 126)
    let rows = try server.query("SELECT job_name, status, exit_code, note IS NOT NULL FROM \(table) ORDER BY job_name")
    #expect(rows == [["a", "FAILED", "127", "t"], ["b", "FAILED", "126", "t"]])
  }

  @Test("the child gets no database secrets and no descriptors beyond 0-2")
  func childEnvironmentAndDescriptors() throws {
    let table = try server.freshTable()
    let result = CronlockBinary.run(
      ["--job", "env", "--table", table, "--", "/bin/sh", "-c",
       "env | grep -E '^(CRONLOCK_DATABASE_URL|PGPASSWORD|KEEP)=' ; ls /proc/self/fd"],
      environment: ["CRONLOCK_DATABASE_URL": server.conninfo, "PGPASSWORD": "hunter2", "KEEP": "yes"])
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n").map(String.init)
    #expect(lines.first == "KEEP=yes")
    // ls itself opens one descriptor (3) to read the directory.
    #expect(Array(lines.dropFirst()) == ["0", "1", "2", "3"])
  }

  @Test("arguments reach the child byte for byte, even when they are not UTF-8")
  func rawArguments() throws {
    let table = try server.freshTable()
    let scratch = Scratch()
    let result = Shell.run(
      ["/bin/sh", "-c", "exec \"$0\" --job raw --table \"$1\" -- /bin/sh -c 'printf %s \"$1\" > \"$2\"' sh \"$(printf 'a\\377b')\" \"$2\"",
       CronlockBinary.path, table, scratch.path("out")],
      environment: CronlockBinary.environment())
    #expect(result.status == 0, "\(result.stderr)")
    let bytes = try Data(contentsOf: URL(fileURLWithPath: scratch.path("out")))
    #expect(Array(bytes) == [0x61, 0xFF, 0x62])
  }

  @Test("SIGTERM to cronlock reaches the child's process group and the row records it")
  func forwardsSignals() throws {
    let table = try server.freshTable()
    let scratch = Scratch()
    let child = "trap 'echo got-term >> \(scratch.path("marker")); exit 7' TERM; touch \(scratch.path("ready")); while :; do sleep 1; done"
    let process = CronlockBinary.start(["--job", "fwd", "--table", table, "--", "/bin/sh", "-c", child])
    #expect(scratch.waitForFile("ready"))
    process.signal(SIGTERM)
    let result = process.finish()
    #expect(result.status == 7)
    #expect(scratch.markerLines == ["got-term"])
    let rows = try server.query("SELECT status, exit_code FROM \(table)")
    #expect(rows == [["FAILED", "7"]])
    #expect(try server.query("SELECT note FROM \(table)")[0][0]?.contains("signal 15") == true)
  }

  @Test("identifiers come from the UTC clock truncated to --precision")
  func precisionIdentifier() throws {
    let table = try server.freshTable()
    let result = CronlockBinary.run(
      ["--job", "p", "--precision", "1d", "--table", table, "--", "/bin/sh", "-c", "echo $CRONLOCK_IDENTIFIER"],
      environment: ["TZ": "Asia/Kolkata"])
    #expect(result.status == 0)
    #expect(result.stdout.hasSuffix(" 00:00:00.000\n"))
    let slotEnd = try server.query("SELECT slot_end - job_identifier::timestamp AT TIME ZONE 'UTC' FROM \(table)")
    #expect(slotEnd == [["1 day"]])
  }
}
