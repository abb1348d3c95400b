import ArgumentParser
import CronlockCore

#if canImport(Glibc)
import Glibc
#endif

/// How to reach the lock table; shared by every subcommand.
struct ConnectionOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "PostgreSQL URI or key=value string, or sqlite:PATH for one host. Default: $CRONLOCK_DATABASE_URL, else libpq's own (PGHOST, PGSERVICE, ~/.pgpass, ...).",
      valueName: "url"))
  var database: String?

  @Option(
    help: ArgumentHelp("Lock table, table or schema.table. Default: $CRONLOCK_TABLE, else cron_job_locks.",
                       valueName: "name"))
  var table: String?

  @Option(help: ArgumentHelp("Give up reaching the database after this long, retries included (default: 10s).",
                             valueName: "duration"),
          transform: parseTimeSpan)
  var connectTimeout: TimeSpan = .seconds(10)

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
  var connectTimeout: TimeSpan = .seconds(10)

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
