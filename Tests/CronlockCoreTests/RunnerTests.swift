import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import CronlockCore

/// A store whose every answer is scripted: it can freeze (ignore its deadline), refuse, win
/// late, or send the runner a signal mid-claim. It records what the runner asked of it.
final class ScriptedStore: LockStore, @unchecked Sendable {
  let table = TableName.standard
  var retryReporter: Reporter?
  var onClaim: (ClaimRequest, Deadline) throws(CronlockError) -> Claim = { _, _ in Claim(outcome: .won(runID: 1)) }
  var onHeartbeat: (Int64, Deadline) throws(CronlockError) -> Void = { _, _ in }
  var onFinish: (Int64, RunRecord, Deadline) throws(CronlockError) -> Void = { _, _, _ in }

  private var lock = pthread_mutex_t()
  private var _finished: [RunRecord] = []
  private var _released = 0
  private var _heartbeats = 0

  init() { pthread_mutex_init(&lock, nil) }

  private func locked<T>(_ body: () -> T) -> T {
    pthread_mutex_lock(&lock)
    defer { pthread_mutex_unlock(&lock) }
    return body()
  }

  var finished: [RunRecord] { locked { _finished } }
  var released: Int { locked { _released } }
  var heartbeats: Int { locked { _heartbeats } }

  func claim(_ request: ClaimRequest, deadline: Deadline) throws(CronlockError) -> Claim {
    try onClaim(request, deadline)
  }
  func heartbeat(runID: Int64, deadline: Deadline) throws(CronlockError) {
    locked { _heartbeats += 1 }
    try onHeartbeat(runID, deadline)
  }
  func finish(runID: Int64, _ record: RunRecord, deadline: Deadline) throws(CronlockError) {
    try onFinish(runID, record, deadline)
    locked { _finished.append(record) }
  }
  func release(_ request: ClaimRequest, deadline: Deadline) { locked { _released += 1 } }
  func closeConnection() {}
  func cancelInFlight() {}
  func migrate(_ options: MigrationOptions) throws(CronlockError) -> MigrationReport { throw .internalFailure("not scripted") }
  var migrationScript: String { "" }
  func check(maxSkew: TimeSpan) throws(CronlockError) -> TableCheck { throw .internalFailure("not scripted") }
  func history(_ query: HistoryQuery) throws(CronlockError) -> [HistoryRow] { [] }
  func statusCounts(job: String?) throws(CronlockError) -> [StatusCount] { [] }
  func countPurgeable(_ request: PurgeRequest) throws(CronlockError) -> Int { 0 }
  func purge(_ request: PurgeRequest) throws(CronlockError) -> Int { 0 }
  func abandonStale(after: TimeSpan, job: String?, dryRun: Bool) throws(CronlockError) -> Int { 0 }
}

/// Blocks the calling thread like a database that stopped answering: it ignores the deadline.
func freeze(for seconds: Double) {
  usleep(UInt32(seconds * 1_000_000))
}

/// A runner's status, its thread (for signals aimed at it) and how long it took.
final class RunnerThread: @unchecked Sendable {
  private(set) var thread = pthread_t()
  private var done: [Int32] = [-1, -1]
  private var status: Int32 = -1
  private let started = Deadline.monotonicNow()

  init(_ runner: Runner) {
    _ = pipe(&done)
    var ready: [Int32] = [-1, -1]
    _ = pipe(&ready)
    let readyWrite = ready[1]
    _ = DetachedThread.start {
      self.thread = pthread_self()
      var byte: UInt8 = 1
      _ = write(readyWrite, &byte, 1)
      self.status = runner.run(startedAt: .now())
      _ = write(self.done[1], &byte, 1)
    }
    var byte: UInt8 = 0
    _ = read(ready[0], &byte, 1)
    close(ready[0])
    close(ready[1])
  }

  /// Waits for the run to end: its status and the seconds it took.
  func wait() -> (status: Int32, seconds: Double) {
    var byte: UInt8 = 0
    _ = read(done[0], &byte, 1)
    close(done[0])
    close(done[1])
    return (status, Double(Deadline.monotonicNow() - started) / 1e9)
  }
}

