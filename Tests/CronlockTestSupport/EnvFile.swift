import Foundation

/// Reads an env file of `export NAME=value` lines, as scripts/pgtemp and
/// scripts/pgbouncer-temp write them.
public enum EnvFile {
  public static func read(_ file: URL) -> [String: String] {
    var environment: [String: String] = [:]
    for line in (try! String(contentsOf: file, encoding: .utf8)).split(separator: "\n") {
      var assignment = Substring(line)
      if assignment.hasPrefix("export ") { assignment = assignment.dropFirst("export ".count) }
      let parts = assignment.split(separator: "=", maxSplits: 1).map(String.init)
      if parts.count == 2 { environment[parts[0]] = parts[1] }
    }
    return environment
  }
}
