import CronlockCore
import Foundation
import Testing
import CronlockTestSupport

@Suite("cronlock run when things are wrong")
struct FailureTests {
  let server = TestServer.shared

  @Test("server stopped: 75 within the connect timeout, no child, no password in the message")
  func serverDown() throws {
    let stopped = TestServer.start()
    let (directory, port) = (stopped.directory, stopped.port)
    stopped.stop()
    let scratch = Scratch()
    for url in ["postgresql://runner:Sup3rSecret@127.0.0.1:\(port)/postgres",
                "host=\(directory.path) port=\(port) user=postgres password=Sup3rSecret"] {
      let result = CronlockBinary.run(
        ["--job", "down", "--database", url, "--connect-timeout", "3s", "--"] + scratch.markingChild)
      #expect(result.status == 75)
      #expect(result.stderr.hasPrefix("cronlock: job 'down' slot '"))
      #expect(result.stderr.contains("the command did not run"))
      #expect(!result.stderr.contains("Sup3rSecret"))
      #expect(result.stderr.split(separator: "\n").count == 1)
    }
    #expect(scratch.markerLines.isEmpty)
  }

  @Test("out of descriptors anywhere (ulimit -n 4 to 24): the command runs once and is recorded, or no claimed row is left",
        arguments: Backend.allCases)
  func outOfDescriptors(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let connectTimeout = 2.0
    for limit in 4...24 {
      let scratch = Scratch()
      let slot = "fds-\(limit)"
      let started = Date()
      // touch needs one descriptor; a shell's redirection would need fd 10 and fail below 11.
      let result = Shell.run(
        ["/bin/sh", "-c", "ulimit -n \(limit) && exec \"$0\" \"$@\"", CronlockBinary.path, "run", "--job", "fds",
         "--identifier", slot, "--connect-timeout", "\(Int(connectTimeout))s", "--", "/usr/bin/touch", scratch.path("ran")],
        environment: CronlockBinary.environment(database.environment))
      let took = Date().timeIntervalSince(started)
      let rows = try database.query(
        "SELECT status, exit_code FROM \(database.table) WHERE job_identifier = $1", [slot])
      let ran = FileManager.default.fileExists(atPath: scratch.path("ran"))
      let context = "ulimit -n \(limit): status \(result.status), rows \(rows), ran \(ran), stderr \(result.stderr)"
      expectRecordedOrRefused(result, rows: rows, ran: ran, context)
      // Every attempt ends inside the claim's budget: none waits for a call it cannot hear from.
      #expect(took < connectTimeout + 5, "\(context), took \(took) s")
    }
  }

  /// Too little address space (`ulimit -v`): below some size the loader cannot even start
  /// cronlock (its own message, or a crash before main); above it, libpq or a thread may not fit.
  @Test("under a memory limit (ulimit -v 8 to 256 MiB): recorded, or nothing claimed; an unmappable libpq is not called missing")
  func underAMemoryLimit() throws {
    let database = try TestDatabase.fresh(.postgres)
    var libpqUnmappable = false
    for megabytes in stride(from: 8, through: 256, by: 4) {
      let scratch = Scratch()
      let slot = "mem-\(megabytes)"
      let (result, seconds) = Fault.timed {
        Shell.run(["/bin/sh", "-c", "ulimit -v \(megabytes * 1024) && exec \"$0\" \"$@\"", CronlockBinary.path, "run",
                   "--job", "mem", "--identifier", slot, "--connect-timeout", "3s", "--", "/usr/bin/touch",
                   scratch.path("ran")],
                  environment: CronlockBinary.environment(database.environment))
      }
      let rows = try database.query("SELECT status, exit_code FROM \(database.table) WHERE job_identifier = $1", [slot])
      let ran = FileManager.default.fileExists(atPath: scratch.path("ran"))
      let context = "ulimit -v \(megabytes) MiB: status \(result.status), rows \(rows), ran \(ran), stderr \(result.stderr)"
      if rows.isEmpty && !result.stderr.hasPrefix("cronlock:") {
        // cronlock never started: the loader's own failure (127), or a crash before main.
        #expect((result.status == 127 || result.status > 128) && !ran, "\(context)")
      } else {
        expectRecordedOrRefused(result, rows: rows, ran: ran, context)
        #expect(rows.count == 1 || result.stderr.split(separator: "\n").count == 1, "\(context)")
      }
      #expect(seconds < 3 + 5, "\(context)")
      if result.stderr.contains("cannot load libpq.so.5 (") {
        libpqUnmappable = true
        #expect(result.status == 78 && !result.stderr.contains("install the"), "\(context)")
      }
      if ran { break }
    }
    // Some limit fits cronlock but not libpq's chain; the sweep is wide enough to meet it.
    #expect(libpqUnmappable)
  }

