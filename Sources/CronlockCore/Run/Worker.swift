#if canImport(Glibc)
import Glibc
#endif

/// Who claims: `--worker`, else `CRONLOCK_WORKER`, else the host name.
public enum Worker {
  public static func defaultName() -> String {
    if let fromEnvironment = getenv("CRONLOCK_WORKER") { return String(cString: fromEnvironment) }
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}
