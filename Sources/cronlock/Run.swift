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
        catches up such jobs. The command gets CRONLOCK_JOB, CRONLOCK_IDENTIFIER, \
        CRONLOCK_RUN_ID and CRONLOCK_WORKER in its environment, and never \
        CRONLOCK_DATABASE_URL or PGPASSWORD. TERM, INT, HUP, QUIT, USR1 and USR2 are forwarded \
        to the command's process group, also while cronlock is still connecting (then it stops at \
        once, with no row left). --connect-timeout bounds the whole claim, retries included.

        \(Cronlock.exitStatusHelp)
        """
    )

    // Names, help and defaults come from RunOptionTable, which FastRunParser reads too.
    @Option(name: RunOptionTable.job.name, help: RunOptionTable.job.help)
    var job: String

    @Option(name: RunOptionTable.precision.name, parsing: .unconditional,
            help: RunOptionTable.precision.help, transform: OptionSpec.duration)
    var precision: TimeSpan?

    @Option(name: RunOptionTable.schedule.name, help: RunOptionTable.schedule.help)
    var schedule: String?

    @Option(name: RunOptionTable.tz.name, help: RunOptionTable.tz.help)
    var tz: String?

    @Option(name: RunOptionTable.identifier.name, help: RunOptionTable.identifier.help)
    var identifier: String?

    @Option(name: RunOptionTable.maxLate.name, parsing: .unconditional,
            help: RunOptionTable.maxLate.help, transform: OptionSpec.duration)
    var maxLate: TimeSpan?

    @Option(name: RunOptionTable.splay.name, parsing: .unconditional,
            help: RunOptionTable.splay.help, transform: OptionSpec.duration)
    var splay: TimeSpan?

    @Option(name: RunOptionTable.identifierZone.name,
            help: RunOptionTable.identifierZone.help, completion: RunOptionTable.identifierZone.completion,
            transform: OptionSpec.choice)
    var identifierZone: IdentifierZone = RunOptionTable.identifierZoneDefault

    @Option(name: RunOptionTable.maxSkew.name, parsing: .unconditional,
            help: RunOptionTable.maxSkew.help, transform: OptionSpec.duration)
    var maxSkew: TimeSpan = RunOptionTable.maxSkewDefault

    @Option(name: RunOptionTable.timeout.name, parsing: .unconditional,
            help: RunOptionTable.timeout.help, transform: OptionSpec.duration)
    var timeout: TimeSpan?

    @Option(name: RunOptionTable.killAfter.name, parsing: .unconditional,
            help: RunOptionTable.killAfter.help, transform: OptionSpec.duration)
    var killAfter: TimeSpan?

    @Option(name: RunOptionTable.heartbeat.name, parsing: .unconditional,
            help: RunOptionTable.heartbeat.help, transform: OptionSpec.duration)
    var heartbeat: TimeSpan = RunOptionTable.heartbeatDefault

    @Flag(name: RunOptionTable.noOverlap.name, help: RunOptionTable.noOverlap.help)
    var noOverlap = false

    @Option(name: RunOptionTable.onDbError.name,
            help: RunOptionTable.onDbError.help, completion: RunOptionTable.onDbError.completion,
            transform: OptionSpec.choice)
    var onDbError: DatabaseErrorPolicy = RunOptionTable.onDbErrorDefault

    @Option(name: RunOptionTable.lockTimeout.name, parsing: .unconditional,
            help: RunOptionTable.lockTimeout.help, transform: OptionSpec.duration)
    var lockTimeout: TimeSpan = RunOptionTable.lockTimeoutDefault

    @Option(name: RunOptionTable.finishTimeout.name, parsing: .unconditional,
            help: RunOptionTable.finishTimeout.help, transform: OptionSpec.duration)
    var finishTimeout: TimeSpan = RunOptionTable.finishTimeoutDefault

    @Option(name: RunOptionTable.worker.name, help: RunOptionTable.worker.help)
    var worker: String?

    @Option(name: RunOptionTable.skipExitCode.name, parsing: .unconditional, help: RunOptionTable.skipExitCode.help,
            transform: OptionSpec.integer32)
    var skipExitCode: Int32 = ExitStatus.skippedDefault

    @Option(name: RunOptionTable.captureOutput.name, help: RunOptionTable.captureOutput.help,
            transform: OptionSpec.size)
    var captureOutput: Int?

    @Option(name: RunOptionTable.onStart.name, help: RunOptionTable.onStart.help)
    var onStart: String?

    @Option(name: RunOptionTable.onSuccess.name, help: RunOptionTable.onSuccess.help)
    var onSuccess: String?

    @Option(name: RunOptionTable.onFailure.name, help: RunOptionTable.onFailure.help)
    var onFailure: String?

    @Option(name: RunOptionTable.hookTimeout.name, parsing: .unconditional,
            help: RunOptionTable.hookTimeout.help, transform: OptionSpec.duration)
    var hookTimeout: TimeSpan = RunOptionTable.hookTimeoutDefault

    @Flag(name: RunOptionTable.verbose.name, help: RunOptionTable.verbose.help)
    var verbose = false

    @Option(name: RunOptionTable.logFormat.name,
            help: RunOptionTable.logFormat.help, completion: RunOptionTable.logFormat.completion,
            transform: OptionSpec.choice)
    var logFormat: LogFormat?

    @OptionGroup(title: "Connection Options")
    var connection: ConnectionOptions

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("The command to run and its arguments."))
    var command: [String] = []

    /// The same options as plain values, as `FastRunParser` also produces them.
    var arguments: RunArguments {
      RunArguments(
        job: job, precision: precision, schedule: schedule, tz: tz, identifier: identifier, maxLate: maxLate,
        splay: splay, identifierZone: identifierZone, maxSkew: maxSkew, timeout: timeout, killAfter: killAfter,
        heartbeat: heartbeat, noOverlap: noOverlap, onDbError: onDbError, lockTimeout: lockTimeout,
        finishTimeout: finishTimeout, worker: worker, skipExitCode: skipExitCode,
        captureOutput: captureOutput, verbose: verbose, logFormat: logFormat,
        hooks: Hooks(onStart: onStart, onSuccess: onSuccess, onFailure: onFailure, timeout: hookTimeout),
        connection: connection.settings,
        command: command.first == "--" ? Array(command.dropFirst()) : command)
    }

    func validate() throws {
      if let first = command.first, first != "--", first.hasPrefix("-") {
        throw ValidationError("unknown option '\(first)'")
      }
      if let problem = arguments.problem { throw ValidationError(problem) }
    }
  }

  enum IdentifierZone: String, ExpressibleByArgument, CaseIterable {
    case utc, local
  }
}

extension DatabaseErrorPolicy: ExpressibleByArgument {}
