import CronlockCore
import Foundation
import Testing
import CronlockTestSupport

/// `Connection.execute(together:)`: several statements in one round trip (libpq's pipeline
/// mode), as the --no-overlap claim sends them, against the real server.
@Suite("statements in one round trip")
struct PipelineTests {
  let server = TestServer.shared

  @Test("the kept statement's result comes back; the statements ran in order, in one transaction")
  func keptResult() throws {
    let table = server.freshTableName("pipe")
    try server.execute("CREATE TABLE \(table) (n integer)")
    let connection = try server.connect()
    let result = try connection.execute(together: [
      .init("BEGIN ISOLATION LEVEL READ COMMITTED"),
      .init("INSERT INTO \(table) VALUES ($1::integer)", ["1"]),
      .init("SELECT count(*), current_setting('transaction_isolation') FROM \(table)"),
      .init("COMMIT"),
    ], keeping: 2, deadline: .after(.seconds(30)))
    #expect(result.value(row: 0, column: 0) == "1" && result.value(row: 0, column: 1) == "read committed")
    #expect(connection.isHealthy)
    #expect(try server.query("SELECT n FROM \(table)") == [["1"]])
    // Out of pipeline mode: a plain statement works on the same connection.
    #expect(try connection.execute("SELECT 2").value(row: 0, column: 0) == "2")
  }

  @Test("a statement that fails is thrown with its SQLSTATE; the rest are skipped; ROLLBACK undoes the transaction")
  func failureMidway() throws {
    let table = server.freshTableName("pipe")
    try server.execute("CREATE TABLE \(table) (n integer)")
    let connection = try server.connect()
    var thrown: PostgresError?
    do throws(PostgresError) {
      _ = try connection.execute(together: [
        .init("BEGIN ISOLATION LEVEL READ COMMITTED"),
        .init("INSERT INTO \(table) VALUES (1)"),
        .init("SELECT 1 / $1::integer", ["0"]),
        .init("INSERT INTO \(table) VALUES (3)"),
        .init("COMMIT"),
      ], keeping: 2, deadline: .after(.seconds(30)))
    } catch {
      thrown = error
    }
    #expect(thrown?.kind == .server && thrown?.sqlState?.rawValue == "22012", "\(String(describing: thrown))")
    #expect(connection.isHealthy)
    // The transaction is left failed: the caller's ROLLBACK ends it and nothing was written.
    try connection.execute("ROLLBACK")
    #expect(try server.query("SELECT n FROM \(table)") == [])
    #expect(try connection.execute("SELECT 4").value(row: 0, column: 0) == "4")
  }
}
