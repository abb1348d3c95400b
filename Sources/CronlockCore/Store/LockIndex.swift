/// The lock table's indexes and how they are named, the same on every backend.
public struct LockIndex: Sendable, Equatable {
  /// The part of the name after the table's, e.g. `status_updated_at_idx`.
  public let suffix: String
  /// Column names, each optionally followed by ` DESC`.
  public let columns: [String]
  public let unique: Bool

  /// The claim's key. Found by catalog, not by name, before `migrate` creates it.
  public static let uniqueKey = LockIndex(suffix: "job_name_job_identifier_key",
                                          columns: LockColumn.uniqueKey, unique: true)
  /// For `list` (the newest runs of a job) and `purge` (old rows by status).
  public static let secondary = [
    LockIndex(suffix: "job_name_created_at_idx", columns: ["job_name", "created_at DESC"], unique: false),
    LockIndex(suffix: "status_updated_at_idx", columns: ["status", "updated_at"], unique: false),
  ]

  /// Identifiers longer than this are cut by PostgreSQL; every derived name fits.
  public static let maximumNameBytes = 63

  /// The names `migrate` may give this index on `table`, in order of preference: the plain
  /// `table_suffix` (the seed's own name for the seed's table's unique index) when it fits,
  /// then one with a hash of the table's name, for a table whose name is too long or whose
  /// plain index name another table already owns.
  public func candidateNames(for table: TableName) -> [String] {
    var names: [String] = []
    if unique && table.name == TableName.standard.name { names.append("cronjoblock_job_name_job_identifier") }
    let plain = table.name + "_" + suffix
    if plain.utf8.count <= Self.maximumNameBytes { names.append(plain) }
    let hash = "_" + Self.fnv1a(table.description + "\u{1F}" + suffix) + "_" + suffix
    names.append(Self.prefix(of: table.name, bytes: Self.maximumNameBytes - hash.utf8.count) + hash)
    return names
  }

  /// Who holds a name in the table's schema (PostgreSQL) or file (SQLite).
  public enum NameOwner: Sendable, Equatable {
    case free
    /// An index on the lock table itself.
    case thisTable
    /// Another table, or another table's index, view or sequence.
    case other
  }

  /// The first candidate that is free or already this table's, or nil when others own them all.
  public func choose<Failure: Error>(for table: TableName, owner: (String) throws(Failure) -> NameOwner)
    throws(Failure) -> (name: String, exists: Bool)?
  {
    for name in candidateNames(for: table) {
      switch try owner(name) {
      case .free: return (name, false)
      case .thisTable: return (name, true)
      case .other: continue
      }
    }
    return nil
  }

  /// A 78 for when every candidate name is taken by something else.
  public func namesTaken(on table: TableName) -> CronlockError {
    .configuration(
      "cannot create the index on \(table)(\(columns.joined(separator: ", "))): the names "
        + candidateNames(for: table).map { "'\(LockName.escaped($0))'" }.joined(separator: " and ")
        + " belong to other tables; rename or drop one of those, or give --table another name")
  }

  /// The longest prefix of `text` of at most `bytes` UTF-8 bytes that ends on a character.
  static func prefix(of text: String, bytes: Int) -> String {
    var result = ""
    var used = 0
    for character in text {
      let size = character.utf8.count
      guard used + size <= bytes else { break }
      result.append(character)
      used += size
    }
    return result
  }

  /// 32-bit FNV-1a in 8 hex digits: stable across processes and versions, unlike `hashValue`.
  static func fnv1a(_ text: String) -> String {
    var hash: UInt32 = 0x811C_9DC5
    for byte in text.utf8 {
      hash ^= UInt32(byte)
      hash = hash &* 0x0100_0193
    }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 8 - hex.count) + hex
  }
}
