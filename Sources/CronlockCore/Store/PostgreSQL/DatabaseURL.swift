/// The user's connection string (a `postgresql://` URI or `key=value` conninfo), kept whole
/// for libpq and never shown with its password.
public struct DatabaseURL: Sendable, Equatable {
  public let raw: String

  public init(_ raw: String) {
    self.raw = raw
  }

  public var isURI: Bool { raw.hasPrefix("postgresql://") || raw.hasPrefix("postgres://") }

  /// What scrubs this string's password out of any text.
  public var secrets: Secrets {
    var found: [String] = []
    if let parsed = Connection.parsedValue(of: "password", in: raw), !parsed.isEmpty { found.append(parsed) }
    for span in passwordSpans {
      let written = String(raw[span])
      found.append(written)
      // libpq echoes pieces of a string it cannot parse ("missing = after …", "invalid
      // integer value … for port"): each piece of the password goes too.
      found += written.split(whereSeparator: { " \t/@?#:&='\\".contains($0) }).map(String.init)
        .filter { $0.count >= Secrets.shortestPiece }
    }
    return Secrets(found)
  }

  /// Where the password is written in `raw`: the URI's `user:PASSWORD@` part up to the last
  /// `@` (a password may hold an unencoded `@` or `/`), and the value of every `password=`
  /// parameter (URI query or conninfo) — for conninfo up to the next `key=`, so an unquoted
  /// space does not cut it — even if the string does not parse.
  var passwordSpans: [Range<String.Index>] {
    var spans: [Range<String.Index>] = []
    if let userInfo, let colon = raw[userInfo].firstIndex(of: ":") {
      spans.append(raw.index(after: colon)..<userInfo.upperBound)
    }
    var searchStart = raw.startIndex
    while let key = raw[searchStart...].firstRange(of: "password") {
      searchStart = key.upperBound
      var cursor = key.upperBound
      while cursor < raw.endIndex, raw[cursor] == " " { cursor = raw.index(after: cursor) }
      guard cursor < raw.endIndex, raw[cursor] == "=" else { continue }
      cursor = raw.index(after: cursor)
      while cursor < raw.endIndex, raw[cursor] == " " { cursor = raw.index(after: cursor) }
      let valueStart = cursor
      if cursor < raw.endIndex, raw[cursor] == "'" {
        cursor = raw.index(after: cursor)
        while cursor < raw.endIndex, raw[cursor] != "'" {
          if raw[cursor] == "\\" { cursor = raw.index(after: cursor) }
          if cursor < raw.endIndex { cursor = raw.index(after: cursor) }
        }
        if cursor < raw.endIndex { cursor = raw.index(after: cursor) }
      } else if isURI {
        while cursor < raw.endIndex, raw[cursor] != "&", raw[cursor] != "#" { cursor = raw.index(after: cursor) }
      } else {
        while cursor < raw.endIndex, !startsNextKeyword(at: cursor) { cursor = raw.index(after: cursor) }
      }
      spans.append(valueStart..<cursor)
      searchStart = cursor
    }
    return spans.filter { !$0.isEmpty }
  }

  /// A URI's `user:password` part: up to the last `@` before the first `/`, `?` or `#`; or,
  /// when there is none, up to a later `@` with no `=` before it (a password with an unencoded
  /// `/` or `?`), never into the query's parameters.
  var userInfo: Range<String.Index>? {
    guard isURI, let schemeEnd = raw.firstRange(of: "://")?.upperBound else { return nil }
    let firstStop = raw[schemeEnd...].firstIndex(where: { "/?#".contains($0) }) ?? raw.endIndex
    if let at = raw[schemeEnd..<firstStop].lastIndex(of: "@") { return schemeEnd..<at }
    var end: String.Index?
    for index in raw[firstStop...].indices {
      if raw[index] == "=" { break }
      if raw[index] == "@" { end = index }
    }
    return end.map { schemeEnd..<$0 }
  }

  /// A space followed by `word=` (or `word =`) starts the next conninfo keyword.
  private func startsNextKeyword(at index: String.Index) -> Bool {
    guard raw[index] == " " else { return false }
    let rest = raw[index...].drop(while: { $0 == " " })
    let word = rest.prefix(while: { $0.isLetter || $0 == "_" })
    return !word.isEmpty && rest.dropFirst(word.count).drop(while: { $0 == " " }).first == "="
  }

  /// A URI whose user or password holds an unencoded `/`, `?`, `#` or `@`: libpq would split
  /// it somewhere inside the password (and say so, quoting a piece of it). 78 before connecting.
  public var unencodedUserInfo: String? {
    guard let userInfo, let bad = raw[userInfo].first(where: { "/?#@".contains($0) }) else { return nil }
    let code = "%" + String(bad.asciiValue ?? 0, radix: 16, uppercase: true)
    return "the user name or password in the database URL contains an unencoded '\(bad)'; "
      + "percent-encode it (\(code)), or put the password in ~/.pgpass or PGPASSWORD"
  }

  /// The string with each password replaced by `***`, fit for messages.
  public var redacted: String {
    var text = raw
    for span in passwordSpans.reversed() {
      text.replaceSubrange(span, with: "***")
    }
    return secrets.scrub(text)
  }

  /// `message` with every spelling of the password removed.
  public func scrub(_ message: String) -> String {
    secrets.scrub(message)
  }
}

/// The spellings of a connection string's password. Text reaches a `PostgresError` only through
/// `scrub`, so no error built by the libpq wrapper can carry the password.
public struct Secrets: Sendable, Equatable {
  /// Pieces shorter than this are not scrubbed on their own: they would blank common words.
  static let shortestPiece = 2

  /// Longest first, so a secret that contains another is replaced whole.
  let spellings: [String]

  init(_ spellings: [String]) {
    self.spellings = Array(Set(spellings.filter { !$0.isEmpty })).sorted { $0.count > $1.count }
  }

  /// No connection string: libpq's defaults, whose password (a .pgpass file) libpq never echoes.
  public static let none = Secrets([])

  public func scrub(_ text: String) -> String {
    spellings.reduce(text) { $0.replacing($1, with: "***") }
  }
}
