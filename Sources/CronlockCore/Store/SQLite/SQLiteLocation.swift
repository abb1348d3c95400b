import CSQLite

/// The file an `sqlite:` database URL names: `sqlite:PATH` (taken literally, relative to the
/// working directory) or `sqlite:///absolute/path` (percent-decoded).
public struct SQLiteLocation: Sendable, Equatable, CustomStringConvertible {
  public let path: String

  public init(path: String) {
    self.path = path
  }

  /// Nil when `url` is not an `sqlite:` URL; a configuration error (78) when it is one that
  /// names no usable file.
  public init?(url: String) throws(CronlockError) {
    guard url.utf8.count >= 7, url.prefix(7).lowercased() == "sqlite:" else { return nil }
    let rest = url.dropFirst(7)
    var path = String(rest)
    if rest.hasPrefix("//") {
      let authorityAndPath = rest.dropFirst(2)
      let slash = authorityAndPath.firstIndex(of: "/") ?? authorityAndPath.endIndex
      let host = authorityAndPath[..<slash]
      guard host.isEmpty || host == "localhost" else {
        throw .configuration(
          "database URL 'sqlite://\(TerminalText.escaped(String(host)))…' names a host; an SQLite file is local: "
            + "write sqlite:///absolute/path or sqlite:relative/path")
      }
      let encoded = authorityAndPath[slash...]
      guard !encoded.contains("?"), !encoded.contains("#") else {
        throw .configuration("database URL '\(TerminalText.escaped(url))' has a query or fragment; sqlite: URLs take none")
      }
      guard let decoded = Self.percentDecoded(encoded) else {
        throw .configuration("database URL '\(TerminalText.escaped(url))' has a bad %-escape")
      }
      path = decoded
    }
    guard !path.isEmpty, path != "/" else {
      throw .configuration("database URL '\(TerminalText.escaped(url))' names no file; write sqlite:PATH")
    }
    guard path != ":memory:", !path.contains("\0") else {
      throw .configuration("database URL '\(TerminalText.escaped(url))' names no file on disk; runs on a host share a file")
    }
    self.path = path
  }

  /// The path for messages: control characters escaped, so a message stays one line.
  public var description: String { TerminalText.escaped(path) }

  /// The directory the file is (or will be) in; SQLite keeps its -wal and -shm files there too.
  public var directory: String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }

  /// The kind of network file system the file's directory is on, if it is on one: SQLite's
  /// locks and WAL's shared memory do not work across hosts there.
  public var networkFileSystem: String? {
    let magic = cronlock_filesystem_magic(directory)
    return magic < 0 ? nil : Self.networkFileSystemName(magic: Int64(magic))
  }

  /// Names the network file systems by their statfs(2) magic numbers.
  static func networkFileSystemName(magic: Int64) -> String? {
    switch UInt32(truncatingIfNeeded: magic) {
    case 0x6969: "nfs"
    case 0x517B: "smb"
    case 0xFF53_4D42: "cifs"
    case 0xFE53_4D42: "smb2"
    case 0x00C3_6400: "ceph"
    case 0x0102_1997: "9p"
    case 0x5346_414F: "afs"
    case 0x7375_7245: "coda"
    case 0x0116_1970: "gfs2"
    case 0x7461_636F: "ocfs2"
    case 0x0BD0_0BD0: "lustre"
    case 0x4750_4653: "gpfs"
    default: nil
    }
  }

  private static func percentDecoded(_ text: Substring) -> String? {
    var bytes: [UInt8] = []
    var index = text.utf8.startIndex
    let utf8 = text.utf8
    while index < utf8.endIndex {
      let byte = utf8[index]
      if byte == UInt8(ascii: "%") {
        let high = utf8.index(after: index)
        guard high < utf8.endIndex, utf8.index(after: high) < utf8.endIndex,
          let value = UInt8(String(decoding: [utf8[high], utf8[utf8.index(after: high)]], as: UTF8.self), radix: 16)
        else { return nil }
        bytes.append(value)
        index = utf8.index(high, offsetBy: 2)
      } else {
        bytes.append(byte)
        index = utf8.index(after: index)
      }
    }
    return String(validating: bytes, as: UTF8.self)
  }
}
