import ArgumentParser
import CronlockCore

struct Cronlock: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cronlock",
    abstract: "Run a command at most once per time slot across many hosts, with a lock in PostgreSQL.",
    discussion: """
      Every host runs the same crontab line; each computes the same slot (job name + the current \
      time truncated to --precision) and races to insert one row into the lock table. Only the \
      winner runs the command; the others exit quietly. 'run' is the default subcommand.

      \(exitStatusHelp)
      """,
    version: Version.description,
    subcommands: [Run.self, Migrate.self, List.self, Purge.self, Check.self],
    defaultSubcommand: Run.self
  )

  static let exitStatusHelp: String = {
    let width = ExitStatus.summary.map(\.status.count).max() ?? 0
    let rows = ExitStatus.summary.map { row in
      "  " + row.status + String(repeating: " ", count: width - row.status.count + 2) + row.meaning
    }
    return (["EXIT STATUS:"] + rows).joined(separator: "\n")
  }()
}

extension TimeSpan: ExpressibleByArgument {
  public init?(argument: String) {
    guard let span = try? TimeSpan(parsing: argument) else { return nil }
    self = span
  }
}

/// Parses a duration option with the parser's own one-sentence complaint.
func parseTimeSpan(_ text: String) throws -> TimeSpan {
  do {
    return try TimeSpan(parsing: text)
  } catch {
    throw ValidationError(error.description)
  }
}
