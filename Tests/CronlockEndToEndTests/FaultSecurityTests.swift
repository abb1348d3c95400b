import CronlockCore
import Foundation
import Testing
import CronlockTestSupport

/// Catalogue items 27–30 beyond FailureTests: name limits in bytes, hostile tables for every
/// subcommand, a password on the command line on every path, and a least-privilege role.
@Suite("fault: security and bad input")
struct FaultSecurityTests {
  let server = TestServer.shared

  @Test("item 27: names are limited in bytes, not characters, and stored byte for byte")
  func nameLimits() throws {
    let table = try server.freshTable("names")
    let scratch = Scratch()
    let longest = String(repeating: "é", count: 127) + "x"  // 255 bytes
    let names = [longest, "quote'\"back\\slash", "percent %s %n", "tab-free ünïcødé ✓ 🎉", "'); DROP TABLE \(table); --"]
    var invocations: [Invocation] = []
    for name in names {
      let result = Fault.run(["--job", name, "--identifier", name, "--table", table, "--"] + scratch.faultChild(),
                             environment: server.environment)
      #expect(result.status == 0, "\(name): \(result.stderr)")
      invocations.append(Invocation(job: name, result: result, identifier: name))
    }
    let tooLong = Fault.run(["--job", String(repeating: "é", count: 128), "--table", table, "--", "true"],
                            environment: server.environment)
    #expect(tooLong.status == 65 && tooLong.stderr.contains("255"), "\(tooLong.stderr)")
    let stored = try server.query("SELECT job_name, job_identifier, octet_length(job_name) FROM \(table) ORDER BY id")
    #expect(stored.map { $0[0] } == names && stored.map { $0[1] } == names)
    #expect(stored.first?[2] == "255")
    try History.check(table: table, server: server, scratch: scratch, invocations: invocations)
  }

  @Test("item 28: hostile --table values are rejected or quoted by run, list and purge; nothing else is executed",
        arguments: ["x\"; DROP TABLE {victim}; --", "public.x\"; DROP TABLE {victim}; --", "x'); DROP TABLE {victim}; --",
                    "{victim}\"; DELETE FROM \"{victim}", "\"{victim}\"", "a.b.{victim}"])
  func hostileTables(template: String) throws {
    let victim = try server.freshTable("victim")
    try server.execute("INSERT INTO \(victim) (job_name, job_identifier, worker, status) VALUES ('keep', 'k', 'w', 'FINISHED')")
    let hostile = template.replacingOccurrences(of: "{victim}", with: victim)
    let commands = [["run", "--job", "j", "--identifier", "i", "--table", hostile, "--", "true"],
                    ["list", "--table", hostile], ["purge", "--ttl", "1d", "--table", hostile]]
    for command in commands {
      let result = Fault.run(command, environment: server.environment)
      #expect([64, 78].contains(result.status), "\(command): \(result.status) \(result.stderr)")
    }
    #expect(try server.query("SELECT job_name FROM \(victim)") == [["keep"]])
  }

  @Test("item 29: a password on the command line is never printed: won, lost, failed, listed, or in the child")
  func passwordOnCommandLine() throws {
    let table = try server.freshTable("pw")
    let secret = "Cmd-Line-Secret-29"
    try server.execute("DO $$ BEGIN CREATE ROLE fault_pw LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
    try server.execute("ALTER ROLE fault_pw PASSWORD '\(secret)'")
    try server.runnerRole("fault_pw", on: table)
    let urls = ["postgresql://fault_pw:\(secret)@127.0.0.1:\(server.port)/postgres",
                "host=127.0.0.1 port=\(server.port) dbname=postgres user=fault_pw password=\(secret)"]
    let scratch = Scratch()
    var invocations: [Invocation] = []
    for (index, url) in urls.enumerated() {
      for _ in 0..<2 {  // a win, then a verbose loss
        let result = Fault.run(["-v", "--job", "pw", "--identifier", "s\(index)", "--table", table, "--database", url, "--"]
          + scratch.faultChild(), environment: server.environment, extra: ["PGPASSWORD": secret])
        #expect(result.status == 0, "\(result.stderr)")
        invocations.append(Invocation(job: "pw", result: result, identifier: "s\(index)"))
      }
      let missing = Fault.run(["--job", "pw", "--table", TestServer.shared.freshTableName(), "--database", url, "--", "true"],
                              environment: server.environment)
      #expect(missing.status == 78)
      let wrong = Fault.run(["--job", "pw", "--table", table, "--database", url.replacingOccurrences(of: "fault_pw", with: "nobody"),
                             "--", "true"], environment: server.environment)
      #expect(wrong.status == 78)
      let listed = Fault.run(["list", "--table", table, "--database", url, "--format", "json"], environment: server.environment)
      #expect(listed.status == 0 && listed.stdout.contains("\"pw\""), "\(listed.stderr)")
      invocations += [missing, wrong, listed].map { Invocation(job: "pw", result: $0, skipCode: -1) }
    }
    #expect(scratch.executions.count == 2)
    #expect(try server.query("SELECT count(*) FROM \(table) WHERE row_to_json(\(table))::text LIKE $1", ["%\(secret)%"]) == [["0"]])
    try History.check(table: table, server: server, scratch: scratch, invocations: invocations, secrets: [secret])
  }

  @Test("item 30: a role with only SELECT, INSERT, UPDATE, DELETE on the table runs, lists and purges")
  func leastPrivilege() throws {
    let table = try server.freshTable("least")
    try server.runnerRole("fault_least", on: table)
    try server.execute("""
      INSERT INTO \(table) (created_at, updated_at, finished_at, job_name, job_identifier, worker, status)
      VALUES (now() - interval '3 days', now() - interval '3 days', now() - interval '3 days', 'least', 'old', 'w', 'FINISHED')
      """)
    let scratch = Scratch()
    let role = ["PGUSER": "fault_least"]
    var invocations: [Invocation] = []
    for arguments in [["--identifier", "a"], ["--identifier", "b", "--no-overlap"], ["--identifier", "b"]] {
      let result = Fault.run(["--job", "least", "--table", table, "--heartbeat", "1s"] + arguments + ["--"]
        + scratch.faultChild("sleep 1.5"), environment: server.environment, extra: role)
      #expect(result.status == 0, "\(arguments): \(result.stderr)")
      invocations.append(Invocation(job: "least", result: result, identifier: arguments[1]))
    }
    #expect(scratch.executions.map(\.identifier) == ["a", "b"])
    let listed = Fault.run(["list", "--job", "least", "--table", table, "--format", "csv"], environment: server.environment, extra: role)
    #expect(listed.status == 0 && listed.stdout.split(whereSeparator: \.isNewline).count == 1 + 3, "\(listed.stdout)\(listed.stderr)")
    let purged = Fault.run(["purge", "--ttl", "1d", "--table", table], environment: server.environment, extra: role)
    #expect(purged.status == 0, "\(purged.stderr)")
    #expect(try server.query("SELECT job_identifier FROM \(table) ORDER BY id") == [["a"], ["b"]])
    let superuserOnly = try server.query("SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = 'fault_least'")
    #expect(superuserOnly == [["f", "f"]])
    try History.check(table: table, server: server, scratch: scratch, invocations: invocations)
  }
}
