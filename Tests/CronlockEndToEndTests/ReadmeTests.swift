import Foundation
import Testing
import CronlockTestSupport

/// The README's examples are real: every `cronlock` command in its `sh` and `crontab` blocks
/// runs against a test table and is accepted (no usage, name, database or configuration error).
@Suite("README examples")
struct ReadmeTests {
  let server = TestServer.shared

  /// The commands, in order: `sh` lines as they are, crontab lines without their five fields.
  static func commands() throws -> [String] {
    let text = try String(contentsOf: TestServer.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
    var commands: [String] = []
    var block: String?
    for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
      if line.hasPrefix("```") {
        block = block == nil ? String(line.dropFirst(3)) : nil
        continue
      }
      guard let kind = block, !line.hasPrefix("#"), !line.isEmpty else { continue }
      let command = kind == "crontab" ? line.split(separator: " ").dropFirst(5).joined(separator: " ") : line
      if command.hasPrefix("cronlock") { commands.append(command) }
    }
    return commands
  }

  @Test("every cronlock command in the README runs and is accepted")
  func examplesRun() throws {
    let commands = try Self.commands()
    #expect(commands.count >= 10, "\(commands)")
    #expect(commands.contains("cronlock migrate"))
    // The README opens with a crontab line; its quick start migrates first, so do the same.
    let table = try server.freshTable("readme")
    let binDirectory = URL(fileURLWithPath: CronlockBinary.path).deletingLastPathComponent().path
    let environment = CronlockBinary.environment(["CRONLOCK_TABLE": table, "PATH": binDirectory + ":/usr/bin:/bin"])
    for command in commands {
      let result = Shell.run(["/bin/sh", "-c", command], environment: environment)
      #expect(![64, 65, 75, 78, 125].contains(result.status), "\(command): \(result.status) \(result.stderr)")
    }
    #expect(try server.query("SELECT count(*) > 0 FROM \(table) WHERE job_name = 'report'") == [["t"]])
  }
}
