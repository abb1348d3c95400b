import CronlockCore
import Foundation
import Testing
import CronlockTestSupport

/// Passwords of every shape, written as users write them (encoded or not, in URIs and in
/// key=value strings), never reach stderr, stdout, `list` or a row (issue 13, item 8). A string
/// libpq would split inside the password is 78 before connecting; one that works, works.
@Suite("passwords of every shape stay secret")
struct PasswordShapeTests {
  let server = TestServer.shared

  /// Two distinctive halves around the character under test: neither half may ever be shown.
  static let shapes: [Character] = ["/", "@", "%", ":", "?", "#", " ", "'", "&", "="]

  func urls(password: String, role: String) -> [(url: String, works: Bool?)] {
    let encoded = password.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
    let quoted = "'" + password.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    return [
      ("postgresql://\(role):\(password)@127.0.0.1:\(server.port)/postgres", nil),
      ("postgresql://\(role):\(encoded)@127.0.0.1:\(server.port)/postgres", true),
      ("postgresql://\(role)@127.0.0.1:\(server.port)/postgres?password=\(encoded)", true),
      ("host=127.0.0.1 port=\(server.port) dbname=postgres user=\(role) password=\(password)", nil),
      ("host=127.0.0.1 port=\(server.port) dbname=postgres user=\(role) password=\(quoted)", true),
    ]
  }

  @Test("never in a message, list or row; works when written correctly, else 75 or 78", arguments: Self.shapes)
  func shape(character: Character) throws {
    let role = "pw_shape_\(character.unicodeScalars.first!.value)"
    let (left, right) = ("Lefthalf\(character.unicodeScalars.first!.value)q", "Righthalf9z")
    let password = left + String(character) + right
    let table = try server.freshTable("pwshape")
    try server.execute("DO $$ BEGIN CREATE ROLE \(role) LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
    try server.execute("ALTER ROLE \(role) PASSWORD '\(password.replacingOccurrences(of: "'", with: "''"))'")
    try server.runnerRole(role, on: table)
    let secretParts = [password, left, right]
    func expectHidden(_ text: String, _ context: String, sourceLocation: SourceLocation = #_sourceLocation) {
      for part in secretParts {
        #expect(!text.contains(part), "\(context) shows \(part): \(text)", sourceLocation: sourceLocation)
      }
    }
    let scratch = Scratch()
    for (index, (url, works)) in urls(password: password, role: role).enumerated() {
      let context = "form \(index) of '\(character)'"
      let run = CronlockBinary.run(["--job", "j", "--identifier", "s\(index)", "--table", table, "--database", url,
                                    "--", "/bin/sh", "-c", "env > '\(scratch.path("env\(index)"))'"])
      expectHidden(run.stdout + run.stderr, context)
      if works == true {
        #expect(run.status == 0, "\(context): \(run.stderr)")
      } else {
        #expect([0, 78].contains(run.status), "\(context): \(run.status) \(run.stderr)")
      }
      if run.status != 0 {
        #expect(run.stderr.split(separator: "\n").count == 1, "\(context): \(run.stderr)")
      }
      for command in [["list", "--format", "json"], ["list"], ["check"], ["purge", "--ttl", "1d", "--dry-run"]] {
        let result = CronlockBinary.run(command + ["--table", table, "--database", url])
        expectHidden(result.stdout + result.stderr, "\(context) \(command[0])")
        #expect(result.status == run.status || command[0] == "check", "\(context) \(command): \(result.stderr)")
      }
      expectHidden((try? String(contentsOfFile: scratch.path("env\(index)"), encoding: .utf8)) ?? "", "\(context) child")
    }
    let rows = try server.query("SELECT row_to_json(t)::text FROM \(table) AS t")
    #expect(rows.count >= 3, "the correctly written forms ran")
    for row in rows { expectHidden(row[0] ?? "", "a row") }
  }
}
