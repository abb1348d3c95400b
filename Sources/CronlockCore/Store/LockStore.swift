/// What a run asks for when it claims its slot.
public struct ClaimRequest: Sendable, Equatable {
  public var job: String
  public var slot: Slot
  public var worker: String
  public var pid: Int32
  /// The command's argv[0] only: arguments may carry secrets.
  public var command: String
  /// Client-made, so a claim whose commit was not acknowledged can be found again.
  public var runToken: String
  /// How long to wait for another session's uncommitted claim of the same slot.
  public var lockTimeout: TimeSpan
  /// How often the winner will refresh `updated_at`; stored so others can tell a live run.
  public var heartbeat: TimeSpan
  /// Lose while another run of the job is live (--no-overlap).
  public var noOverlap: Bool
  /// How the slot was named (`SlotRule.stored`), so `status` can tell which slots should have run.
  public var slotRule: String?

  public init(job: String, slot: Slot, worker: String, pid: Int32, command: String, runToken: String,
              lockTimeout: TimeSpan = .seconds(5), heartbeat: TimeSpan = .seconds(30), noOverlap: Bool = false,
              slotRule: String? = nil) {
    self.job = job
    self.slot = slot
    self.worker = worker
    self.pid = pid
    self.command = command
    self.runToken = runToken
    self.lockTimeout = lockTimeout
    self.heartbeat = heartbeat
    self.noOverlap = noOverlap
    self.slotRule = slotRule
  }
}

/// What a claim found out.
public struct Claim: Sendable, Equatable {
  public var outcome: ClaimOutcome
  /// The host's clock minus the database's, measured by the claim's own round trip.
  public var clockSkew: ClockSkew?
  /// Why it was lost, when that is more than "another worker took the slot".
  public var reason: String?

  public init(outcome: ClaimOutcome, clockSkew: ClockSkew? = nil, reason: String? = nil) {
    self.outcome = outcome
    self.clockSkew = clockSkew
    self.reason = reason
  }
}

/// The host's clock minus the database's; positive when the host is ahead.
public struct ClockSkew: Sendable, Equatable {
  public let milliseconds: Int64

  public init(milliseconds: Int64) {
    self.milliseconds = milliseconds
  }

  public var magnitude: TimeSpan { .milliseconds(Int64(milliseconds.magnitude)) }
}

/// Whether the slot is ours.
public enum ClaimOutcome: Sendable, Equatable {
  /// This process owns the slot; the id is the run id and fencing token.
  case won(runID: Int64)
  /// Another worker owns the slot.
  case lost
}

/// Row statuses. The seed writes RUNNING and FINISHED; cronlock adds FAILED and ABANDONED.
public enum RunStatus: String, Sendable, CaseIterable {
  case running = "RUNNING"
  case finished = "FINISHED"
  case failed = "FAILED"
  case abandoned = "ABANDONED"
}

/// How a claimed run ended, as recorded in its row.
public struct RunRecord: Sendable, Equatable {
  public var status: RunStatus
  public var exitCode: Int32?
  public var signal: Int32?
  public var note: String?
  /// The tail of the command's output (--capture-output); nil leaves the column as it is.
  public var output: [UInt8]?

  public init(status: RunStatus, exitCode: Int32? = nil, signal: Int32? = nil, note: String? = nil,
              output: [UInt8]? = nil) {
    self.status = status
    self.exitCode = exitCode
    self.signal = signal
    self.note = note
    self.output = output
  }

  /// FINISHED for exit 0, FAILED otherwise.
  public init(child: ChildOutcome) {
    switch child {
    case .exited(let code): self.init(status: code == 0 ? .finished : .failed, exitCode: code)
    case .signaled(let signal): self.init(status: .failed, signal: signal, note: "killed by signal \(signal)")
    }
  }
}

/// The lock table, whatever keeps it: PostgreSQL or an SQLite file. Everything the command
/// line does goes through this, so it never knows which one it talks to. Errors are
/// `CronlockError`s with design §6's statuses. Every call gives up at its deadline. Calls
/// wait only for the database, never for signals: the run's own thread keeps the timers and
/// makes these calls on a `BackgroundCall` it can stop waiting for.
public protocol LockStore: AnyObject {
  var table: TableName { get }

  /// Tries to take the slot in one short transaction, retrying transient failures.
  func claim(_ request: ClaimRequest, deadline: Deadline) throws(CronlockError) -> Claim
  /// Shows the run is alive: refreshes `updated_at` of a row still RUNNING.
  func heartbeat(runID: Int64, deadline: Deadline) throws(CronlockError)
  /// Records how the run ended, retrying transient failures.
  func finish(runID: Int64, _ record: RunRecord, deadline: Deadline) throws(CronlockError)
  /// Best effort: removes the row this request claimed, if it exists (a run stopped before it started).
  func release(_ request: ClaimRequest, deadline: Deadline)
  /// Closes the connection, if one is open; the next call makes a new one. A long run holds
  /// no connection between heartbeats.
  func closeConnection()
  /// From another thread, while a call is in flight: asks the database to stop it, so that a
  /// claim given up on (a signal) cannot still commit once a lock it waits for is released.
  /// May block against a frozen server: callers bound the wait.
  func cancelInFlight()
  /// Where the claim says each retry it makes (`info`, so only with --verbose); nil: nowhere.
  var retryReporter: Reporter? { get set }

  /// Creates or adopts the table; idempotent and safe to run on many hosts at once; all or nothing.
  func migrate(_ options: MigrationOptions) throws(CronlockError) -> MigrationReport
  /// What `migrate` runs, as one script for people to read (`migrate --print-sql`).
  var migrationScript: String { get }
  /// Says whether `run` can use the table from this host.
  func check(maxSkew: TimeSpan) throws(CronlockError) -> TableCheck

  /// The rows `query` selects, newest first.
  func history(_ query: HistoryQuery) throws(CronlockError) -> [HistoryRow]
  /// How many rows each (job, status) has, for `metrics`; `job` nil: every job.
  func statusCounts(job: String?) throws(CronlockError) -> [StatusCount]
  /// How many rows `purge` would delete now; deletes nothing.
  func countPurgeable(_ request: PurgeRequest) throws(CronlockError) -> Int
  /// Deletes what `request` selects in short batches and returns how many rows went.
  func purge(_ request: PurgeRequest) throws(CronlockError) -> Int
  /// Marks RUNNING rows with no sign of life for `after` (and three heartbeats) ABANDONED;
  /// with `dryRun`, only counts them.
  func abandonStale(after: TimeSpan, job: String?, dryRun: Bool) throws(CronlockError) -> Int
}

extension LockStore {
  /// `migrate` refusing duplicate rows.
  public func migrate() throws(CronlockError) -> MigrationReport {
    try migrate(MigrationOptions())
  }
}

/// The store a database URL names: an `sqlite:` URL opens that file; anything else — or no
/// URL, which means libpq's defaults — is PostgreSQL. Never falls back from one to the other:
/// a crontab that forgot its URL must fail closed, not take a private lock on each host.
public func openLockStore(url: DatabaseURL?, table: TableName, connectTimeout: TimeSpan) throws(CronlockError)
  -> any LockStore
{
  if let url, let location = try SQLiteLocation(url: url.raw) {
    return try SQLiteLockStore(location: location, table: table, connectTimeout: connectTimeout)
  }
  return try PostgresLockStore(url: url, table: table, connectTimeout: connectTimeout)
}
