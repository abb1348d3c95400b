import CronlockCore
import Foundation
import Testing
import CronlockTestSupport

@Suite("cronlock list, end to end")
struct ListTests {
  let server = TestServer.shared

  /// Inserts a row the way a writer would, `ago` seconds before now; returns its id.
  @discardableResult
  func insert(_ database: TestDatabase, job: String?, identifier: String = "s", worker: String = "host-a",
              status: String = "FINISHED", ago: Int = 60, took: Int? = 5, exitCode: Int? = 0) throws -> String {
    try database.query(
      """
      INSERT INTO "\(database.table)" (created_at, updated_at, job_name, job_identifier, worker, status, finished_at, exit_code)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
      RETURNING id
      """, [TestDatabase.ago(ago), TestDatabase.ago(ago - (took ?? 0)), job, identifier, worker, status,
            took.map { TestDatabase.ago(ago - $0) }, exitCode.map { String($0) }])[0][0]!
  }

  /// A PostgreSQL table this suite made itself (the Go lockers' seed tables).
  func postgres(_ table: String) -> TestDatabase { TestDatabase(backend: .postgres, table: table, url: nil) }

  func list(_ database: TestDatabase, _ arguments: [String], environment: [String: String] = [:]) -> ProcessResult {
    database.run(["list"] + arguments, environment: environment)
  }

  func json(_ database: TestDatabase, _ arguments: [String] = []) throws -> [[String: Any]] {
    let result = list(database, ["--format", "json"] + arguments)
    #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
    return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
  }

  func csv(_ database: TestDatabase, _ arguments: [String] = []) throws -> [[String: String]] {
    let result = list(database, ["--format", "csv"] + arguments)
    #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
    let records = try CSV.parse(result.stdout)
    guard let header = records.first else { return [] }
    #expect(header == HistoryRow.fieldNames)
    return records.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
  }

  func tableLines(_ database: TestDatabase, _ arguments: [String] = [], environment: [String: String] = [:]) -> [String] {
    let result = list(database, arguments, environment: environment)
    #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
    return result.stdout.split(separator: "\n").map(String.init)
  }

