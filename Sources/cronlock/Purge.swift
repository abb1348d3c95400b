import ArgumentParser
import CronlockCore

extension Cronlock {
  struct Purge: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Delete old finished rows from the lock table.",
      usage: "cronlock purge --ttl <duration> [--job <name>] [--stale-after <duration>]\n[--dry-run] [--verbose] [<connection options>]",
      discussion: """
        Deletes rows whose status is FINISHED, FAILED or ABANDONED — never RUNNING — whose \
        last update is older than --ttl by the database's clock, and whose slot ended more than \
        an hour ago by that clock. A slot stays claimable for that hour after its end, so a host \
        that fires late or retries through an outage still finds the row and does not run the \
        job; after it, no host can claim the slot, so its row can go. A row without \
        a slot end — an explicit --identifier, or a row \
        written by gocron-ent-lock or gocron-gorm-lock — has no end: the TTL alone governs it, \
        and once it is purged the same identifier can be claimed, and its command run, again. \
        Choose a TTL longer than any pipeline could be retried, and, on a table shared with \
        Go services, longer than their longest precision: a Go row records no slot end, so a \
        shorter TTL lets that Go job run its slot again. The Go libraries' own cleanup deletes \
        every FINISHED row older than their TTL, cronlock's too (see the README's "Sharing the \
        table with Go services").

        Rows go in batches of \(PurgeRequest.defaultBatchSize), each its own short \
        transaction, so claims arriving meanwhile are not held up for long; interrupting a \
        purge is safe.
        """
    )

    @Option(name: SubcommandOptionTable.ttl.name, parsing: .unconditional,
            help: SubcommandOptionTable.ttl.help, transform: OptionSpec.duration)
    var ttl: TimeSpan

    @Option(name: [.short, .long], help: ArgumentHelp("Only this job's rows.", valueName: "name"))
    var job: String?

    @Option(name: SubcommandOptionTable.staleAfter.name, parsing: .unconditional,
            help: SubcommandOptionTable.staleAfter.help,
            transform: OptionSpec.duration)
    var staleAfter: TimeSpan?

    @Flag(help: "Print how many rows would be deleted, and delete none.")
    var dryRun = false

    @Flag(name: [.short, .long], help: "Say on stderr how many rows were deleted.")
    var verbose = false

    @OptionGroup var log: LogOptions

    @OptionGroup(title: "Connection Options")
    var connection: ConnectionOptions

    var request: PurgeRequest { PurgeRequest(ttl: ttl, job: job) }

    /// Why nothing went: rows older than the TTL may still be held for their slot's grace.
    var rule: String {
      "; a row goes once it is FINISHED, FAILED or ABANDONED, last updated over \(ttl) ago, and its slot "
        + "ended over \(Slot.claimableAfterEnd) ago (a slot stays claimable that long after its end)"
    }

    func validate() throws {
      // PurgeRequest's own complaint first: it says why a short TTL is refused.
      let problems = [request.problem, SubcommandOptionTable.ttl.problem(ttl),
                      SubcommandOptionTable.staleAfter.problem(staleAfter)]
      if let problem = problems.lazy.compactMap({ $0 }).first { throw ValidationError(problem) }
    }

    func run() throws {
      let store = try connection.openStore()
      let scope = job.map { " of job '\(TerminalText.escaped($0))'" } ?? ""
      if let staleAfter {
        let stale = try store.abandonStale(after: staleAfter, job: job, dryRun: dryRun)
        if dryRun {
          print("would mark \(stale) stale \(stale == 1 ? "run" : "runs")\(scope) ABANDONED in \(store.table)")
        } else {
          Reporter(verbose: verbose, format: log.format)
            .info("marked \(stale) stale \(stale == 1 ? "run" : "runs")\(scope) ABANDONED in \(store.table)", event: .abandoned)
        }
      }
      if dryRun {
        let count = try store.countPurgeable(request)
        let rows = "\(count) \(count == 1 ? "row" : "rows")\(scope)"
        print("would delete \(rows) from \(store.table)\(count == 0 ? rule : "")")
        return
      }
      let count = try store.purge(request)
      let rows = "\(count) \(count == 1 ? "row" : "rows")\(scope)"
      Reporter(verbose: verbose, format: log.format).info("deleted \(rows) from \(store.table)\(count == 0 ? rule : "")", event: .purged)
    }
  }
}
