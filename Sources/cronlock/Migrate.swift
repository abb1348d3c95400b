import ArgumentParser
import CronlockCore

extension Cronlock {
  struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Create the lock table and its indexes, or adopt one made by gocron-ent-lock or gocron-gorm-lock.",
      discussion: """
        Idempotent, and safe to run on many hosts at once (it holds an advisory lock). It adds \
        only nullable columns, so Go services sharing the table keep working, and it finds the \
        unique index on (job_name, job_identifier) by catalog, creating it when missing.
        """
    )

    @Flag(name: .customLong("print-sql"), help: "Print the SQL instead of running it.")
    var printSQL = false

    @Flag(name: [.short, .long], help: "Say what was created.")
    var verbose = false

    @OptionGroup(title: "Connection Options")
    var connection: ConnectionOptions

    func run() throws {
      let store = try connection.openStore()
      let table = store.table
      if printSQL {
        print(store.migrationScript)
        return
      }
      let report = try store.migrate()
      let reporter = Reporter(verbose: verbose)
      reporter.info(report.createdTable ? "created table \(table)" : "table \(table) exists; added what was missing")
      if report.createdUniqueIndex { reporter.info("created the unique index on (job_name, job_identifier)") }
    }
  }
}
