import ArgumentParser
import CronlockCore

extension Cronlock {
  struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Run COMMAND if this host wins the job's current slot (the default subcommand).",
      usage: "cronlock [run] --job <name> [options] [--] <command> [<argument> ...]",
      discussion: """
        The slot is the current UTC time truncated to --precision (aligned like Go's \\
        time.Truncate), written 'yyyy-MM-dd HH:mm:ss.SSS'; or the most recent fire time of \\
        --schedule, in UTC; or --identifier verbatim. With --schedule, a wall time that occurs \\
        twice when clocks fall back is two slots, and one skipped when clocks spring forward \\
        fires at the instant of the jump (02:30 in Europe/Berlin fires at 03:00 CEST), as cron \\
        catches up such jobs. The command gets CRONLOCK_JOB, CRONLOCK_IDENTIFIER, \\
        CRONLOCK_RUN_ID and CRONLOCK_WORKER in its environment, and never \\
        CRONLOCK_DATABASE_URL or PGPASSWORD. TERM, INT, HUP, QUIT, USR1 and USR2 are forwarded \
        to the command's process group, also while cronlock is still connecting (then it stops at \
        once, with no row left). --connect-timeout bounds the whole claim, retries included.

        \\(Cronlock.exitStatusHelp)
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

    @Option(help: ArgumentHelp("Warn when this host's clock and the database's differ by more (default: 2s).", valueName: "duration"),
            transform: parseTimeSpan)
    var maxSkew: TimeSpan = .seconds(2)

    @Option(help: ArgumentHelp("Send SIGTERM to the command's process group after this long; exit 124.",
                               valueName: "duration"),
            transform: parseTimeSpan)
    var timeout: TimeSpan?

    @Option(help: ArgumentHelp("After --timeout's SIGTERM, wait this long, then SIGKILL (default: 10s).",
                               valueName: "duration"),
            transform: parseTimeSpan)
    var killAfter: TimeSpan?

    @Option(help: ArgumentHelp("Refresh the row this often while the command runs (default: 30s).",
                               valueName: "duration"),
            transform: parseTimeSpan)
    var heartbeat: TimeSpan = .seconds(30)

    @Flag(help: "Do not start while another run of this job is still running (fresh heartbeat).")
    var noOverlap = false

    @Option(help: ArgumentHelp("When the lock state cannot be learnt: fail (exit 75), run the command anyway, or skip.",
                               valueName: "policy"))
    var onDbError: DatabaseErrorPolicy = .fail

    @Option(help: ArgumentHelp("Wait this long for another session's uncommitted claim of the slot, or an SQLite file's write lock (default: 5s).",
                               valueName: "duration"),
            transform: parseTimeSpan)
    var lockTimeout: TimeSpan = .seconds(5)

    @Option(help: ArgumentHelp("Keep trying to record the outcome this long (default: 60s).", valueName: "duration"),
            transform: parseTimeSpan)
    var finishTimeout: TimeSpan = .seconds(60)

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

    /// The same options as plain values, as `FastRunParser` also produces them.
    var arguments: RunArguments {
      RunArguments(
        job: job, precision: precision, schedule: schedule, tz: tz, identifier: identifier, maxLate: maxLate,
        identifierZone: identifierZone, maxSkew: maxSkew, timeout: timeout, killAfter: killAfter,
        heartbeat: heartbeat, noOverlap: noOverlap, onDbError: onDbError, lockTimeout: lockTimeout,
        finishTimeout: finishTimeout, worker: worker, skipExitCode: skipExitCode,
        verbose: verbose, connection: connection.settings,
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
