/// Checks, before any I/O, the connection options whose values libpq only rejects once it
/// tries to connect — too late to tell "wrong" (78) from "down" (75), and in a message that
/// quotes the value, which may be part of a password (an unencoded `/` in a URI's password
/// moves the rest into the port).
enum ConnectionString {
  /// Options that must be integers (the port may list one per host).
  static let integerOptions: Set<String> = [
    "port", "connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count",
    "tcp_user_timeout",
  ]

  /// Options with a fixed set of values.
  static let enumeratedOptions: [String: Set<String>] = [
    "sslmode": ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"],
    "target_session_attrs": ["any", "read-write", "read-only", "primary", "standby", "prefer-standby"],
    "gssencmode": ["disable", "prefer", "require"],
    "channel_binding": ["disable", "prefer", "require"],
    "load_balance_hosts": ["disable", "random"],
  ]

  /// What is wrong with `url`'s options, naming the option but never its value; nil when
  /// nothing is (or libpq cannot parse it at all: `Connection.validate` says that).
  static func problem(in url: String) -> String? {
    guard let options = Connection.parsedOptions(of: url) else { return nil }
    for (keyword, value) in options {
      if integerOptions.contains(keyword) {
        let parts = keyword == "port" ? value.split(separator: ",", omittingEmptySubsequences: false) : [Substring(value)]
        for part in parts where !(part.isEmpty && keyword == "port") {
          guard let number = Int(part.trimmingSpaces()), (0...Int(Int32.max)).contains(number) else {
            return "option '\(keyword)' must be a whole number"
              + (keyword == "port" ? " (a '/', '@' or ':' in a password must be percent-encoded in a URI)" : "")
          }
        }
        if keyword == "port", parts.contains(where: { Int($0.trimmingSpaces()).map { $0 > 65535 } ?? false }) {
          return "option 'port' must be at most 65535"
        }
      } else if let allowed = enumeratedOptions[keyword], !allowed.contains(value) {
        return "option '\(keyword)' must be one of \(allowed.sorted().joined(separator: ", "))"
      }
    }
    return nil
  }
}
