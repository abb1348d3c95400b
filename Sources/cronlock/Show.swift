import ArgumentParser
import CronlockCore

extension Cronlock {
  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show one run: every column of its row, and the output it captured.",
      usage: "cronlock show <run-id> [--format <format>] [<connection options>]",
      discussion: """
        RUN_ID is the row's id, as 'cronlock list --format json' shows it and as the command \
        saw it in CRONLOCK_RUN_ID. 'table' prints a field a line, then the output that \
        'run --capture-output' kept, with newlines and tabs as they are and every other control \
        character and byte that is not UTF-8 escaped (\\x1B), so stored output cannot drive the \
        terminal. 'json' is one object with list's fields plus 'output' (text; bytes that are \
        not UTF-8 become U+FFFD) and 'output_base64' (the exact bytes). Exits 1 when the table \
        has no run with that id.
        """
    )

    @Argument(help: ArgumentHelp("The run's id.", valueName: "run-id"))
    var runID: Int64

    @Option(help: ArgumentHelp("table or json.", valueName: "format"))
    var format: FleetFormat = .table

    @OptionGroup var log: LogOptions

    @OptionGroup(title: "Connection Options")
    var connection: ConnectionOptions

    func validate() throws {
      if runID < 1 { throw ValidationError("the run id must be a positive whole number") }
    }

    func run() throws {
      var query = HistoryQuery(limit: 1)
      query.runID = runID
      query.includesOutput = true
      guard let row = try connection.openStore().history(query).first else {
        Reporter(verbose: false, format: log.format)
          .error("no run \(runID) in table \(try connection.settings.tableName())", event: .noSuchRun)
        throw ExitCode(ExitStatus.noSuchRun)
      }
      print(format == .json ? FleetOutput.showJSON(row) : FleetOutput.showTable(row), terminator: "")
    }
  }
}

/// How `show` and `status` print.
enum FleetFormat: String, ExpressibleByArgument, CaseIterable {
  case table, json
}
