import CronlockTestSupport
import Foundation
import Testing

@testable import CronlockCore

/// What every LockStore does, whatever keeps the table: a third backend is "make this pass".
/// Each test gets its own table; PostgreSQL tests share the harness's server unless they crash it.
@Suite("LockStore contract")
struct LockStoreContractTests {
  @Test("claim: the first wins with a run id; another worker's claim of the slot loses; another slot wins",
        arguments: ContractBackend.available)
  func claimWinAndLose(backend: ContractBackend) throws {
    let subject = try StoreUnderTest(backend)
    let first = try subject.won(subject.claim(subject.request()))
    #expect(try subject.claim(subject.request(), on: subject.another()) == .lost)
    let next = try subject.won(subject.claim(subject.request(slot: "slot-2")))
    #expect(next > first, "run ids increase")
    #expect(try subject.column("status", id: first) == "RUNNING")
    #expect(try subject.column("run_token", id: first) != nil)
  }

  @Test("read-back: a claim repeated with its run token, as after a lost connection, finds its own row and wins",
        arguments: ContractBackend.available)
  func readBackByRunToken(backend: ContractBackend) throws {
    let subject = try StoreUnderTest(backend)
    let (request, id) = try subject.claimed()
    // What a lost connection leaves the store's retry: the same store, no connection, the claim
    // sent again with its token.
    subject.store.closeConnection()
    #expect(try subject.claim(request) == .won(runID: id), "the same run, not a second one")
    #expect(try subject.query("SELECT count(*) FROM {t}") == [["1"]])
  }

  @Test("release removes only the row this request claimed; the slot can then be won again",
        arguments: ContractBackend.available)
  func release(backend: ContractBackend) throws {
    let subject = try StoreUnderTest(backend)
    let (request, id) = try subject.claimed()
    subject.release(subject.request())  // another run token: not ours to remove
    #expect(try subject.column("status", id: id) == "RUNNING")
    subject.release(request)
    #expect(try subject.query("SELECT count(*) FROM {t}") == [["0"]])
    _ = try subject.won(subject.claim(subject.request()))
  }

