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

  @Option(name: RunOptionTable.connectTimeout.name, help: RunOptionTable.connectTimeout.help,
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
    try openLockStore(url: databaseURL, table: tableName(), connectTimeout: connectTimeout)
  }
}

func environment(_ name: String) -> String? {
  getenv(name).map { String(cString: $0) }
}
