/// An operational failure: what kind it is and one human sentence. The exit status derives
/// from the kind, so callers decide by `code`, never by the message's English.
/// Its description never contains a password or a full connection string.
public struct CronlockError: Error, CustomStringConvertible, Equatable {
  /// What kind of failure this is; an open set, like postgres-nio's `PSQLError.Code`.
  public struct Code: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    /// Design §6's exit status for this kind.
    public let status: Int32

    private init(_ name: String, status: Int32) {
      self.name = name
      self.status = status
    }

    /// The command line was wrong (64).
    public static let usage = Code("usage", status: ExitStatus.usage)
    /// A job name or identifier is not acceptable (65).
    public static let invalidName = Code("invalidName", status: ExitStatus.invalidName)
    /// The database could not be used just now; may work next time (75).
    public static let unavailable = Code("unavailable", status: ExitStatus.databaseUnavailable)
    /// Will not work until someone changes something: table, privileges, URL, role (78).
    public static let configuration = Code("configuration", status: ExitStatus.configuration)
    /// A forwarded signal stopped cronlock before it learnt the outcome (75 unless the caller
    /// turns the signal into 128+N).
    public static let interrupted = Code("interrupted", status: ExitStatus.databaseUnavailable)
    /// cronlock itself failed (125).
    public static let internalFailure = Code("internalFailure", status: ExitStatus.internalFailure)

    public var description: String { name }
  }

  public let code: Code
  public let message: String

  public init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }

  /// The exit status for this failure.
  public var status: Int32 { code.status }

  public var description: String { message }

  public static func usage(_ message: String) -> CronlockError { CronlockError(.usage, message) }
  public static func invalidName(_ message: String) -> CronlockError { CronlockError(.invalidName, message) }
  public static func unavailable(_ message: String) -> CronlockError { CronlockError(.unavailable, message) }
  public static func configuration(_ message: String) -> CronlockError { CronlockError(.configuration, message) }
  public static func interrupted(_ message: String = "interrupted") -> CronlockError {
    CronlockError(.interrupted, message)
  }
  public static func internalFailure(_ message: String) -> CronlockError { CronlockError(.internalFailure, message) }
}
