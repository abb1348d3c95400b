#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// cronlock's exit statuses (design §6), in one place.
public enum ExitStatus {
  /// Another worker owns the slot; the default of `--skip-exit-code`.
  public static let skippedDefault: Int32 = 0
  /// `status`: a slot of the window needs attention.
  public static let attention: Int32 = 1
  /// `show`: the table has no run with that id.
  public static let noSuchRun: Int32 = 1
  public static let usage: Int32 = 64
  public static let invalidName: Int32 = 65
  public static let databaseUnavailable: Int32 = 75
  public static let configuration: Int32 = 78
  public static let timedOut: Int32 = 124
  public static let internalFailure: Int32 = 125
  public static let notExecutable: Int32 = 126
  public static let notFound: Int32 = 127

  /// The table printed by `--help` and the man page.
  public static let summary: [(status: String, meaning: String)] = [
    ("child's", "the command ran; its exit status, or 128+N if signal N killed it"),
    ("0", "another worker owns this slot; the command did not run (--skip-exit-code)"),
    ("1", "status: a slot needs attention (missed, failed, abandoned, stale); show: no run with that id"),
    ("64", "usage error"),
    ("65", "invalid job name or identifier"),
    ("75", "database unreachable, failing or not answering in time; the command did not run (may work next time)"),
    ("78", "configuration: table or index missing (run 'cronlock migrate'), bad URL, authentication, privileges, "
      + "a read-only session; the command did not run (needs a human)"),
    ("124", "--timeout expired and the command was stopped"),
    ("125", "cronlock itself failed"),
    ("126", "the command is not executable"),
    ("127", "the command was not found"),
  ]

  /// What a shell reports for a child that ended with the raw `waitpid` status.
  public static func forChild(_ outcome: ChildOutcome) -> Int32 {
    switch outcome {
    case .exited(let code): code
    case .signaled(let signal): 128 + signal
    }
  }

  /// The status for a command that could not be started, from `exec`'s errno.
  public static func forSpawnFailure(errno: Int32) -> Int32 {
    errno == ENOENT ? notFound : notExecutable
  }
}

/// How a child process ended.
public enum ChildOutcome: Sendable, Equatable {
  case exited(Int32)
  case signaled(Int32)

  /// Decodes a `waitpid` status word.
  public init(waitStatus status: Int32) {
    let signal = status & 0x7f
    self = signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
  }
}
