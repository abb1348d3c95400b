#if canImport(Glibc)
import Glibc
#endif

/// What standard output is: whether to colour, and how wide a line may be.
public struct TerminalOutput: Sendable, Equatable {
  public static let defaultWidth = 80

  public var colour: Bool
  public var width: Int
  /// A person reads it: untrusted text must not reach the terminal raw, in any format.
  public var isTerminal: Bool

  public init(colour: Bool, width: Int, isTerminal: Bool = false) {
    self.colour = colour
    self.width = width
    self.isTerminal = isTerminal
  }

  /// Colour only on a terminal, never with `NO_COLOR` set (even empty) or `TERM=dumb`. Width:
  /// `COLUMNS` if it is a positive number, else the terminal's, else 80.
  public init(isTerminal: Bool, terminalWidth: Int?, noColor: String?, term: String?, columns: String?) {
    self.isTerminal = isTerminal
    colour = isTerminal && noColor == nil && term != "dumb"
    if let columns = columns.flatMap({ Int($0) }), columns > 0 {
      width = columns
    } else if isTerminal, let terminalWidth, terminalWidth > 0 {
      width = terminalWidth
    } else {
      width = Self.defaultWidth
    }
  }

  /// For this process's standard output and environment.
  public static func standardOutput() -> TerminalOutput {
    let isTerminal = isatty(STDOUT_FILENO) == 1
    var size = winsize()
    let terminalWidth = isTerminal && ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 ? Int(size.ws_col) : nil
    func variable(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
    return TerminalOutput(isTerminal: isTerminal, terminalWidth: terminalWidth, noColor: variable("NO_COLOR"),
                          term: variable("TERM"), columns: variable("COLUMNS"))
  }
}
