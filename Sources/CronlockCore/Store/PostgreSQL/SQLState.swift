/// A PostgreSQL error code. An open set: only the codes cronlock acts on are named.
public struct SQLState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
  public let rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public init(_ rawValue: String) { self.rawValue = rawValue }
  public var description: String { rawValue }

  /// The two-character class, e.g. `08` for connection exceptions.
  public var errorClass: Substring { rawValue.prefix(2) }

  public static let uniqueViolation = SQLState("23505")
  public static let serializationFailure = SQLState("40001")
  public static let deadlockDetected = SQLState("40P01")
  public static let lockNotAvailable = SQLState("55P03")
  public static let queryCanceled = SQLState("57014")
  public static let readOnlySQLTransaction = SQLState("25006")
  public static let undefinedTable = SQLState("42P01")
  public static let undefinedColumn = SQLState("42703")
  public static let invalidColumnReference = SQLState("42P10")
  public static let insufficientPrivilege = SQLState("42501")
  public static let invalidPassword = SQLState("28P01")
  public static let invalidAuthorization = SQLState("28000")
  public static let tooManyConnections = SQLState("53300")
  public static let adminShutdown = SQLState("57P01")
  public static let crashShutdown = SQLState("57P02")
  public static let cannotConnectNow = SQLState("57P03")
}