@Suite("the runner, driven in process through a scripted store")
struct RunnerTests {
  /// Scheduling slack on a loaded 2-core machine; every bound is an option under test plus this.
  let slack = 1.5

  func options(_ script: String, marker: String) -> RunOptions {
    var options = RunOptions(job: "runner-test", slotRule: .identifier("slot"), worker: "w", skipExitCode: 0,
                             command: ChildCommand(["/bin/sh", "-c", "echo ran >> \(marker); " + script]))
    options.claimBudget = .seconds(1)
    options.finishBudget = .seconds(1)
    options.supervision = Supervision.Policy(heartbeat: .milliseconds(200))
    return options
  }

  func marker() -> String {
    "/tmp/cronlock-runner-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).marker"
  }

  func ran(_ marker: String) -> Bool {
    defer { unlink(marker) }
    return access(marker, F_OK) == 0
  }

  func runner(_ options: RunOptions, _ store: ScriptedStore) -> Runner {
    Runner(options: options, reporter: Reporter(verbose: false)) { () throws(CronlockError) -> any LockStore in store }
  }

  @Test("a run token is 32 lowercase hex digits, a new one every time")
  func runTokens() {
    let tokens = (0..<64).map { _ in Runner.makeRunToken() }
    for token in tokens {
      #expect(token.utf8.count == 32 && token.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }, "\(token)")
    }
    #expect(Set(tokens).count == tokens.count)
    // Every digit position takes more than one value across the tokens: none is fixed (a
    // dropped leading zero, a half left unwritten).
    for position in 0..<32 {
      #expect(Set(tokens.map { Array($0.utf8)[position] }).count > 1, "position \(position)")
    }
  }

  @Test("a claim that never answers: 75 at --connect-timeout, and the command never starts, even if the claim wins later")
  func frozenClaim() {
    let store = ScriptedStore()
    store.onClaim = { _, _ in
      freeze(for: 3)
      return Claim(outcome: .won(runID: 9))
    }
    let file = marker()
    let run = RunnerThread(runner(options("exit 0", marker: file), store)).wait()
    #expect(run.status == 75)
    #expect(run.seconds < 1 + slack)
    freeze(for: 2.5)  // past the claim's late win
    #expect(!ran(file), "a claim answered after its budget must not start the command")
  }

  @Test("a store that refuses (78) never runs the command, not even with --on-db-error run")
  func refusingStore() {
    let store = ScriptedStore()
    store.onClaim = { _, _ throws(CronlockError) in throw .configuration("cannot claim the slot: permission denied") }
    var options = options("exit 0", marker: marker())
    options.onDatabaseError = .run
    let file = marker()
    options.command = ChildCommand(["/bin/sh", "-c", "echo ran >> \(file)"])
    #expect(RunnerThread(runner(options, store)).wait().status == 78)
    #expect(!ran(file))
  }

  @Test("an unavailable store (75) with --on-db-error run runs the command, unrecorded")
  func failOpen() {
    let store = ScriptedStore()
    store.onClaim = { _, _ throws(CronlockError) in throw .unavailable("cannot connect to the database: refused") }
    let file = marker()
    var options = options("exit 4", marker: file)
    options.onDatabaseError = .run
    #expect(RunnerThread(runner(options, store)).wait().status == 4)
    #expect(ran(file))
    #expect(store.finished.isEmpty, "nothing to record: there is no row")
  }

  @Test("a signal mid-claim: 128+N, no command, and the row the claim won is released")
  func signalMidClaim() {
    let store = ScriptedStore()
    let file = marker()
    var runnerThread: RunnerThread?
    var ready: [Int32] = [-1, -1]
    _ = pipe(&ready)
    store.onClaim = { _, _ in
      var byte: UInt8 = 0
      _ = read(ready[0], &byte, 1)
      pthread_kill(runnerThread!.thread, SIGTERM)
      freeze(for: 0.1)
      return Claim(outcome: .won(runID: 5))
    }
    runnerThread = RunnerThread(runner(options("exit 0", marker: file), store))
    var byte: UInt8 = 1
    _ = write(ready[1], &byte, 1)
    let run = runnerThread!.wait()
    close(ready[0])
    close(ready[1])
    #expect(run.status == 128 + SIGTERM)
    #expect(!ran(file))
    #expect(store.released == 1)
  }

