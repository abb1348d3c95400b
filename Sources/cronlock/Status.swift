import ArgumentParser
import CronlockCore

extension Cronlock {
  struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Say, per job, which slots of the last day (--since) ran, failed, or were missed by every host.",
      usage: "cronlock status [--job <name>] [--since <duration>] [--grace <duration>]\n[--format <format>] [<connection options>]",
      discussion: """
        Each run records its slot rule (--precision, or --schedule and its zone) in its row; \
        status takes the rule of each job's newest run and lists every slot that began in the \
        window: ok, failed, abandoned, running, stale (its heartbeat stopped), missed (no host \
        claimed it), or pending (its run may still come). A --precision slot is missed once it \
        has ended with no row, since its run may start anywhere in it; a --schedule slot once \
        --grace has passed after its fire time. Jobs with explicit identifiers, and rows the Go \
        lockers wrote, record no rule: status shows their last run and never calls them missed. \
        Exits 0 when no slot needs attention, 1 when one does (missed, failed, abandoned, stale, \
        a last run that failed, or a --job with no runs at all), 75 or 78 as every subcommand.
        """
    )

    @Option(name: [.short, .long], help: ArgumentHelp("Only this job.", valueName: "name"))
    var job: String?

    @Option(name: SubcommandOptionTable.window.name, parsing: .unconditional, help: SubcommandOptionTable.window.help,
            transform: OptionSpec.duration)
    var since: TimeSpan = SubcommandOptionTable.windowDefault

    @Option(name: SubcommandOptionTable.grace.name, parsing: .unconditional, help: SubcommandOptionTable.grace.help,
            transform: OptionSpec.duration)
    var grace: TimeSpan = SubcommandOptionTable.graceDefault

    @Option(help: ArgumentHelp("table or json.", valueName: "format"))
    var format: FleetFormat = .table

    @OptionGroup var log: LogOptions

    @OptionGroup(title: "Connection Options")
    var connection: ConnectionOptions

    /// How far before the window rows are read: a host whose clock is ahead claims early.
    static let clockMargin = TimeSpan.seconds(60)

    func validate() throws {
      for problem in [SubcommandOptionTable.window.problem(since), SubcommandOptionTable.grace.problem(grace)] {
        if let problem { throw ValidationError(problem) }
      }
    }

    func run() throws {
      let store = try connection.openStore()
      var newest = HistoryQuery(job: job, limit: SubcommandOptionTable.everyRow)
      newest.perJob = .newest
      let lastRuns = try store.history(newest).sorted { ($0.job ?? "").utf8.lexicographicallyPrecedes(($1.job ?? "").utf8) }
      var oldest = newest
      oldest.perJob = .oldest
      let firstRuns = Dictionary(try store.history(oldest).compactMap { row in row.job.map { ($0, row) } },
                                 uniquingKeysWith: { first, _ in first })
      let now = Timestamp.now()
      let from = now.adding(TimeSpan(nanoseconds: -since.nanoseconds))
      var jobs: [JobStatus] = []
      if let job, lastRuns.isEmpty {
        jobs.append(JobStatus.evaluate(job: job, lastRun: nil, firstRun: nil, rows: [], from: from, now: now, grace: grace))
      }
      for last in lastRuns {
        guard let name = last.job else { continue }
        let rows = last.slotRule == nil ? [] : try store.history(
          HistoryQuery(job: name, since: TimeSpan(nanoseconds: since.nanoseconds + Self.clockMargin.nanoseconds),
                       limit: SubcommandOptionTable.everyRow))
        jobs.append(JobStatus.evaluate(job: name, lastRun: last, firstRun: firstRuns[name], rows: rows,
                                       from: from, now: now, grace: grace))
      }
      print(format == .json ? FleetOutput.statusJSON(jobs, from: from, until: now) : FleetOutput.statusTable(jobs, since: since),
            terminator: "")
      if jobs.contains(where: \.needsAttention) { throw ExitCode(ExitStatus.attention) }
    }
  }

  struct Metrics: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Print every job's last runs and counts in Prometheus's text format (for node_exporter's textfile collector).",
      usage: "cronlock metrics [--job <name>] [<connection options>]",
      discussion: """
        Per job, labelled cron_job (Prometheus keeps 'job' for the scrape target): \
        cronlock_job_last_run_timestamp_seconds, cronlock_job_last_success_timestamp_seconds, \
        cronlock_job_last_duration_seconds and cronlock_job_last_exit_code (of its newest run \
        that has ended), cronlock_job_runs{status} (rows in the table, so purge lowers them: \
        gauges, not counters), cronlock_job_running and cronlock_job_stale. Write it where the \
        collector reads with a rename, so it never sees half a file: \
        cronlock metrics > DIR/cronlock.prom.tmp && mv DIR/cronlock.prom.tmp DIR/cronlock.prom
        """
    )

    @Option(name: [.short, .long], help: ArgumentHelp("Only this job.", valueName: "name"))
    var job: String?

    @OptionGroup var log: LogOptions

    @OptionGroup(title: "Connection Options")
    var connection: ConnectionOptions

    func run() throws {
      let store = try connection.openStore()
      let counts = try store.statusCounts(job: job)
      let running = try store.history(HistoryQuery(job: job, status: RunStatus.running.rawValue,
                                                   limit: SubcommandOptionTable.everyRow))
      var newest = HistoryQuery(job: job, limit: SubcommandOptionTable.everyRow)
      newest.perJob = .newest
      let lastRuns = try store.history(newest)
      newest.status = RunStatus.finished.rawValue
      let lastSuccesses = try store.history(newest)
      let jobs = JobMetrics.collect(counts: counts, running: running, lastRuns: lastRuns, lastSuccesses: lastSuccesses)
      print(PrometheusText.render(jobs), terminator: "")
    }
  }
}
