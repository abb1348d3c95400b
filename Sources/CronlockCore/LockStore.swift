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
  public var lockTimeout: TimeSpan

  public init(job: String, slot: Slot, worker: String, pid: Int32, command: String, runToken: String,
              lockTimeout: TimeSpan = .seconds(5)) {
    self.job = job
    self.slot = slot
    self.worker = worker
    self.pid = pid
    self.command = command
    self.runToken = runToken
    self.lockTimeout = lockTimeout
  }
}

/// What a claim found out.
public struct Claim: Sendable, Equatable {
  public var outcome: ClaimOutcome
  /// The host's clock minus the database's, measured by the claim's own round trip.
  public var clockSkew: ClockSkew?

  public init(outcome: ClaimOutcome, clockSkew: ClockSkew? = nil) {
    self.outcome = outcome
    self.clockSkew = clockSkew
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

  public init(status: RunStatus, exitCode: Int32? = nil, signal: Int32? = nil, note: String? = nil) {
    self.status = status
    self.exitCode = exitCode
    self.signal = signal
    self.note = note
  }

  /// FINISHED for exit 0, FAILED otherwise.
  public init(child: ChildOutcome) {
    switch child {
    case .exited(let code): self.init(status: code == 0 ? .finished : .failed, exitCode: code)
    case .signaled(let signal): self.init(status: .failed, signal: signal, note: "killed by signal \(signal)")
    }
  }
}

/// The lock table, whatever keeps it. Errors are `CronlockError`s with design §6's statuses.
public protocol LockStore {
  /// Tries to take the slot in one short transaction.
  func claim(_ request: ClaimRequest) throws(CronlockError) -> Claim
  /// Records how the run ended.
  func finish(runID: Int64, _ record: RunRecord) throws(CronlockError)
}
