/// The user's connection string (a `postgresql://` URI or `key=value` conninfo), kept whole
/// for libpq and never shown with its password.
public struct DatabaseURL: Sendable, Equatable {
  public let raw: String

  public init(_ raw: String) {
    self.raw = raw
  }

  public var isURI: Bool { raw.hasPrefix("postgresql://") || raw.hasPrefix("postgres://") }

  /// Every spelling of a password the string carries: as libpq parses it, and as written.
  var secrets: [String] {
    var found: [String] = []
    if let parsed = Connection.parsedValue(of: "password", in: raw), !parsed.isEmpty { found.append(parsed) }
    found += passwordSpans.map { String(raw[$0]) }.filter { !$0.isEmpty }
    // Longest first, so a secret that contains another is replaced whole.
    return Array(Set(found)).sorted { $0.count > $1.count }
  }

  /// Where the password is written in `raw`: the URI's `user:PASSWORD@` part, and the value
  /// of every `password=` parameter (URI query or conninfo), even if the string does not parse.
  var passwordSpans: [Range<String.Index>] {
    var spans: [Range<String.Index>] = []
    if isURI, let schemeEnd = raw.range(of: "://")?.upperBound {
      let authorityEnd = raw[schemeEnd...].firstIndex(where: { $0 == "/" || $0 == "?" }) ?? raw.endIndex
      if let at = raw[schemeEnd..<authorityEnd].lastIndex(of: "@"),
        let colon = raw[schemeEnd..<at].firstIndex(of: ":")
      {
        spans.append(raw.index(after: colon)..<at)
      }
    }
    var searchStart = raw.startIndex
    while let key = raw.range(of: "password", range: searchStart..<raw.endIndex) {
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
      } else {
        let stop: Set<Character> = isURI ? ["&", "#"] : [" "]
        while cursor < raw.endIndex, !stop.contains(raw[cursor]) { cursor = raw.index(after: cursor) }
      }
      spans.append(valueStart..<cursor)
      searchStart = cursor
    }
    return spans
  }

  /// The string with each password replaced by `***`, fit for messages.
  public var redacted: String {
    var text = raw
    for span in passwordSpans.reversed() where !span.isEmpty {
      text.replaceSubrange(span, with: "***")
    }
    return scrub(text)
  }

  /// `message` with every spelling of the password removed.
  public func scrub(_ message: String) -> String {
    var text = message
    for secret in secrets {
      text = text.replacingAll(secret, with: "***")
    }
    return text
  }
}

extension String {
  func replacingAll(_ target: String, with replacement: String) -> String {
    guard !target.isEmpty else { return self }
    var result = ""
    var rest = self[...]
    while let found = rest.range(of: target) {
      result += rest[..<found.lowerBound]
      result += replacement
      rest = rest[found.upperBound...]
    }
    return result + rest
  }
}

extension StringProtocol {
  /// A plain substring search (this module does not import Foundation).
  func range(of target: String, range: Range<Index>? = nil) -> Range<Index>? {
    let bounds = range ?? startIndex..<endIndex
    guard !target.isEmpty else { return nil }
    var start = bounds.lowerBound
    while start < bounds.upperBound {
      if self[start..<bounds.upperBound].starts(with: target) {
        return start..<index(start, offsetBy: target.count)
      }
      start = index(after: start)
    }
    return nil
  }
}
