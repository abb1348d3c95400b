import ArgumentParser
import CronlockCore

#if canImport(Glibc)
import Glibc
#endif

@main
enum Main {
  static func main() {
    // Read once, before any I/O: a slow connect must not move the run into the next slot.
    let startedAt = Timestamp.now()
    StandardDescriptors.hold()
    let arguments = Array(CommandLine.arguments.dropFirst())
    // What ArgumentParser would print, without the reflection its parse costs at start-up.
    if arguments == ["--version"] {
      print(Version.description)
      end(0)
    }
    if let fast = FastRunParser.parse(arguments) {
      end(fast.execute(startedAt: startedAt))
    }
    if let mistake = CommandLineGuide.mistake(in: arguments) {
      Reporter(verbose: false, format: LogSettings.known(in: arguments)).error(mistake, event: .failure(.usage))
      exit(ExitStatus.usage)
    }
    let command: any ParsableCommand
    do {
      command = try Cronlock.parseAsRoot()
    } catch {
      fail(error, subcommand: CommandLineGuide.subcommand(of: arguments))
    }
    if let run = command as? Cronlock.Run {
      end(run.arguments.execute(startedAt: startedAt))
    }
    do {
      var command = command
      try command.run()
    } catch {
      fail(error, subcommand: CommandLineGuide.subcommand(of: arguments))
    }
  }

  /// Ends a run. A heartbeat or a given-up database call may still be running on another
  /// thread: `_exit` skips the exit handlers (libpq's TLS library has some) that could race it.
  static func end(_ status: Int32) -> Never {
    fflush(nil)
    _exit(status)
  }

  /// One line on stderr and the documented status; help and --version still print normally.
  static func fail(_ error: any Error, subcommand: String) -> Never {
    let reporter = Reporter(verbose: false, format: LogSettings.known(in: Array(CommandLine.arguments.dropFirst())))
    if let error = error as? CronlockError {
      reporter.error(error.message, event: .failure(error.code))
      exit(error.status)
    }
    let code = Cronlock.exitCode(for: error)
    if code == .success || error is ExitCode {
      Cronlock.exit(withError: error)
    }
    let message = Cronlock.message(for: error)
      .split(whereSeparator: \.isNewline).joined(separator: "; ")
    reporter.error(message + " (see 'cronlock \(subcommand) --help')", event: .failure(.usage))
    exit(ExitStatus.usage)
  }
}
