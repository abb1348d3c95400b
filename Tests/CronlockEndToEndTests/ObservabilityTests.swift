import CronlockCore
import CronlockTestSupport
import Foundation
import Testing

/// Issue 15: what ran where, what it printed, which slots nobody ran — from the table, on both
/// backends, through the built binary.
@Suite("fleet observability: capture, show, status, metrics")
struct ObservabilityTests {
  /// A child that writes `stdout` and `stderr` alternately in `chunks` writes each, byte-exact.
  static func writer(_ scratch: Scratch, stdout: [UInt8], stderr: [UInt8], chunks: Int = 8) throws -> [String] {
    try Data(stdout).write(to: URL(fileURLWithPath: scratch.path("out.bin")))
    try Data(stderr).write(to: URL(fileURLWithPath: scratch.path("err.bin")))
    let script = """
      import os, sys
      out = open(sys.argv[1], 'rb').read(); err = open(sys.argv[2], 'rb').read(); n = int(sys.argv[3])
      for i in range(n):
          os.write(1, out[len(out) * i // n:len(out) * (i + 1) // n])
          os.write(2, err[len(err) * i // n:len(err) * (i + 1) // n])
      """
    return ["/usr/bin/python3", "-c", script, scratch.path("out.bin"), scratch.path("err.bin"), String(chunks)]
  }

