import ArgumentParser
import CronlockCore

/// `--log-format`, for the subcommands other than `run` (which declares its own, read by
/// `FastRunParser` too).
struct LogOptions: ParsableArguments {
  @Option(name: RunOptionTable.logFormat.name, help: RunOptionTable.logFormat.help,
          completion: RunOptionTable.logFormat.completion, transform: OptionSpec.choice)
  var logFormat: LogFormat?

  func validate() throws {
    if let problem = LogSettings.problem(flag: logFormat) { throw ValidationError(problem) }
  }

  var format: LogFormat { LogSettings.format(flag: logFormat) }
}

/// Which shape cronlock's stderr lines take: `--log-format`, else `CRONLOCK_LOG_FORMAT`, else
/// text. An empty variable counts as unset.
enum LogSettings {
  static let variableName = "CRONLOCK_LOG_FORMAT"

  /// The variable's value; nil when unset or empty.
  static var fromEnvironment: String? { environment(variableName).flatMap { $0.isEmpty ? nil : $0 } }

  /// Why the variable is unusable when the flag does not override it (a usage error).
  static func problem(flag: LogFormat?, variable: String? = fromEnvironment) -> String? {
    guard flag == nil, let text = variable, LogFormat(rawValue: text) == nil else { return nil }
    return "\(variableName) '\(TerminalText.escaped(text))' is not one of "
      + LogFormat.allCases.map(\.rawValue).joined(separator: ", ")
  }

  static func format(flag: LogFormat?, variable: String? = fromEnvironment) -> LogFormat {
    flag ?? variable.flatMap(LogFormat.init(rawValue:)) ?? .text
  }

  /// The format for a message about arguments that did not parse: the last `--log-format`
  /// before `--` if it has a valid value, else the variable's; text when neither is usable.
  static func known(in arguments: [String], variable: String? = fromEnvironment) -> LogFormat {
    var flag: String?
    var index = 0
    while index < arguments.count, arguments[index] != "--" {
      let argument = arguments[index]
      if argument == RunOptionTable.logFormat.flag {
        flag = index + 1 < arguments.count ? arguments[index + 1] : ""
        index += 1
      } else if argument.hasPrefix(RunOptionTable.logFormat.flag + "=") {
        flag = String(argument.dropFirst(RunOptionTable.logFormat.flag.count + 1))
      }
      index += 1
    }
    if let flag { return LogFormat(rawValue: flag) ?? .text }
    return format(flag: nil, variable: variable)
  }
}