  @Test("a frozen heartbeat does not hold up --timeout: 124 on time, and the outcome is recorded")
  func frozenHeartbeat() {
    let store = ScriptedStore()
    store.onHeartbeat = { _, _ in freeze(for: 20) }
    let file = marker()
    var options = options("exec sleep 30", marker: file)
    options.supervision = Supervision.Policy(timeout: .seconds(1), killAfter: .seconds(1), heartbeat: .milliseconds(200))
    let run = RunnerThread(runner(options, store)).wait()
    #expect(run.status == 124)
    #expect(run.seconds < 1 + 1 + slack, "--timeout plus --kill-after at most")
    #expect(store.heartbeats >= 1)
    #expect(store.finished.first?.status == .failed)
    #expect(store.finished.first?.note?.hasPrefix("timed out after 1s") == true)
  }

  @Test("a finish that never answers: cronlock exits with the command's status at --finish-timeout")
  func frozenFinish() {
    let store = ScriptedStore()
    store.onFinish = { _, _, _ in freeze(for: 20) }
    let file = marker()
    let run = RunnerThread(runner(options("exit 3", marker: file), store)).wait()
    #expect(run.status == 3)
    #expect(run.seconds < 1 + slack)
    #expect(ran(file))
  }

  @Test("SIGTERM while the command runs reaches it at once, heartbeat frozen or not")
  func forwardsWhileHeartbeatFrozen() {
    let store = ScriptedStore()
    store.onHeartbeat = { _, _ in freeze(for: 20) }
    let file = marker()
    let started = marker()
    let runnerThread = RunnerThread(runner(options("touch \(started); exec sleep 30", marker: file), store))
    let deadline = Deadline.after(.seconds(10))
    while access(started, F_OK) != 0 && !deadline.hasPassed { freeze(for: 0.02) }
    while store.heartbeats == 0 && !deadline.hasPassed { freeze(for: 0.02) }
    let sent = Deadline.monotonicNow()
    pthread_kill(runnerThread.thread, SIGTERM)
    let run = runnerThread.wait()
    #expect(run.status == 128 + SIGTERM)
    #expect(Double(Deadline.monotonicNow() - sent) / 1e9 < slack)
    #expect(store.finished.first?.note == "cronlock received signal 15 and forwarded it to the command")
    unlink(started)
    _ = ran(file)
  }

  @Test("--splay waits before the claim, and a signal during it ends the run at once with nothing claimed")
  func splayInterrupted() {
    let store = ScriptedStore()
    var claims = 0
    store.onClaim = { _, _ in
      claims += 1
      return Claim(outcome: .won(runID: 2))
    }
    let file = marker()
    var options = options("exit 0", marker: file)
    options.splay = .seconds(60)
    let runnerThread = RunnerThread(runner(options, store))
    freeze(for: 0.3)  // the scenario: the runner is inside its splay
    pthread_kill(runnerThread.thread, SIGTERM)
    let run = runnerThread.wait()
    #expect(run.status == 128 + SIGTERM)
    #expect(run.seconds < slack, "the splay is cut short by the signal")
    #expect(claims == 0 && !ran(file))
  }

  @Test("a short --splay delays the claim by less than itself; the run then goes on as usual")
  func splayThenRun() {
    let store = ScriptedStore()
    let file = marker()
    var options = options("exit 0", marker: file)
    options.splay = .milliseconds(300)
    let run = RunnerThread(runner(options, store)).wait()
    #expect(run.status == 0)
    #expect(ran(file))
    #expect(store.finished.first?.status == .finished)
  }
}