  /// Runs cronlock under /bin/sh with its stdout and stderr sent to files (`2>&1` when `shared`).
  static func runRedirected(_ database: TestDatabase, _ scratch: Scratch, shared: Bool, _ arguments: [String]) -> Int32 {
    let quoted = ([CronlockBinary.path] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
    let redirect = shared ? ">'\(scratch.path("got.out"))' 2>&1" : ">'\(scratch.path("got.out"))' 2>'\(scratch.path("got.err"))'"
    return Shell.run(["/bin/sh", "-c", "exec " + quoted.joined(separator: " ") + " " + redirect],
                     environment: CronlockBinary.environment(database.environment)).status
  }

  static func bytes(_ path: String) -> [UInt8] {
    (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))) ?? []
  }

  /// Pseudo-random bytes, every value from 0 to 255 included.
  static func noise(_ count: Int, seed: UInt64) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return UInt8(truncatingIfNeeded: state >> 33)
    }
  }

  func showJSON(_ database: TestDatabase, _ id: String) throws -> [String: Any] {
    let shown = database.run(["show", id, "--format", "json"])
    #expect(shown.status == 0, "\(shown.stderr)")
    return try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
  }

  func storedOutput(_ database: TestDatabase, _ id: String) throws -> [UInt8]? {
    let object = try showJSON(database, id)
    return (object["output_base64"] as? String).flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) }
  }

  @Test("--capture-output, one file for both streams: passed through byte-exact and in order; the tail is stored",
        arguments: Backend.allCases)
  func captureShared(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let scratch = Scratch()
    let out = Self.noise(150_000, seed: 1)
    let err = Self.noise(50_000, seed: 2)
    let status = Self.runRedirected(database, scratch, shared: true,
      ["--job", "cap", "--capture-output", "64KiB", "--"] + (try Self.writer(scratch, stdout: out, stderr: err)))
    #expect(status == 0)
    var expected: [UInt8] = []
    for i in 0..<8 {
      expected += out[out.count * i / 8..<out.count * (i + 1) / 8]
      expected += err[err.count * i / 8..<err.count * (i + 1) / 8]
    }
    let got = Self.bytes(scratch.path("got.out"))
    #expect(got.count == expected.count)
    #expect(got == expected, "the combined stream changed on its way through cronlock")
    let id = try #require(try database.query("SELECT id FROM \(database.table)").first?.first ?? nil)
    #expect(try storedOutput(database, id) == Array(expected.suffix(65_536)))
  }

  @Test("--capture-output, two files: each stream passed through byte-exact; the stored tail is SIZE bytes of them",
        arguments: Backend.allCases)
  func captureSeparate(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let scratch = Scratch()
    let out = Self.noise(100_000, seed: 3)
    let err = Self.noise(30_000, seed: 4)
    let status = Self.runRedirected(database, scratch, shared: false,
      ["--job", "cap2", "--capture-output", "1000B", "--"] + (try Self.writer(scratch, stdout: out, stderr: err)))
    #expect(status == 0)
    #expect(Self.bytes(scratch.path("got.out")) == out)
    #expect(Self.bytes(scratch.path("got.err")) == err)
    let id = try #require(try database.query("SELECT id FROM \(database.table)").first?.first ?? nil)
    let tail = try #require(try storedOutput(database, id))
    #expect(tail.count == 1000)
    // The last bytes read came from one stream or the other, in that stream's order.
    #expect(out.suffix(64) == tail.suffix(64) || err.suffix(64) == tail.suffix(64))
  }

  @Test("a failing command's short output is stored whole; show escapes it; purge removes it with the row",
        arguments: Backend.allCases)
  func showAndPurge(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let printed: [UInt8] = Array("line one\n\u{1B}[31mred\u{7}\tend\n".utf8) + [0xff, 0x00, 0x41]
    let scratch = Scratch()
    try Data(printed).write(to: URL(fileURLWithPath: scratch.path("p.bin")))
    let run = database.run(["--job", "show", "--identifier", "s1", "--capture-output", "4KiB", "--",
                            "/bin/sh", "-c", "cat '\(scratch.path("p.bin"))'; exit 3"])
    #expect(run.status == 3)
    #expect(run.stderr.isEmpty, "cronlock says nothing of a run that went as asked: \(run.stderr)")
    let id = try #require(try database.query("SELECT id FROM \(database.table)").first?.first ?? nil)
    #expect(try storedOutput(database, id) == printed)

    let table = database.run(["show", id])
    #expect(table.status == 0)
    #expect(table.stdout.contains("status             FAILED\n"))
    #expect(table.stdout.contains("exit_code          3\n"))
    #expect(table.stdout.contains("slot_rule          identifier\n"))
    #expect(table.stdout.contains("line one\n\\x1B[31mred\\x07\tend\n\\xFF\\x00A"), "\(table.stdout)")
    #expect(!table.stdout.contains("\u{1B}"), "no escape sequence reaches the terminal")

    let object = try showJSON(database, id)
    #expect(object["exit_code"] as? Int == 3)
    #expect((object["output"] as? String)?.hasPrefix("line one\n\u{1B}[31m") == true)

    let missing = database.run(["show", "999999"])
    #expect(missing.status == 1)
    #expect(missing.stderr == "cronlock: no run 999999 in table \(database.table)\n")
    #expect(missing.stdout.isEmpty)

    // The row is claimable-forever (an identifier), so only its age keeps it: backdate it.
    try database.execute("UPDATE \(database.table) SET updated_at = $1", [TestDatabase.ago(3 * 86_400)])
    #expect(database.run(["purge", "--ttl", "1d"]).status == 0)
    #expect(database.run(["show", id]).status == 1, "purge took the output with its row")
  }

  @Test("bad sizes are usage errors before any I/O", arguments: ["0", "2MiB", "1048577", "5KB", "1.5KiB", "KiB", "99999999999MiB"])
  func badSizes(size: String) {
    let result = CronlockBinary.run(["--job", "x", "--database", "sqlite:/nonexistent/dir/x.db", "--capture-output", size,
                                     "--", "true"])
    #expect(result.status == 64)
    #expect(result.stderr.hasPrefix("cronlock: ") && result.stderr.contains("capture-output"), "\(result.stderr)")
    #expect(result.stderr.split(separator: "\n").count == 1)
  }

  @Test("a new SQLite file and its WAL files get no world access")
  func sqliteFileMode() throws {
    let scratch = Scratch()
    let path = scratch.path("private.db")
    let result = CronlockBinary.run(["--job", "m", "--database", "sqlite:" + path, "--capture-output", "1KiB", "--", "true"])
    #expect(result.status == 0, "\(result.stderr)")
    for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
      let mode = try #require(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int)
      #expect(mode & 0o007 == 0, "\(file) has mode \(String(mode, radix: 8))")
    }
  }

  // MARK: status

  /// Runs cronlock as a host whose clock reads `epoch` (Unix seconds) now and ticks from there
  /// (faketime).
  func runAt(_ database: TestDatabase, epoch: TimeInterval, _ arguments: [String]) -> ProcessResult {
    let offset = Int((epoch - Date().timeIntervalSince1970).rounded())
    return Shell.run(["/usr/bin/faketime", "-f", offset >= 0 ? "+\(offset)s" : "\(offset)s", CronlockBinary.path] + arguments,
                     environment: CronlockBinary.environment(database.environment))
  }

  /// `status --format json`, on the real clock or one that reads `epoch` now.
  func status(_ database: TestDatabase, _ arguments: [String], epoch: TimeInterval? = nil) throws
    -> (status: Int32, jobs: [String: [String: Any]])
  {
    let arguments = ["status", "--format", "json"] + arguments
    let result = epoch.map { runAt(database, epoch: $0, arguments) } ?? database.run(arguments)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
                              "\(result.stdout) \(result.stderr)")
    let jobs = (object["jobs"] as? [[String: Any]] ?? []).reduce(into: [String: [String: Any]]()) { $0[$1["job"] as! String] = $1 }
    #expect((object["needs_attention"] as? Bool) == (result.status == 1))
    return (result.status, jobs)
  }

  static func states(_ job: [String: Any]?) -> [String] {
    (job?["slots"] as? [[String: Any]] ?? []).map { $0["state"] as? String ?? "?" }
  }

  /// The states of the slots that have a run (whatever slots the clock has added since).
  static func runStates(_ job: [String: Any]?) -> [String] {
    (job?["slots"] as? [[String: Any]] ?? []).filter { $0["run_id"] is Int }.map { $0["state"] as? String ?? "?" }
  }

  @Test("status: ran, failed and missed minutes from real runs; a good window exits 0; a Go row shows its last run",
        arguments: Backend.allCases)
  func statusWindows(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    // Every clock here, status's too, is set from one anchor in the middle of a minute ten
    // minutes ago, so no minute boundary passing while the test runs can move a slot.
    let anchor = (Date().timeIntervalSince1970 / 60).rounded(.down) * 60 - 600 + 30
    func run(_ minutes: Int, _ options: [String], _ command: String) -> Int32 {
      runAt(database, epoch: anchor + Double(minutes * 60), options + ["--max-skew", "3650d", "--", command]).status
    }
    // A job running every minute: ok four minutes before the anchor, failed two minutes before,
    // nothing at three and one minute before nor in the anchor's minute.
    #expect(run(-4, ["--job", "every", "--precision", "1m"], "true") == 0)
    #expect(run(-2, ["--job", "every", "--precision", "1m"], "false") == 1)
    // A job that ran in each of the last three minutes.
    for minutes in [-2, -1, 0] {
      #expect(run(minutes, ["--job", "good", "--precision", "1m"], "true") == 0)
    }
    // A scheduled job in another zone: every minute, missed one minute before the anchor.
    for minutes in [-2, 0] {
      #expect(run(minutes, ["--job", "sched", "--schedule", "* * * * *", "--tz", "Asia/Kolkata"], "true") == 0)
    }
    let (code, jobs) = try status(database, ["--since", "6m"], epoch: anchor + 5)
    #expect(code == 1)
    let every = Self.states(jobs["every"])
    // Minute slots from the first run's on: ok, missed, failed, missed, then the current one.
    #expect(Array(every.prefix(4)) == ["ok", "missed", "failed", "missed"], "\(every)")
    #expect(every.count == 5 && ["pending", "missed"].contains(every.last!), "\(every)")
    #expect((jobs["every"]?["rule"] as? String) == "precision 1m")
    let good = Self.states(jobs["good"])
    #expect(good.allSatisfy { $0 == "ok" } && good.count == 3, "\(good)")
    #expect(Self.states(jobs["sched"]) == ["ok", "missed", "ok"])
    #expect((jobs["sched"]?["rule"] as? String) == "schedule Asia/Kolkata * * * * *")

    let nobody = database.run(["status", "--job", "never-ran"])
    #expect(nobody.status == 1 && nobody.stdout == "never-ran: no runs recorded\n", "a job asked about by name that never ran")
    let goodOnly = try status(database, ["--job", "good", "--since", "6m"], epoch: anchor + 5)
    #expect(goodOnly.status == 0 && goodOnly.jobs.keys.sorted() == ["good"])

    // The Go lockers' rows: no rule, never missed; the last outcome decides.
    let goRow = """
      INSERT INTO \(database.table) (created_at, updated_at, job_name, job_identifier, worker, status)
      VALUES ($1, $1, $2, $3, 'go-service', $4)
      """
    try database.execute(goRow, [TestDatabase.ago(30), "go-job", "2026-01-01 00:00:00.000", "FINISHED"])
    let goFine = try status(database, ["--job", "go-job"])
    #expect(goFine.status == 0)
    #expect(goFine.jobs["go-job"]?["rule_problem"] is String)
    #expect(Self.states(goFine.jobs["go-job"]).isEmpty)
    try database.execute(goRow, [TestDatabase.ago(10), "go-job", "2026-01-01 00:01:00.000", "FAILED"])
    #expect(try status(database, ["--job", "go-job"]).status == 1)

    let table = runAt(database, epoch: anchor + 5, ["status", "--job", "every", "--since", "6m"])
    #expect(table.status == 1)
    #expect(table.stdout.hasPrefix("every: 5 slots in the last 6m (precision 1m): 1 ok, 1 failed, "), "\(table.stdout)")
    #expect(table.stdout.contains("  failed  run "))
  }

  @Test("status: a run whose cronlock was SIGKILLed turns stale once three heartbeats lapse", arguments: Backend.allCases)
  func statusStale(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let scratch = Scratch()
    let process = database.start(["--job", "hung", "--precision", "1h", "--heartbeat", "1s", "--",
                                  "/bin/sh", "-c", "touch '\(scratch.path("ready"))'; exec sleep 300"])
    #expect(scratch.waitForFile("ready"))
    #expect(try Self.runStates(status(database, ["--job", "hung", "--since", "2h"]).jobs["hung"]) == ["running"])
    kill(process.pid, SIGKILL)
    _ = process.finish()
    // Three 1 s heartbeats, and slack for a loaded machine.
    #expect(eventually(timeout: 30, every: 0.25) {
      (try? status(database, ["--job", "hung", "--since", "2h"])).map { Self.runStates($0.jobs["hung"]) } == ["stale"]
    })
    #expect(try status(database, ["--job", "hung", "--since", "2h"]).status == 1)
  }

  // MARK: metrics

  @Test("metrics pass promtool check metrics and carry each job's last outcome", arguments: Backend.allCases)
  func metrics(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    #expect(database.run(["--job", "ok-job", "--identifier", "a", "--", "true"]).status == 0)
    #expect(database.run(["--job", "bad-job", "--identifier", "a", "--", "sh", "-c", "exit 7"]).status == 7)
    #expect(database.run(["--job", "ok-job", "--identifier", "b", "--", "false"]).status == 1)
    // A name the format must escape.
    #expect(database.run(["--job", #"we"ird\name"#, "--identifier", "a", "--", "true"]).status == 0)
    let result = database.run(["metrics"])
    #expect(result.status == 0, "\(result.stderr)")
    let scratch = Scratch()
    try result.stdout.write(toFile: scratch.path("cronlock.prom"), atomically: true, encoding: .utf8)
    let check = Shell.run(["/bin/sh", "-c", "exec /usr/bin/promtool check metrics < '\(scratch.path("cronlock.prom"))'"])
    #expect(check.status == 0, "promtool: \(check.stdout) \(check.stderr)\n\(result.stdout)")
    let lines = Set(result.stdout.split(separator: "\n").map(String.init))
    #expect(lines.contains(#"cronlock_job_last_exit_code{cron_job="bad-job"} 7"#))
    #expect(lines.contains(#"cronlock_job_last_exit_code{cron_job="ok-job"} 1"#))
    #expect(lines.contains(#"cronlock_job_runs{cron_job="ok-job",status="FAILED"} 1"#))
    #expect(lines.contains(#"cronlock_job_runs{cron_job="ok-job",status="FINISHED"} 1"#))
    #expect(lines.contains(#"cronlock_job_running{cron_job="ok-job"} 0"#))
    #expect(lines.contains(#"cronlock_job_last_exit_code{cron_job="we\"ird\\name"} 0"#), "\(result.stdout)")
    #expect(!lines.contains { $0.hasPrefix(#"cronlock_job_last_success_timestamp_seconds{cron_job="bad-job"}"#) },
            "a job that never succeeded has no last success")
    let only = database.run(["metrics", "--job", "bad-job"])
    #expect(only.stdout.contains(#"{cron_job="bad-job"}"#) && !only.stdout.contains(#"{cron_job="ok-job""#))
  }
}
