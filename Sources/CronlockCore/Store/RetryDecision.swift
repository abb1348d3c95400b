/// How one failed attempt of a store operation is to be read; each store maps its own errors
/// onto this, and `RetryDecision` does the rest the same way for both.
public enum AttemptFailure: Sendable, Equatable {
  /// The slot is another worker's (a unique violation, a serialization failure): not an error.
  case lost
  /// Worth another try: the server was unreachable, restarting or full, or the file was busy.
  /// `mayHaveCommitted`: the statement was sent and no answer came, so it may have landed.
  case transient(String, mayHaveCommitted: Bool)
  /// Retrying cannot help (configuration, privileges) or must not (interrupted).
  case final(CronlockError)
}

extension AttemptFailure {
  /// What went wrong, for a line saying a retry comes.
  public var problem: String {
    switch self {
    case .lost: "the slot is taken"
    case .transient(let problem, _): problem
    case .final(let error): error.message
    }
  }
}

/// The retry loop's decisions, as a value: failures and the time left in, the next step out.
/// No clock and no I/O here, so every branch is unit-tested.
public struct RetryDecision: Sendable {
  public enum Step: Sendable, Equatable {
    /// The slot is lost; stop.
    case lost
    /// Try again after this pause; read the row back first if the last attempt may have committed.
    case retry(after: TimeSpan, readBackFirst: Bool)
    /// Give up with this error.
    case fail(CronlockError)
  }

  /// The whole budget, --connect-timeout (named in the message when it runs out).
  public let budget: TimeSpan
  /// What the caller is trying to do, for messages ("claim the slot").
  public let doing: String
  private var backoff = Backoff()
  /// Sticky: once an attempt may have committed, every later attempt reads back first.
  public private(set) var readBackFirst = false
  public private(set) var attempts = 0

  public init(budget: TimeSpan, doing: String) {
    self.budget = budget
    self.doing = doing
  }

  /// The next step after `failure`, with `timeLeft` of the budget remaining.
  public mutating func next<Random: RandomNumberGenerator>(after failure: AttemptFailure, timeLeft: TimeSpan,
                                                           using random: inout Random) -> Step
  {
    attempts += 1
    switch failure {
    case .lost:
      return .lost
    case .final(let error):
      return .fail(error)
    case .transient(let problem, let mayHaveCommitted):
      if mayHaveCommitted { readBackFirst = true }
      let pause = backoff.nextPause(using: &random)
      guard timeLeft > pause else {
        return .fail(.unavailable("cannot \(doing): gave up after --connect-timeout \(budget): \(problem)"))
      }
      return .retry(after: pause, readBackFirst: readBackFirst)
    }
  }

  public mutating func next(after failure: AttemptFailure, timeLeft: TimeSpan) -> Step {
    var random = SystemRandomNumberGenerator()
    return next(after: failure, timeLeft: timeLeft, using: &random)
  }
}

/// Retry pauses: 100 ms doubling to 1 s, each with ±50 % jitter so many hosts spread out.
struct Backoff: Sendable {
  private var next = TimeSpan.milliseconds(100)

  mutating func nextPause<Random: RandomNumberGenerator>(using random: inout Random) -> TimeSpan {
    let jittered = TimeSpan(nanoseconds: next.nanoseconds / 2 + Int64.random(in: 0...next.nanoseconds, using: &random))
    next = min(TimeSpan(nanoseconds: next.nanoseconds * 2), .seconds(1))
    return jittered
  }
}

extension Deadline {
  /// What is left before the deadline (zero once it has passed; a day and more for never).
  var timeLeft: TimeSpan {
    guard nanoseconds != .max else { return TimeSpan(nanoseconds: .max) }
    return TimeSpan(nanoseconds: max(0, nanoseconds - Deadline.monotonicNow()))
  }
}
