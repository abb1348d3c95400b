import ArgumentParser
import CronlockCore

extension Cronlock {
  struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Create the lock table and its indexes, or adopt one made by gocron-ent-lock or gocron-gorm-lock.",
      usage: "cronlock migrate [--print-sql] [--verbose] [<connection options>]",
      discussion: """
        Idempotent, and safe to run on many hosts at once (it holds an advisory lock). It adds \
        only nullable columns, so Go services sharing the table keep working, and it finds the \
        unique index on (job_name, job_identifier) by catalog, creating it when missing. \
        Rows that share a slot (left by Go workers whose unique index never existed) keep it \
        from being made: migrate lists them and changes nothing (78) unless told how to resolve \
        them. All or nothing: one transaction.
        """
    )

    @Flag(name: .customLong("print-sql"), help: "Print the SQL instead of running it.")
    var printSQL = false

    @Option(name: .customLong("resolve-duplicates"),
            help: ArgumentHelp("keep-first: keep each slot's first row (lowest id), delete the others and print each.",
                               valueName: "policy"))
    var resolveDuplicates: DuplicatePolicy?

    @Flag(name: [.short, .long], help: "Say what was created.")
    var verbose = false

    @OptionGroup var log: LogOptions

    @OptionGroup(title: "Connection Options")
    var connection: ConnectionOptions

    func run() throws {
      let store = try connection.openStore()
      let table = store.table
      if printSQL {
        print(store.migrationScript)
        return
      }
      // Only -v asks what changed; the check before says whether columns were missing.
      let before = verbose ? try? store.check(maxSkew: RunOptionTable.maxSkewDefault) : nil
      let report = try store.migrate(MigrationOptions(duplicates: resolveDuplicates?.resolution ?? .refuse))
      for (removed, kept) in report.removedDuplicates {
        // Always said: the user asked for rows to be deleted and should see which.
        print("removed row \(removed.id) (job '\(escaped(removed.job))', slot '\(escaped(removed.identifier))', "
          + "worker '\(escaped(removed.worker))', \(escaped(removed.status))); kept row \(kept)")
      }
      let reporter = Reporter(verbose: verbose, format: log.format)
      let columnsMissing = before?.items.contains { $0.name == "columns" && !$0.ok }
      if report.createdTable {
        reporter.info("created table \(table)", event: .migrated)
      } else if columnsMissing == true {
        reporter.info("table \(table) exists; added cronlock's missing columns", event: .migrated)
      } else if columnsMissing == false && !report.createdUniqueIndex {
        reporter.info("table \(table) is up to date; nothing to add", event: .migrated)
      } else if columnsMissing == nil {
        reporter.info("table \(table) exists; added what was missing", event: .migrated)
      } else {
        reporter.info("table \(table) exists", event: .migrated)
      }
      if report.createdUniqueIndex { reporter.info("created the unique index on (job_name, job_identifier)", event: .migrated) }
    }

    private func escaped(_ text: String?) -> String { text.map(TerminalText.escaped) ?? "NULL" }
  }

  /// The policies `--resolve-duplicates` accepts; refusing is the default, not a choice to type.
  enum DuplicatePolicy: String, ExpressibleByArgument, CaseIterable {
    case keepFirst = "keep-first"

    var resolution: DuplicateResolution { .keepFirst }
  }
}
