import Testing

@testable import CronlockCore

@Suite("list and purge: requests")
struct HistoryQueryTests {
  let table = try! TableName(parsing: "ops.Locks\"x")

  @Test("no filter: newest first, the limit as a parameter, the table quoted")
  func unfiltered() {
    let (sql, parameters) = PostgresLockStore.statement(HistoryQuery(), table: table)
    #expect(parameters == ["50"])
    #expect(sql.contains("FROM (SELECT * FROM \"ops\".\"Locks\"\"x\"\n      ORDER BY created_at DESC, id DESC\n      LIMIT $1) AS newest"))
    #expect(!sql.contains("WHERE"))
  }

  @Test("every filter is a parameter, never text in the SQL")
  func filters() {
    let query = HistoryQuery(job: "j'; DROP TABLE x; --", worker: "w", status: "FAILED", since: .seconds(90), limit: 7)
    let (sql, parameters) = PostgresLockStore.statement(query, table: table)
    #expect(parameters == ["j'; DROP TABLE x; --", "w", "FAILED", "90000000 microseconds", "7"])
    #expect(sql.contains("WHERE job_name = $1 AND worker = $2 AND status = $3 AND created_at >= now() - $4::interval"))
    #expect(sql.contains("LIMIT $5)"))
    #expect(!sql.contains("DROP"))
  }

  @Test("rows are read by column name: order does not matter, a missing column is unknown")
  func byName() {
    let record: [String: String?] = ["worker": "w", "job_name": "j", "id": "7", "exit_code": "3", "note": nil]
    let row = HistoryRow(record: record, time: { _ in nil }, now: nil)
    #expect(row == HistoryRow(id: 7, job: "j", worker: "w", exitCode: 3))
  }

  @Test("PostgreSQL selects every history column by name, times as microseconds under the column's name")
  func selectsByName() {
    let (sql, _) = PostgresLockStore.statement(HistoryQuery(), table: table)
    for column in LockColumn.history {
      #expect(sql.contains(column.kind == .timestamp ? " AS \(column.name)" : column.name))
    }
    #expect(sql.contains(" AS now"))
    #expect(!sql.contains("run_token"))
  }

  @Test("timestamps beyond what Timestamp holds are unknown, not wrong")
  func timestampRange() {
    #expect(PostgresLockStore.timestamp(micros: "1795938318070889")
      == Timestamp(nanosecondsSinceEpoch: 1_795_938_318_070_889_000))
    #expect(PostgresLockStore.timestamp(micros: "-1000") == Timestamp(nanosecondsSinceEpoch: -1_000_000))
    #expect(PostgresLockStore.timestamp(micros: "9223372036854776") == nil)
    #expect(PostgresLockStore.timestamp(micros: "junk") == nil)
  }

  @Test("purge refuses a TTL under a minute and names only terminal statuses")
  func purgeRequest() {
    #expect(PurgeRequest(ttl: .seconds(59)).problem?.contains("under one minute") == true)
    #expect(PurgeRequest(ttl: .seconds(60)).problem == nil)
    #expect(!PurgeRequest.terminalStatuses.contains(.running))
    #expect(Set(PurgeRequest.terminalStatuses.map(\.rawValue)) == ["FINISHED", "FAILED", "ABANDONED"])
  }

  @Test("a RUNNING row is STALE once three of its heartbeats lapsed, by the given now; a Go row never is")
  func stale() {
    let now = Timestamp(year: 2026, month: 11, day: 29, hour: 12)
    func row(status: String = "RUNNING", age: Int64, heartbeat: Int64?) -> HistoryRow {
      let record: [String: String?] = [
        "id": "1", "status": status, "created_at": now.adding(.seconds(-age - 5)).sqliteText,
        "updated_at": now.adding(.seconds(-age)).sqliteText, "heartbeat_seconds": heartbeat.map { String($0) },
      ]
      return HistoryRow(record: record, time: Timestamp.init(sqliteText:), now: now)
    }
    #expect(row(age: 91, heartbeat: 30).status == "STALE")
    #expect(row(age: 90, heartbeat: 30).status == "RUNNING")
    #expect(row(age: 100_000, heartbeat: nil).status == "RUNNING")
    #expect(row(status: "FINISHED", age: 100_000, heartbeat: 30).status == "FINISHED")
    #expect(row(age: 91, heartbeat: 30).duration == .seconds(96), "a RUNNING row lasts until now")
  }
}
