#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension TimeZoneRules {
  static let systemDirectory = "/usr/share/zoneinfo"

  /// The zone with this IANA name (`Europe/Berlin`), from `$TZDIR` or /usr/share/zoneinfo;
  /// a usage error (exit 64) for unknown or malformed names.
  public static func named(_ name: String) throws(CronlockError) -> TimeZoneRules {
    try named(name, directories: zoneDirectories(tzdir: environment("TZDIR")))
  }

  /// The host's zone, found like glibc does: `TZ` unset → /etc/localtime; `TZ` empty → UTC;
  /// `TZ=[:]Area/City` or `TZ=:/path` → that TZif file; else `TZ` as a POSIX rule; else UTC.
  public static func local() -> TimeZoneRules {
    local(tzVariable: environment("TZ"), directories: zoneDirectories(tzdir: environment("TZDIR")))
  }

  static func named(_ name: String, directories: [String]) throws(CronlockError) -> TimeZoneRules {
    guard !name.isEmpty else { throw .usage("time zone name is empty") }
    guard isPlausibleName(name) else {
      throw .usage("time zone '\(LockName.escaped(name))' is not an IANA name such as Europe/Berlin")
    }
    for directory in directories {
      if let rules = load(path: directory + "/" + name, name: name) { return rules }
    }
    if name == "UTC" { return .utc }
    if !directories.contains(where: isDirectory) {
      throw .usage("unknown time zone '\(name)': no time zone database in \(directories.joined(separator: " or ")) (install tzdata)")
    }
    throw .usage("unknown time zone '\(name)' (expected an IANA name such as Europe/Berlin)")
  }

  static func local(tzVariable: String?, directories: [String]) -> TimeZoneRules {
    guard var value = tzVariable else {
      return load(path: "/etc/localtime", name: localtimeName()) ?? .utc
    }
    if value.hasPrefix(":") { value.removeFirst() }
    if value.isEmpty { return .utc }
    if value.hasPrefix("/") {
      if let rules = load(path: value, name: value) { return rules }
    } else if isPlausibleName(value) {
      for directory in directories {
        if let rules = load(path: directory + "/" + value, name: value) { return rules }
      }
    }
    if let rule = PosixTimeZoneRule(parsing: value) { return TimeZoneRules(name: value, rule: rule) }
    return .utc
  }

  static func zoneDirectories(tzdir: String?) -> [String] {
    guard let tzdir, !tzdir.isEmpty, tzdir != systemDirectory else { return [systemDirectory] }
    return [tzdir, systemDirectory]
  }

  /// Relative, without `..` or control characters: a name cannot escape the zone directory.
  private static func isPlausibleName(_ name: String) -> Bool {
    !name.isEmpty && !name.hasPrefix("/") && !name.contains("..")
      && !name.unicodeScalars.contains(where: LockName.isControl)
  }

  private static func load(path: String, name: String) -> TimeZoneRules? {
    guard let bytes = readRegularFile(path), let file = TZifFile(bytes: bytes) else { return nil }
    return TimeZoneRules(name: name, file: file)
  }

  /// `Area/City` when /etc/localtime links into a zoneinfo directory, else `localtime`.
  private static func localtimeName() -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let length = readlink("/etc/localtime", &buffer, buffer.count - 1)
    guard length > 0 else { return "localtime" }
    let target = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    guard let range = target.firstRange(of: "zoneinfo/") else { return "localtime" }
    return String(target[range.upperBound...])
  }

  private static func environment(_ variable: String) -> String? {
    getenv(variable).map { String(cString: $0) }
  }

  private static func isDirectory(_ path: String) -> Bool {
    var status = stat()
    return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR
  }

  /// The contents of a regular file of at most 1 MiB, or nil.
  private static func readRegularFile(_ path: String) -> [UInt8]? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 16_384)
    while bytes.count <= 1 << 20 {
      let count = read(descriptor, &buffer, buffer.count)
      if count < 0 && errno == EINTR { continue }
      guard count >= 0 else { return nil }
      if count == 0 { return bytes }
      bytes += buffer[0..<count]
    }
    return nil
  }
}

extension TimeZoneRules {
  /// The zone a stored slot rule names (`TimeZoneRules.name` as another host wrote it): an IANA
  /// name, `UTC`, a TZif path or a POSIX TZ rule; nil when this host cannot tell what it was
  /// (`localtime`, or a zone its time zone database lacks).
  public static func stored(_ name: String) -> TimeZoneRules? {
    if name == "UTC" { return .utc }
    if name == "localtime" || name.isEmpty { return nil }
    let directories = zoneDirectories(tzdir: environment("TZDIR"))
    if let rules = try? named(name, directories: directories) { return rules }
    if name.hasPrefix("/") || name.hasPrefix(":") {
      let rules = local(tzVariable: name, directories: directories)
      return rules.name == "UTC" ? nil : rules
    }
    return PosixTimeZoneRule(parsing: name).map { TimeZoneRules(name: name, rule: $0) }
  }
}
