import CronlockTestSupport
import Foundation
import Testing

@testable import CronlockCore

/// The backends every LockStore must satisfy this suite on. PostgreSQL runs whenever this host
/// can start a server (scripts/pgtemp finds initdb); SQLite always.
enum ContractBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
  case sqlite, postgres

  var testDescription: String { rawValue }

  static let available: [ContractBackend] = {
    let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
    let hasServer = versions.contains { FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/\($0)/bin/initdb") }
    return hasServer ? [.sqlite, .postgres] : [.sqlite]
  }()
}

/// One store on a fresh, migrated table, called directly in process through `openLockStore`.
/// Every LockStore call of the suite goes through the methods here, so a change of the
/// protocol's signatures is fixed in this one place.
final class StoreUnderTest {
  let backend: ContractBackend
  let table: String
  let url: String
  let server: TestServer?
  private(set) var store: any LockStore

  init(_ backend: ContractBackend, server: TestServer? = nil) throws {
    self.backend = backend
    switch backend {
    case .postgres:
      let server = server ?? TestServer.shared
      self.server = server
      table = server.freshTableName("contract")
      url = server.conninfo
    case .sqlite:
      self.server = nil
      table = "contract"
      let directory = NSTemporaryDirectory() + "cronlock-contract-\(UUID().uuidString)"
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      url = "sqlite:\(directory)/locks.db"
    }
    store = try Self.open(url: url, table: table)
    _ = try store.migrate()
  }

  private static func open(url: String, table: String) throws -> any LockStore {
    try openLockStore(url: DatabaseURL(url), table: TableName(parsing: table), connectTimeout: .seconds(10))
  }

  /// Another store on the same table: another host, or this one after its connection was lost.
  func another() throws -> any LockStore { try Self.open(url: url, table: table) }

  static let deadline = TimeSpan.seconds(20)

  func request(job: String = "job", slot: String = "slot-1", token: String = UUID().uuidString,
               noOverlap: Bool = false) -> ClaimRequest {
    ClaimRequest(job: job, slot: Slot.explicit(slot), worker: "contract", pid: 1, command: "true", runToken: token,
                 heartbeat: .seconds(30), noOverlap: noOverlap)
  }

  func claim(_ request: ClaimRequest, on store: (any LockStore)? = nil) throws -> ClaimOutcome {
    try (store ?? self.store).claim(request, deadline: .after(Self.deadline)).outcome
  }

  func heartbeat(_ runID: Int64) throws {
    try store.heartbeat(runID: runID, deadline: .after(Self.deadline))
  }

  func finish(_ runID: Int64, _ record: RunRecord, deadline: TimeSpan = StoreUnderTest.deadline) throws {
    try store.finish(runID: runID, record, deadline: .after(deadline))
  }

  func release(_ request: ClaimRequest) {
    store.release(request, deadline: .after(Self.deadline))
  }

  /// A won claim of slot-1, and its run id.
  func claimed() throws -> (request: ClaimRequest, id: Int64) {
    let request = request()
    return (request, try won(claim(request)))
  }

  /// The run id, or a failed expectation.
  func won(_ outcome: ClaimOutcome, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int64 {
    guard case .won(let id) = outcome else {
      Issue.record("expected a win, got \(outcome)", sourceLocation: sourceLocation)
      throw CronlockError.internalFailure("lost")
    }
    return id
  }

  /// SQL with `$1`-style parameters, run directly on the table's database; rows as text.
  func query(_ sql: String, _ parameters: [String?] = []) throws -> [[String?]] {
    let sql = sql.replacingOccurrences(of: "{t}", with: "\"\(table)\"")
    switch backend {
    case .postgres:
      return try server!.query(sql, parameters)
    case .sqlite:
      let connection = try SQLiteConnection.open(path: String(url.dropFirst("sqlite:".count)), create: false)
      return try connection.query(sql.replacingOccurrences(of: "$", with: "?"), parameters.map { .text($0) },
                                  deadline: .after(.seconds(10)))
    }
  }

  /// A row as another writer (or time) left it; times are seconds before now.
  func insert(job: String, slot: String, worker: String = "w", status: RunStatus, updatedAgo: Int,
              createdAgo: Int? = nil, slotEndAgo: Int? = nil, heartbeat: Int? = nil) throws {
    try _ = query("""
      INSERT INTO {t} (created_at, updated_at, job_name, job_identifier, worker, status, slot_end, heartbeat_seconds)
      VALUES ($1, $2, $3, $4, $5, $6, $7, \(heartbeat.map(String.init) ?? "NULL"))
      """, [Self.ago(createdAgo ?? updatedAgo), Self.ago(updatedAgo), job, slot, worker, status.rawValue,
            slotEndAgo.map(Self.ago)])
  }

  static func ago(_ seconds: Int) -> String { Timestamp.now().adding(.seconds(Int64(-seconds))).sqliteText }

  func column(_ name: String, id: Int64) throws -> String? {
    try query("SELECT \(name) FROM {t} WHERE id = $1", [String(id)]).first?.first ?? nil
  }
}
