#if canImport(Glibc)
import Glibc
#endif

/// The supervisor's decisions, as a value: events in, actions out, time passed in. No system
/// calls here, so every transition is unit-tested; `Supervisor` carries the actions out.
public struct Supervision: Sendable, Equatable {
  /// What the user asked for.
  public struct Policy: Sendable, Equatable {
    public var timeout: TimeSpan?
    public var killAfter: TimeSpan
    public var heartbeat: TimeSpan
    /// A forwarded signal ends the child as the timeout does — SIGTERM, then SIGKILL after
    /// `killAfter` — instead of being passed on (hooks: cronlock is being stopped).
    public var endsOnSignal: Bool

    public init(timeout: TimeSpan? = nil, killAfter: TimeSpan = .seconds(10), heartbeat: TimeSpan = .seconds(30),
                endsOnSignal: Bool = false) {
      self.timeout = timeout
      self.killAfter = killAfter
      self.heartbeat = heartbeat
      self.endsOnSignal = endsOnSignal
    }
  }

  public enum Event: Sendable, Equatable {
    /// cronlock received a signal it forwards.
    case signalReceived(Int32)
    /// The child ended.
    case childExited(ChildOutcome)
    /// The time, on the monotonic clock, has reached `nextWake`.
    case timePassed
  }

  public enum Action: Sendable, Equatable {
    /// Send the signal to the child's process group.
    case signalGroup(Int32)
    /// Refresh the row's heartbeat.
    case heartbeat
    /// Stop supervising: the child ended like this.
    case finish(ChildOutcome)
  }

  public let policy: Policy
  /// When the child started, in monotonic nanoseconds.
  public let startedAt: Int64
  public private(set) var nextHeartbeat: Int64
  /// The first signal cronlock forwarded, if any: the row's note says who stopped the child.
  public private(set) var firstForwardedSignal: Int32?
  /// When --timeout expired (or, with `endsOnSignal`, a signal arrived) and SIGTERM went to the group.
  public private(set) var timedOutAt: Int64?
  public private(set) var killed = false
  public private(set) var finished = false

  public init(policy: Policy, startedAt: Int64) {
    self.policy = policy
    self.startedAt = startedAt
    nextHeartbeat = startedAt + policy.heartbeat.nanoseconds
  }

  /// The earliest time something is due, in monotonic nanoseconds.
  public var nextWake: Int64 {
    var wake = nextHeartbeat
    if let timedOutAt {
      if !killed { wake = min(wake, timedOutAt + policy.killAfter.nanoseconds) }
    } else if let timeout = policy.timeout {
      wake = min(wake, startedAt + timeout.nanoseconds)
    }
    return wake
  }

  public mutating func handle(_ event: Event, at now: Int64) -> [Action] {
    guard !finished else { return [] }
    switch event {
    case .signalReceived(let signal):
      if firstForwardedSignal == nil { firstForwardedSignal = signal }
      guard policy.endsOnSignal else { return Self.delivering(signal) }
      guard timedOutAt == nil else { return [] }
      timedOutAt = now  // from here on as after the timeout: SIGKILL once killAfter passes
      return Self.delivering(SIGTERM)
    case .childExited(let outcome):
      finished = true
      // Whatever the child left in its group after a stop would otherwise outlive cronlock.
      let sweep: [Action] = firstForwardedSignal != nil || timedOutAt != nil ? [.signalGroup(SIGKILL)] : []
      return sweep + [.finish(outcome)]
    case .timePassed:
      var actions: [Action] = []
      if timedOutAt == nil, let timeout = policy.timeout, now >= startedAt + timeout.nanoseconds {
        timedOutAt = now
        actions += Self.delivering(SIGTERM)
      }
      if let timedOutAt, !killed, now >= timedOutAt + policy.killAfter.nanoseconds {
        killed = true
        actions.append(.signalGroup(SIGKILL))
      }
      if now >= nextHeartbeat {
        nextHeartbeat = now + policy.heartbeat.nanoseconds
        actions.append(.heartbeat)
      }
      return actions
    }
  }

  /// A signal for the group, then SIGCONT (coreutils timeout.c): a stopped process acts on
  /// TERM only once it runs again.
  static func delivering(_ signal: Int32) -> [Action] {
    signal == SIGKILL || signal == SIGCONT ? [.signalGroup(signal)] : [.signalGroup(signal), .signalGroup(SIGCONT)]
  }

  /// The row for a child that ended with `outcome` under this supervision.
  public func record(for outcome: ChildOutcome) -> RunRecord {
    var record = RunRecord(child: outcome)
    if let timeout = policy.timeout, timedOutAt != nil {
      record.status = .failed
      record.note = "timed out after \(timeout); sent SIGTERM"
        + (killed ? ", then SIGKILL after --kill-after \(policy.killAfter)" : "")
    } else if let signal = firstForwardedSignal {
      record.note = "cronlock received signal \(signal) and forwarded it to the command"
    }
    return record
  }

  /// cronlock's exit status: 124 after a timeout (as timeout(1)), else the child's.
  public func exitStatus(for outcome: ChildOutcome) -> Int32 {
    timedOutAt != nil ? ExitStatus.timedOut : ExitStatus.forChild(outcome)
  }
}
