/// A failure reported by libpq or the server. Its `message` is libpq's text folded to one line
/// and already scrubbed of the connection string's password: it can only be built with the
/// `Secrets` to scrub, so no caller has to remember.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
  public enum Kind: Sendable, Equatable {
    /// The connection could not be made; nothing was sent.
    case connectionFailed
    /// The connection broke while a statement was in flight: it may or may not have run.
    case connectionLost
    /// The server answered the statement with an error.
    case server
    /// The deadline came before the answer: the statement may or may not have run.
    case timedOut
    /// The statement committed, but the server warned the commit may not be durable (a wait
    /// for a synchronous standby was cancelled): it may be lost at a failover.
    case unconfirmed
  }

  public let kind: Kind
  public let sqlState: SQLState?
  public let message: String
  /// For `connectionFailed`: libpq saw the server ask for a password, or reject one.
  public let authenticationFailed: Bool

  init(kind: Kind, sqlState: SQLState? = nil, message: String, scrubbing secrets: Secrets,
       authenticationFailed: Bool = false) {
    self.kind = kind
    self.sqlState = sqlState
    // Scrubbed before and after folding: a password may hold the newlines that folding removes.
    self.message = secrets.scrub(PostgresError.oneLine(secrets.scrub(message)))
    self.authenticationFailed = authenticationFailed
  }

  public var description: String { message }

  /// libpq messages end in newlines and sometimes carry a tab-indented hint line.
  static func oneLine(_ text: String) -> String {
    text.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\t" })
      .map { $0.trimmingSpaces() }
      .filter { !$0.isEmpty }
      .joined(separator: "; ")
  }
}

extension Substring {
  func trimmingSpaces() -> Substring {
    var text = self
    while text.first == " " { text = text.dropFirst() }
    while text.last == " " { text = text.dropLast() }
    return text
  }
}