  /// A user at its process limit (RLIMIT_NPROC counts threads): the claim must not be made on
  /// cronlock's own thread, where a frozen server would stop its clock, and whatever cannot be
  /// started later (the guardian, the command) is recorded, never left RUNNING.
  @Test("at the user's process limit (prlimit --nproc 1 to 4): no claim without its thread; otherwise recorded",
        .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
          && FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit"), "needs root, setpriv and prlimit"))
  func atTheProcessLimit() throws {
    let database = try TestDatabase.fresh(.postgres)
    let scratch = Scratch()
    // Another user's cronlock: a copy it can execute, and a directory it can write its marker in.
    let binary = scratch.path("cronlock")
    // Copied by cp, not by this process: a child another test forks meanwhile would inherit
    // the copy's open descriptor, and exec would fail with "Text file busy".
    let copied = Shell.run(["/bin/cp", CronlockBinary.path, binary])
    #expect(copied.status == 0, "\(copied.stderr)")
    try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: scratch.directory.path)
    // A user id of its own, so no other process counts against its limit.
    let user = "61917"
    for limit in 1...4 {
      let slot = "nproc-\(limit)"
      let (result, seconds) = Fault.timed {
        Shell.run(["/usr/bin/setpriv", "--reuid", user, "--regid", user, "--clear-groups", "--", "/usr/bin/prlimit",
                   "--nproc=\(limit)", binary, "run", "--job", "nproc", "--identifier", slot, "--connect-timeout", "3s",
                   "--", "/usr/bin/touch", scratch.path("ran-\(limit)")],
                  environment: CronlockBinary.environment(database.environment))
      }
      let rows = try database.query("SELECT status, exit_code FROM \(database.table) WHERE job_identifier = $1", [slot])
      let ran = FileManager.default.fileExists(atPath: scratch.path("ran-\(limit)"))
      let context = "--nproc=\(limit): status \(result.status), rows \(rows), ran \(ran), stderr \(result.stderr)"
      expectRecordedOrRefused(result, rows: rows, ran: ran, context)
      #expect(seconds < 3 + 5, "\(context)")
      if limit == 1 {
        // No second task, so no thread for the claim: nothing claimed, and it may work next time.
        #expect(rows.isEmpty && result.status == 75 && result.stderr.contains("cannot start a thread"), "\(context)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(context)")
      }
      if limit == 2 {
        // A thread for the claim, then no process for the guardian or the command: cronlock's
        // own failure (125), recorded, not the command's 126.
        #expect(rows.first?[0] == "FAILED" && rows.first?[1] == "125" && result.status == 125, "\(context)")
        #expect(result.stderr.contains("cannot start "), "\(context)")
      }
    }
  }

  @Test("a password is never printed, whatever libpq makes of the URL")
  func passwordsNeverPrinted() throws {
    let urls = [
      "postgresql://u:pa%zzss@127.0.0.1:1/db",
      "postgresql://u:pa%zzss@127.0.0.1:1/db?password=pa%zzss",
      "host=/nonexistent password='pa%zzss' port=x",
      "password=pa%zzss host=/nonexistent bogus=1",
    ]
    for url in urls {
      let result = CronlockBinary.run(["--job", "p", "--database", url, "--connect-timeout", "2s", "--", "true"])
      #expect([75, 78].contains(result.status), "\(url): \(result.stderr)")
      #expect(!result.stderr.contains("pa%zzss") && !result.stderr.contains("pa%zz"), "\(result.stderr)")
    }
  }

