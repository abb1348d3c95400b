import ArgumentParser
import CronlockCore

extension Cronlock {
  struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Run COMMAND if this host wins the job's current slot (the default subcommand).",
      usage: "cronlock [run] --job <name> [options] [--] <command> [<argument> ...]",
      discussion: """
        The slot is the current UTC time truncated to --precision (aligned like Go's \
        time.Truncate), written 'yyyy-MM-dd HH:mm:ss.SSS'; or the most recent fire time of \
        --schedule, in UTC; or --identifier verbatim. With --schedule, a wall time that occurs \
        twice when clocks fall back is two slots, and one skipped when clocks spring forward \
        fires at the instant of the jump (02:30 in Europe/Berlin fires at 03:00 CEST), as cron \
        catches up such jobs. The command gets CRONLOCK_JOB, CRONLOCK_IDENTIFIER, CRONLOCK_RUN_ID and CRONLOCK_WORKER in its \
        environment, and never CRONLOCK_DATABASE_URL or PGPASSWORD.

        \(Cronlock.exitStatusHelp)
        """
    )

    @Option(name: [.short, .long], help: ArgumentHelp("The job's name, the same on every host.", valueName: "name"))
    var job: String

    @Option(help: ArgumentHelp("Slot length: the time is truncated to this (default: 1m).", valueName: "duration"),
            transform: parseTimeSpan)
    var precision: TimeSpan?

    @Option(help: ArgumentHelp("Slot = the most recent fire time of this cron expression (5 fields or @hourly, @daily, ...).",
                               valueName: "expr"))
    var schedule: String?

    @Option(help: ArgumentHelp("Time zone of --schedule (IANA name). Default: $CRON_TZ, else the host's zone.",
                               valueName: "zone"))
    var tz: String?

    @Option(help: ArgumentHelp("Use this slot identifier instead of the time (e.g. a CI pipeline id).",
                               valueName: "string"))
    var identifier: String?

    @Option(help: ArgumentHelp("Do not run a slot that began more than this long ago (a late start).",
                               valueName: "duration"),
            transform: parseTimeSpan)
    var maxLate: TimeSpan?

    @Option(help: ArgumentHelp(
      "utc, or local to name time slots on the host's wall clock like gocron-ent-lock (see the README's warnings).",
      valueName: "zone"))
    var identifierZone: IdentifierZone = .utc

    @Option(help: ArgumentHelp("Warn when this host's clock and the database's differ by more.", valueName: "duration"),
            transform: parseTimeSpan)
    var maxSkew: TimeSpan = .seconds(2)

    @Option(help: ArgumentHelp("Name recorded for this host. Default: $CRONLOCK_WORKER, else the host name.",
                               valueName: "name"))
    var worker: String?

    @Option(help: ArgumentHelp("Exit status when another worker owns the slot.", valueName: "status"))
    var skipExitCode: Int32 = ExitStatus.skippedDefault

    @Flag(name: [.short, .long], help: "Say on stderr what cronlock decides.")
    var verbose = false

    @OptionGroup(title: "Connection Options")
    var connection: ConnectionOptions

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("The command to run and its arguments."))
    var command: [String] = []

    /// The command without the `--` that may precede it.
    var childArguments: [String] {
      command.first == "--" ? Array(command.dropFirst()) : command
    }

    func validate() throws {
      if let first = command.first, first != "--", first.hasPrefix("-") {
        throw ValidationError("unknown option '\(first)'")
      }
      guard !childArguments.isEmpty else { throw ValidationError("no command given; put it after '--'") }
      let slotRules = [("--precision", precision != nil), ("--schedule", schedule != nil), ("--identifier", identifier != nil)]
        .filter(\.1).map(\.0)
      if slotRules.count > 1 {
        throw ValidationError("\(slotRules.joined(separator: " and ")) cannot be used together")
      }
      if tz != nil && schedule == nil { throw ValidationError("--tz goes with --schedule") }
      if identifier != nil && maxLate != nil { throw ValidationError("--max-late needs a time slot, not --identifier") }
      if identifier != nil && identifierZone == .local {
        throw ValidationError("--identifier-zone local needs a time slot, not --identifier")
      }
      guard (0...255).contains(skipExitCode) else { throw ValidationError("--skip-exit-code must be 0 to 255") }
    }

    /// Runs and returns the exit status; never throws, so every path has a documented status.
    func execute(startedAt: Timestamp) -> Int32 {
      let reporter = Reporter(verbose: verbose)
      let options: RunOptions
      let table: TableName
      do {
        options = try runOptions()
        table = try connection.tableName()
      } catch {
        reporter.error(error.message)
        return error.status
      }
      // Before any I/O: a signal that arrives while connecting waits for us instead of killing
      // cronlock halfway through a claim.
      let childMask = ForwardedSignals.block()
      return Runner(options: options, reporter: reporter).run(startedAt: startedAt, childMask: childMask) {
        () throws(CronlockError) -> any LockStore in
        try PostgresLockStore(url: connection.databaseURL, table: table, connectTimeout: connection.connectTimeout)
      }
    }

    func runOptions() throws(CronlockError) -> RunOptions {
      let worker = worker ?? Worker.defaultName()
      try LockName.validate(job, as: "job name", repairedFromInvalidUTF8: RawArguments.wasRepaired(job))
      if let identifier {
        try LockName.validate(identifier, as: "identifier", repairedFromInvalidUTF8: RawArguments.wasRepaired(identifier))
      }
      try LockName.validate(worker, as: "worker name")
      return RunOptions(
        job: job,
        slotRule: try slotRule(),
        worker: worker,
        skipExitCode: skipExitCode,
        command: RawArguments.command(matching: childArguments),
        identifierZone: identifierZone == .local ? TimeZoneRules.local() : nil,
        maxLate: maxLate,
        maxSkew: maxSkew
      )
    }

    func slotRule() throws(CronlockError) -> SlotRule {
      if let identifier { return .identifier(identifier) }
      if let schedule {
        let zone = try (tz ?? environment("CRON_TZ")).map { name throws(CronlockError) in try TimeZoneRules.named(name) }
        return .schedule(try CronExpression(parsing: schedule), zone ?? TimeZoneRules.local())
      }
      return .precision(precision ?? .seconds(60))
    }
  }

  enum IdentifierZone: String, ExpressibleByArgument, CaseIterable {
    case utc, local
  }
}
