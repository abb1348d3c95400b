import Foundation
import Testing
import CronlockTestSupport

/// Hosts with shifted clocks, made with Debian's faketime (LD_PRELOAD over clock_gettime).
@Suite("schedule-aware slots, time zones and clock skew")
struct ScheduleRunTests {
  let server = TestServer.shared

  /// Runs cronlock on `database` as a host whose clock starts at `clock` (a wall time in `zone`,
  /// or an offset such as `-30s`) and ticks from there.
  func runAt(_ database: TestDatabase, _ clock: String, zone: String = "UTC", _ arguments: [String],
             environment extra: [String: String] = [:]) -> ProcessResult
  {
    let fake = clock.hasPrefix("-") || clock.hasPrefix("+") ? ["-f", clock] : [clock]
    return Shell.run(["/usr/bin/faketime"] + fake + [CronlockBinary.path] + arguments,
              environment: CronlockBinary.environment(database.environment.merging(["TZ": zone]) { $1 }.merging(extra) { $1 }))
  }

  let ignoreSkew = ["--max-skew", "3650d"]

  @Test("two hosts 20 s apart run the same scheduled slot once", arguments: Backend.allCases)
  func skewedHostsShareSlot(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let scratch = Scratch()
    for clock in ["2031-11-29 04:52:00", "2031-11-29 04:52:20"] {
      let result = runAt(database, clock, ["--job", "five", "--schedule", "*/5 * * * *", "--tz", "UTC"]
        + ignoreSkew + ["--"] + scratch.markingChild)
      #expect(result.status == 0, "\(result.stderr)")
    }
    #expect(scratch.markerLines.count == 1)
    #expect(scratch.markerLines.first?.hasPrefix("2031-11-29 04:50:00.000 ") == true)
    let listed = database.run(["list", "--format", "json"])
    let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
    #expect(rows.map { [$0["identifier"] as? String, $0["slot_end"] as? String] }
      == [["2031-11-29 04:50:00.000", "2031-11-29T04:55:00.000Z"]])
  }

  @Test("a start later than --max-late runs nothing and claims nothing", arguments: Backend.allCases)
  func lateStart(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let scratch = Scratch()
    let result = runAt(database, "2031-11-29 04:54:30", ["-v", "--job", "late", "--schedule", "*/5 * * * *", "--tz", "UTC",
      "--max-late", "1m", "--skip-exit-code", "3"] + ignoreSkew + ["--"] + scratch.markingChild)
    #expect(result.status == 3)
    // The faked clock ticks from 04:54:30 while the process starts, which on a loaded machine
    // can take over a second: 4m30s to 4m39s.
    #expect(result.stderr.contains("started 4m3") && result.stderr.contains("after the slot began (more than --max-late)"),
            "\(result.stderr)")
    #expect(scratch.markerLines.isEmpty)
    #expect(try database.query("SELECT count(*) FROM \(database.table)") == [["0"]])
    let onTime = runAt(database, "2031-11-29 04:50:40", ["--job", "late", "--schedule", "*/5 * * * *", "--tz", "UTC",
      "--max-late", "1m"] + ignoreSkew + ["--"] + scratch.markingChild)
    #expect(onTime.status == 0)
    #expect(scratch.markerLines.count == 1, "a start within --max-late runs the slot")
  }

  @Test("--tz, else CRON_TZ, decides the schedule's wall clock; the identifier stays UTC", arguments: Backend.allCases)
  func scheduleZones(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let command = ["--", "/bin/sh", "-c", "echo $CRONLOCK_IDENTIFIER"]
    // 04:52 UTC is 10:22 in Kolkata: the last 10:30 there was yesterday at 05:00 UTC.
    let kolkata = runAt(database, "2031-11-29 04:52:00", ["--job", "k", "--schedule", "30 10 * * *"]
      + ignoreSkew + command, environment: ["CRON_TZ": "Asia/Kolkata"])
    #expect(kolkata.stdout == "2031-11-28 05:00:00.000\n", "\(kolkata.stderr)")
    let utc = runAt(database, "2031-11-29 04:52:00", ["--job", "u", "--schedule", "30 10 * * *", "--tz", "UTC"]
      + ignoreSkew + command, environment: ["CRON_TZ": "Asia/Kolkata"])
    #expect(utc.stdout == "2031-11-28 10:30:00.000\n")
  }

  @Test("the same instant gives the same identifier whatever the host's TZ",
        arguments: Backend.allCases, ["UTC", "Asia/Kolkata", "America/New_York"])
  func independentOfHostZone(backend: Backend, zone: String) throws {
    let database = try TestDatabase.fresh(backend)
    // Shift the clock to 2031-11-29T04:50:12Z (a slot that has not ended by the database clock) by an offset, which means the same in every zone.
    let target = Date(timeIntervalSince1970: 1_953_694_212)
    let offset = Int(target.timeIntervalSinceNow.rounded())
    let result = runAt(database, offset < 0 ? "\(offset)s" : "+\(offset)s", zone: zone,
      ["--job", "tz", "--precision", "1h"] + ignoreSkew + ["--", "/bin/sh", "-c", "echo $CRONLOCK_IDENTIFIER"])
    #expect(result.stdout == "2031-11-29 04:00:00.000\n", "\(result.stderr)")
  }

  @Test("--identifier-zone local names the slot like gocron-ent-lock on that host", arguments: Backend.allCases)
  func localIdentifier(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    // 04:52 UTC truncated to 1h is 04:00 UTC, which Kolkata's clock shows as 09:30.
    let result = runAt(database, "2031-11-29 10:22:00", zone: "Asia/Kolkata",
      ["--job", "l", "--precision", "1h", "--identifier-zone", "local"] + ignoreSkew
        + ["--", "/bin/sh", "-c", "echo $CRONLOCK_IDENTIFIER"])
    #expect(result.stdout == "2031-11-29 09:30:00.000\n", "\(result.stderr)")
  }

  @Test("a host whose clock is hours behind cannot win a slot that ended, even after purge removed its row")
  func endedSlotAfterPurge() throws {
    // PostgreSQL only: SQLite's clock is the host's, so no host there is behind the database.
    let database = try TestDatabase.fresh(.postgres)
    let table = database.table
    let scratch = Scratch()
    // The 1h slot of three hours ago ran, finished, and was purged.
    var slotStart = Date().addingTimeInterval(-3 * 3600).timeIntervalSince1970
    slotStart -= slotStart.truncatingRemainder(dividingBy: 3600)
    let formatter = DateFormatter()
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS"
    try server.execute(
      """
      INSERT INTO \(table) (created_at, updated_at, job_name, job_identifier, worker, status, slot_end)
      VALUES (to_timestamp($2), to_timestamp($2), 'p', $1, 'w', 'FINISHED', to_timestamp($2) + interval '1 hour')
      """, [formatter.string(from: Date(timeIntervalSince1970: slotStart)), String(slotStart)])
    let purge = database.run(["purge", "--ttl", "1h", "-v"])
    #expect(purge.stderr.contains("deleted 1 row"))
    let late = runAt(database, "-3h", ["-v", "--job", "p", "--precision", "1h"] + ignoreSkew + ["--"]
      + scratch.markingChild)
    #expect(late.status == 0)
    #expect(late.stderr.contains("the slot ended more than 1h before this claim"), "\(late.stderr)")
    #expect(scratch.markerLines.isEmpty, "the purged slot did not run again")
    #expect(try server.query("SELECT count(*) FROM \(table)") == [["0"]])
  }

  @Test("a host whose clock is 30 s behind warns once and the row records the skew")
  func skewWarning() throws {
    // PostgreSQL only: on SQLite the database's clock is the host's, so there is no skew.
    let database = try TestDatabase.fresh(.postgres)
    let table = database.table
    let result = runAt(database, "-30s", ["--job", "skew", "--identifier", "one", "--", "true"])
    #expect(result.status == 0)
    let lines = result.stderr.split(separator: "\n")
    #expect(lines.count == 1)
    #expect(lines.first?.contains("warning: this host's clock is 30s") == true)
    #expect(lines.first?.contains("behind the database's") == true)
    let skew = Int(try server.query("SELECT clock_skew_ms FROM \(table)").first?.first.flatMap { $0 } ?? "") ?? 0
    #expect((-32_000 ... -28_000).contains(skew), "\(skew)")
    let listed = database.run(["list", "--format", "json"])
    let rows = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]]
    #expect((rows?.first?["clock_skew_ms"] as? Int).map { (-32_000 ... -28_000).contains($0) } == true, "list shows the skew")
    let quiet = database.run(["--job", "skew", "--identifier", "two", "--", "true"])
    #expect(quiet.stderr.isEmpty, "a host in step with the database says nothing")
  }

  @Test("schedule usage errors: 64 with the offending part named", arguments: [
    (["--schedule", "61 * * * *"], "minute value 61"), (["--schedule", "* * *"], "cron expression"),
    (["--schedule", "@hourly", "--precision", "1m"], "cannot be used together"),
    (["--tz", "UTC"], "--tz goes with --schedule"), (["--schedule", "@daily", "--tz", "Mars/Olympus"], "Mars/Olympus"),
    (["--identifier", "x", "--max-late", "1m"], "--max-late"),
  ])
  func usageErrors(arguments: [String], mention: String) {
    let result = CronlockBinary.run(["--job", "bad"] + arguments + ["--database", "host=/nonexistent", "--", "true"])
    #expect(result.status == 64, "\(result.stderr)")
    #expect(result.stderr.contains(mention), "\(result.stderr)")
    #expect(result.stderr.split(separator: "\n").count == 1)
  }
}