  @Test("runs cronlock recorded, in every format: same rows, newest first, fields as stored", arguments: Backend.allCases)
  func formatsAgree(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let table = database.table
    for (job, identifier, command) in [("report", "s1", "exit 0"), ("report", "s2", "exit 3"), ("other", "s1", "kill -9 $$")] {
      database.run(["--job", job, "--identifier", identifier, "--worker", "host-a", "--", "/bin/sh", "-c", command])
    }
    // Known times, a minute apart in run order, each run taking 1.234544 s: list truncates to milliseconds.
    let ids = try database.query("SELECT id FROM \"\(table)\" ORDER BY id").map { $0[0]! }
    for (minute, id) in ids.enumerated() {
      try database.execute("UPDATE \"\(table)\" SET created_at = $1, finished_at = $2 WHERE id = $3",
                           ["2026-11-29 09:0\(minute):00.123456+00:00", "2026-11-29 09:0\(minute):01.358000+00:00", id])
    }
    let started = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, "2026-11-29T09:0\($0):00.123Z") })
    let stored = try database.query("""
      SELECT id, job_name, job_identifier, status, exit_code, signal, pid
      FROM "\(table)" ORDER BY created_at DESC, id DESC
      """)
    #expect(stored.map { $0[1]! + "/" + $0[2]! + "/" + $0[3]! } == ["other/s1/FAILED", "report/s2/FAILED", "report/s1/FINISHED"])

    let objects = try json(database)
    #expect(objects.map { String($0["id"] as! Int) } == stored.map { $0[0]! }, "newest first")
    for (object, row) in zip(objects, stored) {
      #expect(object["job"] as? String == row[1] && object["identifier"] as? String == row[2])
      #expect(object["status"] as? String == row[3] && object["worker"] as? String == "host-a")
      #expect((object["exit_code"] as? Int).map(String.init) == row[4])
      #expect((object["signal"] as? Int).map(String.init) == row[5])
      #expect((object["pid"] as? Int).map(String.init) == row[6])
      #expect(object["started_at"] as? String == started[row[0]!])
      #expect(object["duration_ms"] as? Int == 1234)
      #expect(object["command"] as? String == "/bin/sh")
      #expect(object["slot_end"] is NSNull, "explicit identifiers never end")
    }
    #expect(objects[0]["exit_code"] is NSNull && objects[0]["signal"] as? Int == 9)

    let records = try csv(database)
    #expect(records.map { $0["id"]! } == stored.map { $0[0]! })
    #expect(records.map { $0["started_at"]! } == stored.map { started[$0[0]!]! })
    #expect(records.map { $0["exit_code"]! } == ["", "3", "0"])
    #expect(records.map { $0["signal"]! } == ["9", "", ""])
    #expect(records.map { $0["slot_end"]! } == ["", "", ""])

    let lines = tableLines(database)
    #expect(lines.count == 4)
    #expect(lines[0].hasPrefix("JOB") && lines[0].hasSuffix("DURATION  EXIT"))
    #expect(lines[1].hasPrefix("other ") && lines[1].contains(" FAILED ") && lines[1].hasSuffix("SIGKILL"))
    #expect(lines[2].hasPrefix("report") && lines[2].hasSuffix(" 3"))
    #expect(lines[3].contains(" FINISHED ") && lines[3].hasSuffix(" 0"))
  }

  @Test("every filter, alone and together", arguments: Backend.allCases, [
    ([], [4, 3, 2, 1, 0]),
    (["--job", "a"], [3, 1, 0]),
    (["-j", "b"], [4, 2]),
    (["--worker", "w1"], [3, 2, 0]),
    (["--status", "FINISHED"], [4, 0]),
    (["--status", "failed"], [1]),
    (["--status", "RUNNING"], [2]),
    (["--status", "Abandoned"], [3]),
    (["--since", "1h"], [4, 3, 2]),
    (["--since", "5m"], [4]),
    (["--limit", "2"], [4, 3]),
    (["--job", "a", "--worker", "w1", "--since", "4h", "--limit", "1"], [3]),
    (["--job", "a", "--status", "RUNNING"], []),
    (["--job", "nobody"], []),
  ] as [(arguments: [String], expected: [Int])])
  func filters(backend: Backend, filter: (arguments: [String], expected: [Int])) throws {
    let database = try TestDatabase.fresh(backend)
    let rows = [("a", "w1", "FINISHED", 3 * 3600), ("a", "w2", "FAILED", 2 * 3600), ("b", "w1", "RUNNING", 1800),
                ("a", "w1", "ABANDONED", 600), ("b", "w2", "FINISHED", 60)]
    var ids: [String] = []
    for (job, worker, status, ago) in rows {
      ids.append(try insert(database, job: job, identifier: "slot-\(ago)", worker: worker, status: status, ago: ago))
    }
    let wanted = filter.expected.map { ids[$0] }
    #expect(try json(database, filter.arguments).map { String($0["id"] as! Int) } == wanted)
    #expect(try csv(database, filter.arguments).map { $0["id"]! } == wanted)
    #expect(tableLines(database, filter.arguments).count == 1 + filter.expected.count, "a header, then one line per row")
  }

  @Test("--limit defaults to 50", arguments: Backend.allCases)
  func defaultLimit(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    for i in 1...60 {
      try insert(database, job: "j", identifier: "s\(i)", worker: "w", ago: i)
    }
    let objects = try json(database)
    #expect(objects.count == 50)
    #expect(objects.first?["identifier"] as? String == "s1" && objects.last?["identifier"] as? String == "s50")
    #expect(try json(database, ["--limit", "1000"]).count == 60)
  }

  @Test("nothing to show: a bare header, an empty array, a CSV header", arguments: Backend.allCases)
  func empty(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    #expect(tableLines(database) == ["JOB  IDENTIFIER  WORKER  STATUS  STARTED  DURATION  EXIT"])
    #expect(list(database, ["--format", "json"]).stdout == "[]\n")
    #expect(list(database, ["--format", "csv"]).stdout == HistoryRow.fieldNames.joined(separator: ",") + "\r\n")
  }

  @Test("rows written by the Go lockers show what they record")
  func goRows() throws {
    let table = server.freshTableName("ent")
    try server.execute(SeedTables.ent(table))
    try server.execute(SeedTables.goRow(table), ["report", "2026-11-29 04:50:00.000"])
    try server.execute("""
      INSERT INTO "\(table)" (created_at, updated_at, job_name, job_identifier, worker, status)
      VALUES (now() - interval '1 hour', now() - interval '1 hour' + interval '90 seconds', 'report',
              '2026-11-29 03:50:00.000', 'go-service', 'FINISHED')
      """)
    #expect(CronlockBinary.run(["migrate", "--table", table]).status == 0)
    let objects = try json(postgres(table))
    #expect(objects.map { $0["status"] as? String } == ["RUNNING", "FINISHED"])
    for object in objects {
      #expect(object["worker"] as? String == "go-service")
      for key in ["finished_at", "exit_code", "signal", "pid", "command", "note", "slot_end", "cronlock_version"] {
        #expect(object[key] is NSNull, "\(key)")
      }
      #expect(object["started_at"] is String && object["updated_at"] is String)
    }
    #expect(objects[1]["duration_ms"] as? Int == 90_000, "a FINISHED Go row ran until its last update")
    let lines = tableLines(postgres(table))
    #expect(lines[2].contains(" FINISHED ") && lines[2].hasSuffix("  1m30s     -"), "\(lines)")
    #expect(lines[1].hasSuffix(" -"), "no exit status is known")
  }

  @Test("gorm's table may hold NULL names and times: shown as unknown")
  func gormNulls() throws {
    let table = server.freshTableName("gorm")
    try server.execute(SeedTables.gorm(table, indexName: "idx_name_\(table)"))
    try server.execute("INSERT INTO \"\(table)\" (worker, status) VALUES ('go-service', 'FINISHED')")
    #expect(CronlockBinary.run(["migrate", "--table", table]).status == 0)
    let object = try #require(try json(postgres(table)).first)
    #expect(object["job"] is NSNull && object["identifier"] is NSNull && object["started_at"] is NSNull)
    #expect(object["duration_ms"] is NSNull && object["status"] as? String == "FINISHED")
    #expect(try csv(postgres(table)).first?["job"] == "")
    #expect(tableLines(postgres(table)).last == "-    -           go-service  FINISHED  -        -         -")
  }

  static let nastyNames = [
    "esc\u{1B}[31mred\u{1B}[0m", "two\nlines", "tab\there", "bell\u{7}", "del\u{7F}", "c1\u{85}x",
    "rlo\u{202E}txt.exe", "back\\slash", "quote\"comma,", "日本語",
  ]

  @Test("control characters in stored names are escaped in the table; JSON and CSV give them back exactly",
        arguments: Backend.allCases)
  func untrustedNames(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    for (index, name) in Self.nastyNames.enumerated() {
      try insert(database, job: name, identifier: name, worker: name, ago: 100 - index)
    }
    let result = list(database, [], environment: ["COLUMNS": "300"])
    let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count == Self.nastyNames.count + 2, "one line per row, and the final newline")
    #expect(!result.stdout.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) })
    for escaped in ["esc\\x1B[31mred\\x1B[0m", "two\\nlines", "tab\\there", "bell\\x07", "del\\x7F", "c1\\x85x",
                    "rlo\\u{202E}txt.exe", "back\\\\slash", "日本語"] {
      #expect(result.stdout.contains(escaped), "\(escaped)")
    }
    let objects = try json(database)
    #expect(objects.map { $0["job"] as? String } == Self.nastyNames.reversed())
    #expect(objects.map { $0["worker"] as? String } == Self.nastyNames.reversed())
    #expect(try csv(database).map { $0["identifier"] } == Self.nastyNames.reversed())
  }

  @Test("bytes that are not UTF-8 (a SQL_ASCII database) still give valid JSON and CSV")
  func invalidUTF8() throws {
    let database = "ascii_" + server.freshTableName("db")
    try server.execute("CREATE DATABASE \(database) ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0")
    let url = "host=\(server.environment["PGHOST"]!) port=\(server.port) user=postgres dbname=\(database)"
    #expect(CronlockBinary.run(["migrate", "--database", url]).status == 0)
    let connection = try Connection.connect(url: url, connectTimeout: .seconds(10), deadline: .after(.seconds(10)))
    try connection.execute("""
      INSERT INTO cron_job_locks (created_at, updated_at, job_name, job_identifier, worker, status)
      VALUES (now(), now(), E'bad\\377\\300byte', E'\\342\\202', 'w', 'FINISHED')
      """)
    let json = CronlockBinary.run(["list", "--database", url, "--format", "json"])
    #expect(json.status == 0)
    let objects = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
    let job = try #require(objects.first?["job"] as? String)
    #expect(job.hasPrefix("bad") && job.hasSuffix("byte") && job.contains("\u{FFFD}"))
    let csv = CronlockBinary.run(["list", "--database", url, "--format", "csv"])
    #expect(try CSV.parse(csv.stdout).count == 2)
    #expect(CronlockBinary.run(["list", "--database", url]).stdout.contains("bad\u{FFFD}"))
  }

  @Test("the table fits 80 columns off a terminal; COLUMNS widens it", arguments: Backend.allCases)
  func width(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    try insert(database, job: "nightly-report-for-the-finance-department", identifier: "2026-11-29 04:50:00.000",
               worker: "web-17.production.eu-central-1.example.com", status: "ABANDONED", took: 200_000, exitCode: 1)
    let narrow = tableLines(database)
    #expect(narrow.allSatisfy { TerminalText.width($0) <= 80 }, "\(narrow)")
    #expect(narrow[1].contains("…"))
    let wide = tableLines(database, environment: ["COLUMNS": "250"])
    #expect(wide[1].hasPrefix("nightly-report-for-the-finance-department  2026-11-29 04:50:00.000  web-17.production"))
    #expect(!wide[1].contains("…"))
  }

  @Test("at 80 columns job names stay whole: started and identifiers give way first", arguments: Backend.allCases)
  func jobNamesStayWhole(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    for job in ["sleeper", "sleeper2"] {
      try insert(database, job: job, identifier: "2026-12-01 18:34:00.000", worker: "build-runner-07")
    }
    let lines = tableLines(database)
    #expect(lines.allSatisfy { TerminalText.width($0) <= 80 }, "\(lines)")
    #expect(Set(lines.dropFirst().map { $0.split(separator: " ")[0] }) == ["sleeper", "sleeper2"], "\(lines)")
    #expect(lines[1].hasSuffix("Z  5.0s      0"), "the narrow UTC time: \(lines)")
    #expect(lines[1].contains("  2026-12-01"), "the identifier keeps its date: \(lines)")
  }

  @Test("started is shown on the host's clock with its offset", arguments: Backend.allCases)
  func localZone(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let id = try insert(database, job: "j")
    try database.execute("UPDATE \"\(database.table)\" SET created_at = $1 WHERE id = $2", ["2026-11-29 04:50:00.750000+00:00", id])
    let lines = tableLines(database, environment: ["TZ": "Asia/Kolkata", "COLUMNS": "120"])
    #expect(lines[1].contains("  2026-11-29T10:20:00+05:30  "), "\(lines)")
  }

  @Test("colour only on a terminal, and never with NO_COLOR", arguments: Backend.allCases)
  func colour(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    try insert(database, job: "j", status: "FAILED", exitCode: 1)
    #expect(!list(database, []).stdout.contains("\u{1B}"), "not a terminal")
    // script(1) gives the command a pseudo-terminal.
    let command = "'\(CronlockBinary.path)' list"
    let onTerminal = Shell.run(["/usr/bin/script", "-qec", command, "/dev/null"],
                               environment: CronlockBinary.environment(database.environment.merging(["TERM": "xterm"]) { $1 }))
    #expect(onTerminal.stdout.contains("\u{1B}[1mJOB\u{1B}[0m"))
    #expect(onTerminal.stdout.contains("\u{1B}[31mFAILED\u{1B}[0m"))
    let noColour = Shell.run(["/usr/bin/script", "-qec", command, "/dev/null"],
                             environment: CronlockBinary.environment(
                               database.environment.merging(["TERM": "xterm", "NO_COLOR": "1"]) { $1 }))
    #expect(noColour.stdout.contains("FAILED") && !noColour.stdout.contains("\u{1B}"))
  }

  @Test("usage errors exit 64 and say what is wrong", arguments: [
    (["--status", "DONE"], "--status must be one of RUNNING, FINISHED, FAILED, ABANDONED"),
    (["--limit", "0"], "--limit 0 is out of range: it takes 1 to 1000000"),
    (["--limit", "-1"], "--limit -1 is out of range: it takes 1 to 1000000"),
    (["--limit", "1000001"], "--limit 1000001 is out of range"),
    (["--limit", "99999999999999999999"], "'99999999999999999999' is out of range"),
    (["--limit", "ten"], "'ten' is not a whole number"),
    (["--since", "36601d"], "--since 36601d is out of range: it takes 1ms to 36600d"),
    (["--format", "xml"], "xml"),
    (["--since", "soon"], "duration 'soon'"),
  ])
  func usage(arguments: [String], message: String) throws {
    let result = CronlockBinary.run(["list"] + arguments)
    #expect(result.status == 64)
    #expect(result.stderr.hasPrefix("cronlock: ") && result.stderr.contains(message), "\(result.stderr)")
    #expect(result.stdout.isEmpty)
  }

  @Test("a table missing from the database is 78 and names the fix", arguments: Backend.allCases)
  func missingTable(backend: Backend) throws {
    let database = try TestDatabase.fresh(backend)
    let missing = list(database, ["--table", server.freshTableName()])
    #expect(missing.status == 78 && missing.stderr.contains("cronlock migrate"), "\(missing.stderr)")
  }

  @Test("an unmigrated seed table is 78 and names the fix")
  func unmigratedSeedTable() throws {
    let ent = server.freshTableName("ent")
    try server.execute(SeedTables.ent(ent))
    let unmigrated = list(postgres(ent), [])
    #expect(unmigrated.status == 78 && unmigrated.stderr.contains("cronlock migrate"), "\(unmigrated.stderr)")
  }

  @Test("no password ever appears in the output, listing or failing")
  func noPassword() throws {
    let database = try TestDatabase.fresh(.postgres)
    try insert(database, job: "j")
    let url = "host=\(server.environment["PGHOST"]!) port=\(server.port) user=postgres dbname=postgres password=Sekr1tPw"
    for format in ["table", "json", "csv"] {
      let result = CronlockBinary.run(["list", "--table", database.table, "--format", format, "--database", url])
      #expect(result.status == 0)
      #expect(!(result.stdout + result.stderr).contains("Sekr1tPw") && !(result.stdout + result.stderr).contains("host="))
    }
    let unreachable = CronlockBinary.run(
      ["list", "--database", "postgresql://alice:Sekr1tPw@127.0.0.1:1/db", "--connect-timeout", "2s"])
    #expect(unreachable.status == 75, "\(unreachable.stderr)")
    #expect(!(unreachable.stdout + unreachable.stderr).contains("Sekr1tPw"))
    let fromEnvironment = CronlockBinary.run(["list"], environment: ["CRONLOCK_DATABASE_URL": "postgresql://alice:Sekr1tPw@127.0.0.1:1/db"])
    #expect(fromEnvironment.status == 75 && !fromEnvironment.stderr.contains("Sekr1tPw"))
  }
}