  @Test("heartbeat refreshes a RUNNING row and leaves a finished one as it was", arguments: ContractBackend.available)
  func heartbeat(backend: ContractBackend) throws {
    let subject = try StoreUnderTest(backend)
    let id = try subject.won(subject.claim(subject.request()))
    _ = try subject.query("UPDATE {t} SET updated_at = $1 WHERE id = $2", [StoreUnderTest.ago(60), String(id)])
    try subject.heartbeat(id)
    #expect(try subject.query("SELECT count(*) FROM {t} WHERE updated_at > $1", [StoreUnderTest.ago(30)]) == [["1"]])
    try subject.finish(id, RunRecord(status: .finished, exitCode: 0))
    _ = try subject.query("UPDATE {t} SET updated_at = $1 WHERE id = $2", [StoreUnderTest.ago(60), String(id)])
    try subject.heartbeat(id)
    #expect(try subject.query("SELECT count(*) FROM {t} WHERE updated_at > $1", [StoreUnderTest.ago(30)]) == [["0"]],
            "a beat after the finish changes nothing")
    #expect(try subject.column("status", id: id) == "FINISHED")
  }

  @Test("finish records status, exit code, signal and note; a row that is gone is an internal failure",
        arguments: ContractBackend.available)
  func finish(backend: ContractBackend) throws {
    let subject = try StoreUnderTest(backend)
    let id = try subject.won(subject.claim(subject.request()))
    try subject.finish(id, RunRecord(child: .signaled(15)))
    #expect(try subject.query("SELECT status, exit_code, signal, note FROM {t} WHERE id = $1", [String(id)])
      == [["FAILED", nil, "15", "killed by signal 15"]])
    #expect(try subject.column("finished_at", id: id) != nil)
    #expect(throws: CronlockError.self) { try subject.finish(id + 1000, RunRecord(status: .finished, exitCode: 0)) }
  }

  @Test("finish is retried through a blip: a server restarted mid-finish, or an SQLite file's write lock held briefly",
        arguments: ContractBackend.available)
  func finishThroughBlip(backend: ContractBackend) throws {
    let server = backend == .postgres ? TestServer.start(maxConnections: 20) : nil
    defer { server?.stop() }
    let subject = try StoreUnderTest(backend, server: server)
    let id = try subject.won(subject.claim(subject.request()))
    let blip: Thread
    // The blip ends before the test does: its restart must not race the server's final stop.
    let blipOver = DispatchSemaphore(value: 0)
    if let server {
      server.crash()
      // The finish below starts while the server is down; pg_ctl start takes longer than its first try.
      blip = Thread {
        server.restart()
        blipOver.signal()
      }
    } else {
      nonisolated(unsafe) let holder = try SQLiteConnection.open(path: String(subject.url.dropFirst("sqlite:".count)),
                                                                 create: false)
      try holder.query("BEGIN IMMEDIATE", deadline: .after(.seconds(5)))
      // The fault's length, not a synchronisation: the finish waits for the lock meanwhile.
      blip = Thread {
        usleep(300_000)
        _ = try? holder.query("ROLLBACK", deadline: .after(.seconds(5)))
        blipOver.signal()
      }
    }
    blip.start()
    try subject.finish(id, RunRecord(status: .failed, exitCode: 3), deadline: .seconds(60))
    blipOver.wait()
    #expect(try subject.query("SELECT status, exit_code FROM {t} WHERE id = $1", [String(id)]) == [["FAILED", "3"]])
  }

  @Test("purge deletes terminal rows past the TTL whose slot stopped being claimable, never RUNNING; count agrees",
        arguments: ContractBackend.available)
  func purgeBounds(backend: ContractBackend) throws {
    let subject = try StoreUnderTest(backend)
    let day = 86_400
    try subject.insert(job: "j", slot: "old-finished", status: .finished, updatedAgo: 2 * day, slotEndAgo: 2 * day)
    try subject.insert(job: "j", slot: "old-failed-explicit", status: .failed, updatedAgo: 2 * day)
    try subject.insert(job: "other", slot: "old-abandoned", status: .abandoned, updatedAgo: 2 * day, slotEndAgo: 2 * day)
    try subject.insert(job: "j", slot: "recent", status: .finished, updatedAgo: 60, slotEndAgo: 2 * day)
    try subject.insert(job: "j", slot: "old-running", status: .running, updatedAgo: 2 * day, slotEndAgo: 2 * day)
    try subject.insert(job: "j", slot: "still-claimable", status: .finished, updatedAgo: 2 * day, slotEndAgo: 60)
    let onlyJ = PurgeRequest(ttl: .seconds(Int64(day)), job: "j", batchSize: 1)
    #expect(try subject.store.countPurgeable(onlyJ) == 2)
    #expect(try subject.store.purge(onlyJ) == 2)
    #expect(try subject.store.purge(PurgeRequest(ttl: .seconds(Int64(day)))) == 1, "the other job's row")
    #expect(try subject.query("SELECT job_identifier FROM {t} ORDER BY job_identifier")
      == [["old-running"], ["recent"], ["still-claimable"]])
  }

  @Test("stale marking: RUNNING rows silent for longer than the bound and three beats become ABANDONED; dry run counts",
        arguments: ContractBackend.available)
  func staleMarking(backend: ContractBackend) throws {
    let subject = try StoreUnderTest(backend)
    try subject.insert(job: "j", slot: "crashed", status: .running, updatedAgo: 600, heartbeat: 30)
    try subject.insert(job: "j", slot: "slow-beats", status: .running, updatedAgo: 600, heartbeat: 300)
    try subject.insert(job: "j", slot: "alive", status: .running, updatedAgo: 5, heartbeat: 30)
    try subject.insert(job: "other", slot: "go-row", status: .running, updatedAgo: 600)
    try subject.insert(job: "j", slot: "done", status: .finished, updatedAgo: 600, heartbeat: 30)
    #expect(try subject.store.abandonStale(after: .seconds(120), job: "j", dryRun: true) == 1)
    #expect(try subject.query("SELECT count(*) FROM {t} WHERE status = 'ABANDONED'") == [["0"]])
    #expect(try subject.store.abandonStale(after: .seconds(120), job: "j", dryRun: false) == 1)
    let abandoned = try subject.query("SELECT job_identifier, note FROM {t} WHERE status = 'ABANDONED'")
    #expect(abandoned.map { $0[0] } == ["crashed"])
    #expect(abandoned.first?[1]?.contains("--stale-after 2m") == true, "\(abandoned)")
    #expect(try subject.store.abandonStale(after: .seconds(120), job: nil, dryRun: false) == 1, "the Go row of the other job")
  }

  @Test("list: newest first, each filter exact, the limit, and since by the store's clock",
        arguments: ContractBackend.available)
  func listFilters(backend: ContractBackend) throws {
    let subject = try StoreUnderTest(backend)
    try subject.insert(job: "a", slot: "1", worker: "w1", status: .finished, updatedAgo: 3000, createdAgo: 3600)
    try subject.insert(job: "a", slot: "2", worker: "w2", status: .failed, updatedAgo: 1000, createdAgo: 1200)
    try subject.insert(job: "b", slot: "1", worker: "w1", status: .running, updatedAgo: 10, createdAgo: 60, heartbeat: 30)
    try subject.insert(job: "a%", slot: "3", worker: "w1", status: .finished, updatedAgo: 10, createdAgo: 30)
    func identifiers(_ query: HistoryQuery) throws -> [String] {
      try subject.store.history(query).map { "\($0.job ?? "-")/\($0.identifier ?? "-")" }
    }
    #expect(try identifiers(HistoryQuery()) == ["a%/3", "b/1", "a/2", "a/1"])
    #expect(try identifiers(HistoryQuery(job: "a")) == ["a/2", "a/1"], "exact, not a pattern")
    #expect(try identifiers(HistoryQuery(worker: "w1")) == ["a%/3", "b/1", "a/1"])
    #expect(try identifiers(HistoryQuery(status: "FAILED")) == ["a/2"])
    #expect(try identifiers(HistoryQuery(since: .seconds(1800))) == ["a%/3", "b/1", "a/2"])
    #expect(try identifiers(HistoryQuery(limit: 2)) == ["a%/3", "b/1"])
    let running = try #require(try subject.store.history(HistoryQuery(job: "b")).first)
    #expect(running.status == "RUNNING" && running.heartbeatSeconds == 30 && running.worker == "w1")
    #expect(running.duration.map { $0 >= .seconds(59) && $0 < .seconds(120) } == true, "to the store's now")
  }

  @Test("the claim stores its slot rule; finish stores output bytes exactly, and only when given; show reads by id",
        arguments: ContractBackend.available)
  func slotRuleAndOutput(backend: ContractBackend) throws {
    let subject = try StoreUnderTest(backend)
    var request = subject.request()
    request.slotRule = "precision 5m"
    let id = try subject.won(subject.claim(request))
    let bytes: [UInt8] = [0, 1, 0xff, 0x5c, 0x78] + Array("tail\n".utf8)  // NUL, \x and bytes that are not UTF-8
    try subject.finish(id, RunRecord(status: .finished, exitCode: 0, output: bytes))
    var byID = HistoryQuery()
    byID.runID = id
    byID.includesOutput = true
    let row = try #require(try subject.store.history(byID).first)
    #expect(row.id == id && row.slotRule == "precision 5m" && row.output == bytes)
    #expect(try subject.store.history(HistoryQuery()).first?.output == nil, "list never reads the output")
    try subject.finish(id, RunRecord(status: .failed, exitCode: 1))
    #expect(try subject.store.history(byID).first?.output == bytes, "a finish without output leaves it")
    let empty = try subject.won(subject.claim(subject.request(slot: "slot-2")))
    try subject.finish(empty, RunRecord(status: .finished, exitCode: 0, output: []))
    byID.runID = empty
    #expect(try subject.store.history(byID).first?.output == [], "empty output is not no output")
    byID.runID = id + 1000
    #expect(try subject.store.history(byID).isEmpty)
  }

  @Test("per job: the newest and the oldest row, each filter applied first; counts by job and status",
        arguments: ContractBackend.available)
  func perJobAndCounts(backend: ContractBackend) throws {
    let subject = try StoreUnderTest(backend)
    try subject.insert(job: "a", slot: "1", status: .finished, updatedAgo: 300)
    try subject.insert(job: "a", slot: "2", status: .failed, updatedAgo: 200)
    try subject.insert(job: "a", slot: "3", status: .running, updatedAgo: 100, heartbeat: 30)
    try subject.insert(job: "b", slot: "1", status: .finished, updatedAgo: 50)
    func slots(_ perJob: HistoryQuery.PerJob, status: String? = nil, job: String? = nil) throws -> [String] {
      var query = HistoryQuery(job: job, status: status)
      query.perJob = perJob
      return try subject.store.history(query).map { "\($0.job ?? "-")/\($0.identifier ?? "-")" }.sorted()
    }
    #expect(try slots(.newest) == ["a/3", "b/1"])
    #expect(try slots(.oldest) == ["a/1", "b/1"])
    #expect(try slots(.newest, status: "FINISHED") == ["a/1", "b/1"])
    #expect(try slots(.newest, job: "b") == ["b/1"])
    #expect(try subject.store.statusCounts(job: nil).map { "\($0.job ?? "-") \($0.status ?? "-") \($0.count)" }
      == ["a FAILED 1", "a FINISHED 1", "a RUNNING 1", "b FINISHED 1"])
    #expect(try subject.store.statusCounts(job: "b").map(\.count) == [1])
  }
}
