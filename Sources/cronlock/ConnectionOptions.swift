import ArgumentParser
import CronlockCore

#if canImport(Glibc)
import Glibc
#endif

/// How to reach the lock table; shared by every subcommand.
struct ConnectionOptions: ParsableArguments {
  @Option(name: RunOptionTable.database.name, help: RunOptionTable.database.help)
  var database: String?

  @Option(name: RunOptionTable.table.name, help: RunOptionTable.table.help)
  var table: String?

  @Option(name: RunOptionTable.connectTimeout.name, parsing: .unconditional, help: RunOptionTable.connectTimeout.help,
          transform: OptionSpec.duration)
  var connectTimeout: TimeSpan = RunOptionTable.connectTimeoutDefault

  func validate() throws {
    if let problem = settings.problem { throw ValidationError(problem) }
  }

  var settings: ConnectionSettings {
    ConnectionSettings(database: database, table: table, connectTimeout: connectTimeout)
  }

  func openStore() throws(CronlockError) -> any LockStore {
    try settings.openStore()
  }
}

/// Where the lock table is, as plain values; flags first, then `CRONLOCK_*` variables, then
/// libpq's own defaults — never an SQLite file nobody named.
struct ConnectionSettings: Equatable {
  var database: String?
  var table: String?
  var connectTimeout: TimeSpan = RunOptionTable.connectTimeoutDefault

  /// Why these settings are unusable, if they are (a usage error).
  var problem: String? {
    RunOptionTable.connectTimeout.problem(connectTimeout)
  }

  var databaseURL: DatabaseURL? {
    (database ?? environment("CRONLOCK_DATABASE_URL")).map(DatabaseURL.init)
  }

  func tableName() throws(CronlockError) -> TableName {
    guard let text = table ?? environment("CRONLOCK_TABLE") else { return .standard }
    return try TableName(parsing: text)
  }

  func openStore() throws(CronlockError) -> any LockStore {
    try openLockStore(url: checkedURL(), table: tableName(), connectTimeout: connectTimeout)
  }

  /// The URL, unless libpq would misread it: anything but a `postgresql://` URI is read as
  /// key=value pairs, so a path (`$HOME/cronlock.db`, no `sqlite:`) met `missing "=" after …
  /// in connection info string`. Such a string never connects, so naming it costs nothing.
  func checkedURL() throws(CronlockError) -> DatabaseURL? {
    guard let url = databaseURL else { return nil }
    let raw = url.raw
    if raw.allSatisfy({ $0 == " " }) || url.isURI || raw.hasPrefix("sqlite:") || raw.contains("=") { return url }
    let source = database != nil ? "--database" : "CRONLOCK_DATABASE_URL"
    let looksLikePath = ["/", "./", "../", "~"].contains { raw.hasPrefix($0) }
      || [".db", ".sqlite", ".sqlite3"].contains { raw.hasSuffix($0) }
    if looksLikePath {
      // A path carries no password; anything with an '@' might, so it is not repeated.
      let example = raw.contains("@") ? "sqlite:PATH" : "sqlite:" + TerminalText.escaped(raw)
      throw .configuration("\(source) names a file, but only an sqlite: URL selects SQLite; write \(example)")
    }
    throw .configuration("\(source) is not a postgresql:// URI, a key=value string or sqlite:PATH")
  }
}

func environment(_ name: String) -> String? {
  getenv(name).map { String(cString: $0) }
}
