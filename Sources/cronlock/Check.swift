import ArgumentParser
import CronlockCore

extension Cronlock {
  struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Say whether the lock table is ready for 'run' on this host (for CI smoke tests).",
      usage: "cronlock check [--format <format>] [--max-skew <duration>]\n[<connection options>]",
      discussion: """
        Connects exactly as run would and checks, a line each: the table, schema-qualified \
        (a name without a schema is in public, never found through search_path; a table \
        search_path would find instead is a warning), its unique index on (job_name, \
        job_identifier) (found by catalog), cronlock's columns, this role's privileges \
        (SELECT, INSERT, UPDATE for run; DELETE for purge), row-level security on the table, \
        whether the session is on a standby or read-only, replication (streaming standbys that \
        are all asynchronous are a warning: a failover can run a slot twice), the server's \
        synchronous_commit and the clock skew. For an sqlite: URL it checks the file system \
        (not a network one), that this user may write the file and its directory, and the \
        table, which the first run creates if it is missing. Exits 0 when everything run needs \
        holds (warnings do not change it), 78 when the configuration does not, 75 when the \
        server cannot be reached.
        """
    )

    @Option(help: ArgumentHelp("text or json.", valueName: "format"))
    var format: CheckFormat = .text

    @Option(name: SubcommandOptionTable.checkMaxSkew.name, parsing: .unconditional,
            help: SubcommandOptionTable.checkMaxSkew.help,
            transform: OptionSpec.duration)
    var maxSkew: TimeSpan = RunOptionTable.maxSkewDefault

    func validate() throws {
      if let problem = SubcommandOptionTable.checkMaxSkew.problem(maxSkew) { throw ValidationError(problem) }
    }

    @OptionGroup var log: LogOptions

    @OptionGroup(title: "Connection Options")
    var connection: ConnectionOptions

    func run() throws {
      let check = try connection.openStore().check(maxSkew: maxSkew)
      print(format == .json ? json(check) : text(check), terminator: "")
      if !check.ready { throw ExitCode(ExitStatus.configuration) }
    }

    func text(_ check: TableCheck) -> String {
      let lines = check.items.map { item in
        (item.ok ? "ok    " : item.required ? "FAIL  " : "warn  ") + item.detail
      }
      let verdict = check.ready ? "ready: cronlock run can use this table" : "not ready: see FAIL above"
      return (lines + [verdict]).joined(separator: "\n") + "\n"
    }

    func json(_ check: TableCheck) -> String {
      let items = check.items.map { item in
        "{\"name\":\(HistoryJSON.quoted(item.name)),\"ok\":\(item.ok),\"required\":\(item.required),"
          + "\"detail\":\(HistoryJSON.quoted(item.detail))}"
      }
      return "{\"ready\":\(check.ready),\"role\":\(HistoryJSON.quoted(check.role)),"
        + "\"server_version\":\(HistoryJSON.quoted(check.serverVersion)),"
        + "\"clock_skew_ms\":\(check.clockSkew.map { String($0.milliseconds) } ?? "null"),"
        + "\"checks\":[\(items.joined(separator: ","))]}\n"
    }
  }

  enum CheckFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
  }
}