  @Test("settings that cannot work until someone changes them are 78 at once, not retried to a 75",
        arguments: [("service=cronlock-no-such-service", true), ("service=cronlock-no-such-service", false),
                    ("sslmode=require", true), ("gssencmode=require", true)])
  func settingsThatCannotWork(setting: String, serviceFileExists: Bool) throws {
    let scratch = Scratch()
    // An empty service file names no service; a missing one is an error of its own.
    let services = scratch.path("pg_service.conf")
    if serviceFileExists { #expect(FileManager.default.createFile(atPath: services, contents: Data())) }
    // Over TCP: the test server has no TLS, and GSSAPI encryption needs a credential and TCP.
    let url = "host=127.0.0.1 port=\(server.port) user=postgres \(setting)"
    let (result, seconds) = Fault.timed {
      CronlockBinary.run(["--job", "cfg", "--database", url, "--connect-timeout", "10s", "--"] + scratch.markingChild,
                         environment: ["PGSERVICEFILE": services])
    }
    #expect(result.status == 78, "\(result.stderr)")
    #expect(seconds < 5, "one attempt, not --connect-timeout's retries: \(seconds) s")
    #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains("the command did not run"))
    #expect(scratch.markerLines.isEmpty)
  }

  @Test("wrong password: 78, password not printed, child not run")
  func wrongPassword() throws {
    try server.execute("DO $$ BEGIN CREATE ROLE pw_runner LOGIN PASSWORD 'right-one'; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
    let scratch = Scratch()
    let result = CronlockBinary.run(
      ["--job", "pw", "--database", "postgresql://pw_runner:Wr0ngPass@127.0.0.1:\(server.port)/postgres", "--"]
        + scratch.markingChild)
    #expect(result.status == 78)
    #expect(!result.stderr.contains("Wr0ngPass"))
    #expect(result.stderr.contains("authentication failed"))
    #expect(scratch.markerLines.isEmpty)
  }

  @Test("table missing: 78 naming cronlock migrate, child not run")
  func tableMissing() throws {
    let scratch = Scratch()
    let result = CronlockBinary.run(["--job", "m", "--table", server.freshTableName(), "--"] + scratch.markingChild)
    #expect(result.status == 78)
    #expect(result.stderr.contains("run 'cronlock migrate'"))
    #expect(scratch.markerLines.isEmpty)
  }

  @Test("a seed table that was never migrated: 78 naming cronlock migrate")
  func seedTableNotMigrated() throws {
    let table = server.freshTableName("seed")
    try server.execute(SeedTables.ent(table))
    let result = CronlockBinary.run(["--job", "m", "--table", table, "--", "true"])
    #expect(result.status == 78)
    #expect(result.stderr.contains("run 'cronlock migrate'"))
  }

  @Test("a runner role without INSERT: 78, child not run, nothing claimed")
  func noInsertPrivilege() throws {
    let table = try server.freshTable()
    try server.execute("DO $$ BEGIN CREATE ROLE reader_only LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
    try server.execute("GRANT SELECT ON \(table) TO reader_only")
    let scratch = Scratch()
    let result = CronlockBinary.run(["--job", "r", "--table", table, "--"] + scratch.markingChild,
                                    environment: ["PGUSER": "reader_only"])
    #expect(result.status == 78)
    #expect(result.stderr.contains("permission denied"))
    #expect(scratch.markerLines.isEmpty)
    #expect(try server.query("SELECT count(*) FROM \(table)") == [["0"]])
  }

  /// A database cronlock cannot open: 65 must come before any attempt to.
  static func unreachable(_ backend: Backend) -> String {
    backend == .postgres ? "host=/nonexistent" : "sqlite:/nonexistent-dir/locks.db"
  }

  @Test("bad job names and identifiers: 65 before touching the database", arguments: Backend.allCases, [
    ["--job", ""], ["--job", String(repeating: "x", count: 256)], ["--job", "a\nb"], ["--job", "esc\u{1B}[31m"],
    ["--job", "ok", "--identifier", ""], ["--job", "ok", "--identifier", "tab\there"],
  ])
  func badNames(backend: Backend, arguments: [String]) throws {
    let scratch = Scratch()
    let result = CronlockBinary.run(arguments + ["--database", Self.unreachable(backend), "--"] + scratch.markingChild)
    #expect(result.status == 65)
    #expect(result.stderr.hasPrefix("cronlock: "))
    #expect(result.stderr.split(separator: "\n").count == 1)
    #expect(scratch.markerLines.isEmpty)
  }

  @Test("a job name of invalid UTF-8 or with NUL-free control bytes is refused with 65", arguments: Backend.allCases)
  func invalidUTF8Name(backend: Backend) throws {
    let result = Shell.run(
      ["/bin/sh", "-c", "exec \"$0\" --job \"$(printf 'bad\\377')\" --database \"$1\" -- true", CronlockBinary.path,
       Self.unreachable(backend)],
      environment: CronlockBinary.environment())
    #expect(result.status == 65)
    #expect(result.stderr == "cronlock: job name is not valid UTF-8\n")
  }

  @Test("a job name that looks like SQL is stored verbatim and the table stays intact", arguments: Backend.allCases)
  func sqlLookingName(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let name = "'); DROP TABLE \(database.table); --"
    let result = database.run(["--job", name, "--", "true"])
    #expect(result.status == 0)
    #expect(try database.query("SELECT job_name FROM \(database.table)") == [[name]])
  }

  @Test("a hostile --table is quoted as one identifier: migrate and run touch that table and nothing else",
        arguments: Backend.allCases)
  func hostileTableName(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let hostile = "x\"; DROP TABLE \(database.table); --"
    #expect(database.run(["migrate", "--table", hostile]).status == 0)
    let result = database.run(["--job", "j", "--table", hostile, "--", "true"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(try database.query("SELECT count(*) FROM \(database.table)") == [["0"]], "the victim is still there")
    let quoted = "\"" + hostile.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    #expect(try database.query("SELECT job_name FROM \(quoted)") == [["j"]])
  }

  @Test("usage errors: 64 with one line on stderr", arguments: [
    [] as [String], ["--job", "x"], ["--job", "x", "--bogus", "--", "true"], ["--job", "x", "--precision", "0s", "--", "true"],
    ["--job", "x", "--precision", "5", "--", "true"], ["--job", "x", "--precision", "1m", "--identifier", "i", "--", "true"],
    ["--job", "x", "--connect-timeout", "-1s", "--", "true"], ["--job", "x", "--table", "a.b.c", "--", "true"],
  ])
  func usageErrors(arguments: [String]) throws {
    let result = CronlockBinary.run(arguments)
    #expect(result.status == 64, "\(arguments): \(result.stderr)")
    #expect(result.stderr.hasPrefix("cronlock: "))
    #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
  }

  /// How a run under a resource limit may end. Claimed: the outcome is recorded (FAILED 126 when
  /// not even the command could start), and cronlock exits with what it recorded. Not claimed,
  /// or a claim that could not be made: a documented refusal (75, 78, 125), and no command.
  func expectRecordedOrRefused(_ result: ProcessResult, rows: [[String?]], ran: Bool, _ context: String) {
    if let row = rows.first {
      #expect(rows.count == 1 && ["FINISHED", "FAILED"].contains(row[0]) && row[1] == "\(result.status)", "\(context)")
      #expect(ran == (row[0] == "FINISHED"), "\(context)")
    } else {
      #expect([75, 78, 125].contains(result.status) && !ran, "\(context)")
    }
  }
}
