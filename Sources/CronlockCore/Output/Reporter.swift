#if canImport(Glibc)
import Glibc
#endif

/// cronlock's own messages: one line each on stderr, prefixed `cronlock:`. Errors always,
/// everything else only with `--verbose` (cron mails any output).
public struct Reporter: Sendable {
  public let verbose: Bool

  public init(verbose: Bool) {
    self.verbose = verbose
  }

  public func error(_ message: String) {
    Self.write(message)
  }

  public func info(_ message: @autoclosure () -> String) {
    if verbose { Self.write(message()) }
  }

  static func write(_ message: String) {
    // One write(2) per line: lines from many processes sharing a log do not interleave.
    let line = Array("cronlock: \(message)\n".utf8)
    _ = line.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
  }
}
