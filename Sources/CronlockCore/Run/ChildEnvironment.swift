#if canImport(Glibc)
import Glibc
#endif

/// The environment the child starts with: cronlock's own, byte for byte, without the database
/// secrets, plus the run's identity.
public enum ChildEnvironment {
  /// Settings for cronlock's own connection; the child has no business with them.
  static let withheld = ["CRONLOCK_DATABASE_URL", "PGPASSWORD"]

  /// This process's environment as raw `NAME=value` C strings (values need not be UTF-8).
  public static func current() -> [[CChar]] {
    var entries: [[CChar]] = []
    var cursor = environ
    while let entry = cursor.pointee {
      entries.append(Array(UnsafeBufferPointer(start: entry, count: strlen(entry) + 1)))
      cursor += 1
    }
    return entries
  }

  public static func make(inherited: [[CChar]], job: String, identifier: String, runID: String, worker: String)
    -> [[CChar]]
  {
    let added = [
      ("CRONLOCK_JOB", job), ("CRONLOCK_IDENTIFIER", identifier),
      ("CRONLOCK_RUN_ID", runID), ("CRONLOCK_WORKER", worker),
    ]
    let replaced = Set((withheld + added.map(\.0)).map { Array($0.utf8).map { CChar(bitPattern: $0) } })
    let kept = inherited.filter { entry in !replaced.contains(Array(entry.prefix { $0 != 61 /* = */ && $0 != 0 })) }
    return kept + added.map { Array("\($0.0)=\($0.1)".utf8CString) }
  }
}
