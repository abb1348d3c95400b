/// The supervisor's decisions, as a value: events in, actions out. No system calls here,
/// so every transition is unit-tested; `Supervisor` carries the actions out.
public struct Supervision: Sendable, Equatable {
  public enum Event: Sendable, Equatable {
    /// cronlock received a signal it forwards.
    case signalReceived(Int32)
    /// The child ended.
    case childExited(ChildOutcome)
  }

  public enum Action: Sendable, Equatable {
    /// Send the signal to the child's process group.
    case forward(Int32)
    /// Stop supervising: the child ended like this.
    case finish(ChildOutcome)
  }

  /// The first signal cronlock forwarded, if any: the row's note says who stopped the child.
  public private(set) var firstForwardedSignal: Int32?
  public private(set) var finished = false

  public init() {}

  public mutating func handle(_ event: Event) -> Action? {
    guard !finished else { return nil }
    switch event {
    case .signalReceived(let signal):
      if firstForwardedSignal == nil { firstForwardedSignal = signal }
      return .forward(signal)
    case .childExited(let outcome):
      finished = true
      return .finish(outcome)
    }
  }

  /// The row for a child that ended with `outcome` under this supervision.
  public func record(for outcome: ChildOutcome) -> RunRecord {
    var record = RunRecord(child: outcome)
    if let signal = firstForwardedSignal {
      record.note = "cronlock received signal \(signal) and forwarded it to the command"
    }
    return record
  }
}
