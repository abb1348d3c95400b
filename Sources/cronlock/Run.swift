import ArgumentParser
import CronlockCore

extension Cronlock {
  struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Run COMMAND if this host wins the job's current slot (the default subcommand).",
      usage: "cronlock [run] --job <name> [options] [--] <command> [<argument> ...]",
      discussion: """
        The slot is the current UTC time truncated to --precision (aligned like Go's \
        time.Truncate), written 'yyyy-MM-dd HH:mm:ss.SSS', or --identifier verbatim. The command \
        gets CRONLOCK_JOB, CRONLOCK_IDENTIFIER, CRONLOCK_RUN_ID and CRONLOCK_WORKER in its \
        environment, and never CRONLOCK_DATABASE_URL or PGPASSWORD.

        \(Cronlock.exitStatusHelp)
        """
    )

    @Option(name: [.short, .long], help: ArgumentHelp("The job's name, the same on every host.", valueName: "name"))
    var job: String

    @Option(help: ArgumentHelp("Slot length: the time is truncated to this (default: 1m).", valueName: "duration"),
            transform: parseTimeSpan)
    var precision: TimeSpan?

    @Option(help: ArgumentHelp("Use this slot identifier instead of the time (e.g. a CI pipeline id).",
                               valueName: "string"))
    var identifier: String?

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
      if precision != nil && identifier != nil {
        throw ValidationError("--precision and --identifier cannot be used together")
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
        slotRule: identifier.map(SlotRule.identifier) ?? .precision(precision ?? .seconds(60)),
        worker: worker,
        skipExitCode: skipExitCode,
        command: RawArguments.command(matching: childArguments)
      )
    }
  }
}
