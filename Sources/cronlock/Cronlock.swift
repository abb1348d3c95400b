import ArgumentParser
import CronlockCore

struct Cronlock: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cronlock",
    abstract: "Run a command at most once per time slot across many hosts, with a lock in PostgreSQL "
      + "(or, on one host, an SQLite file: --database sqlite:PATH).",
    discussion: """
      Every host runs the same crontab line; each computes the same slot (job name + the current \
      time truncated to --precision) and races to insert one row into the lock table. Only the \
      winner runs the command; the others exit quietly. 'run' is the default subcommand, so \
      'cronlock --job NAME -- COMMAND' is 'cronlock run --job NAME -- COMMAND'. Each \
      subcommand's options, --job, --ttl and --limit among them, follow the subcommand and are \
      listed by 'cronlock SUBCOMMAND --help', e.g. 'cronlock run --help'.

      \(exitStatusHelp)
      """,
    version: Version.description,
    subcommands: [Run.self, Migrate.self, List.self, Show.self, Status.self, Metrics.self, Purge.self, Check.self],
    defaultSubcommand: Run.self
  )

  /// The exit statuses as a two-column table, wrapped by hand below 80 columns so help's own
  /// wrapping leaves it alone.
  static let exitStatusHelp: String = {
    let width = ExitStatus.summary.map(\.status.count).max() ?? 0
    let indent = String(repeating: " ", count: width + 4)
    let rows = ExitStatus.summary.map { row in
      wrapped(row.meaning, width: 78 - indent.count).enumerated().map { index, text in
        index == 0 ? "  " + row.status + String(repeating: " ", count: width - row.status.count + 2) + text : indent + text
      }.joined(separator: "\n")
    }
    return (["EXIT STATUS:"] + rows).joined(separator: "\n")
  }()

  /// `text` in lines of at most `width` characters, broken at spaces.
  static func wrapped(_ text: String, width: Int) -> [String] {
    var lines: [String] = []
    var line = ""
    for word in text.split(separator: " ") {
      if !line.isEmpty && line.count + 1 + word.count > width {
        lines.append(line)
        line = ""
      }
      line += (line.isEmpty ? "" : " ") + word
    }
    return lines + [line]
  }
}

extension TimeSpan: ExpressibleByArgument {
  public init?(argument: String) {
    guard let span = try? TimeSpan(parsing: argument) else { return nil }
    self = span
  }
}
