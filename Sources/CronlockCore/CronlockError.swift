/// An operational failure: one human sentence and the exit status it maps to.
/// Its description never contains a password or a full connection string.
public struct CronlockError: Error, CustomStringConvertible, Equatable {
  public let status: Int32
  public let message: String

  public init(status: Int32, _ message: String) {
    self.status = status
    self.message = message
  }

  public var description: String { message }

  public static func usage(_ message: String) -> CronlockError {
    CronlockError(status: ExitStatus.usage, message)
  }
  public static func invalidName(_ message: String) -> CronlockError {
    CronlockError(status: ExitStatus.invalidName, message)
  }
  public static func unavailable(_ message: String) -> CronlockError {
    CronlockError(status: ExitStatus.databaseUnavailable, message)
  }
  public static func configuration(_ message: String) -> CronlockError {
    CronlockError(status: ExitStatus.configuration, message)
  }
  public static func internalFailure(_ message: String) -> CronlockError {
    CronlockError(status: ExitStatus.internalFailure, message)
  }
}
