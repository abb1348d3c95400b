import ArgumentParser
import CronlockCore

extension Cronlock {
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show recent runs from the lock table, newest first.",
      usage: "cronlock list [--job <name>] [--worker <name>] [--status <status>]\n[--since <duration>] [--limit <n>] [--format <format>]\n[<connection options>]",
      discussion: """
        Formats: 'table' (default) shows job, identifier, worker, status, started (ISO 8601 on \
        the host's clock, with its offset), duration and exit, escaping control characters and \
        shortening long values with '…' to fit the terminal (80 columns when not a terminal, or \
        $COLUMNS); colour only on a terminal and never with NO_COLOR set. 'json' is one array \
        with RFC 3339 UTC times, numbers as numbers and null for unknown; 'csv' is RFC 4180 with \
        a header row (an unknown value is an empty field, an empty string is ""). Rows written \
        by gocron-ent-lock or gocron-gorm-lock show what they record: no exit status or finish \
        time. Duration runs from the claim to the finish, or for a RUNNING row until now by the \
        database's clock.
        """
    )

    @Option(name: [.short, .long], help: ArgumentHelp("Only this job.", valueName: "name"))
    var job: String?

    @Option(help: ArgumentHelp("Only runs claimed by this worker.", valueName: "name"))
    var worker: String?

    @Option(help: ArgumentHelp("Only runs with this status: \(statusNames).", valueName: "status"))
    var status: String?

    @Option(name: SubcommandOptionTable.since.name, parsing: .unconditional, help: SubcommandOptionTable.since.help,
            transform: OptionSpec.duration)
    var since: TimeSpan?

    @Option(name: SubcommandOptionTable.limit.name, parsing: .unconditional, help: SubcommandOptionTable.limit.help,
            transform: OptionSpec.integer)
    var limit: Int = HistoryQuery.defaultLimit

    @Option(help: ArgumentHelp("table, json or csv.", valueName: "format"))
    var format: HistoryFormat = .table

    @OptionGroup var log: LogOptions

    @OptionGroup(title: "Connection Options")
    var connection: ConnectionOptions

    static let statusNames = RunStatus.allCases.map(\.rawValue).joined(separator: ", ")

    func validate() throws {
      for problem in [SubcommandOptionTable.limit.problem(limit), SubcommandOptionTable.since.problem(since)] {
        if let problem { throw ValidationError(problem) }
      }
      if let status, RunStatus(rawValue: status.uppercased()) == nil {
        throw ValidationError("--status must be one of \(Self.statusNames)")
      }
    }

    func run() throws {
      let query = HistoryQuery(job: job, worker: worker, status: status?.uppercased(), since: since, limit: limit)
      let rows = try connection.openStore().history(query)
      let output = TerminalOutput.standardOutput()
      let table = HistoryTable(width: output.width, colour: output.colour, zone: TimeZoneRules.local())
      print(format.render(rows, table: table, terminal: output.isTerminal), terminator: "")
    }
  }
}

extension HistoryFormat: ExpressibleByArgument {}
