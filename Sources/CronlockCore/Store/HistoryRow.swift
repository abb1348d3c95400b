/// One row of the lock table as `list` shows it. Every field but `id` may be unknown: the Go
/// lockers leave cronlock's columns NULL, and gorm's tables allow NULL names and times.
public struct HistoryRow: Sendable, Equatable {
  public var id: Int64
  public var job: String?
  public var identifier: String?
  public var worker: String?
  /// As stored; not limited to `RunStatus`, since other writers and later versions add more.
  public var status: String?
  /// `created_at`: when the slot was claimed.
  public var startedAt: Timestamp?
  public var updatedAt: Timestamp?
  public var finishedAt: Timestamp?
  /// When the slot stops being claimable; nil for explicit identifiers and Go rows.
  public var slotEnd: Timestamp?
  public var exitCode: Int32?
  public var signal: Int32?
  public var pid: Int32?
  public var command: String?
  public var note: String?
  public var cronlockVersion: String?
  /// The claiming host's clock minus the database's, measured by the claim.
  public var clockSkewMilliseconds: Int64?
  /// How often the run refreshes `updated_at`; nil for rows that never beat (the Go lockers').
  public var heartbeatSeconds: Int64?
  /// How long the run took, or for a RUNNING row how long it has been running.
  public var duration: TimeSpan?
  /// How the run named its slot (`SlotRule.stored`); nil for explicit identifiers' older rows and Go rows.
  public var slotRule: String?
  /// The tail of the command's output, when the run captured it and the query asked for it.
  public var output: [UInt8]?

  public init(id: Int64, job: String? = nil, identifier: String? = nil, worker: String? = nil,
              status: String? = nil, startedAt: Timestamp? = nil, updatedAt: Timestamp? = nil,
              finishedAt: Timestamp? = nil, slotEnd: Timestamp? = nil, exitCode: Int32? = nil,
              signal: Int32? = nil, pid: Int32? = nil, command: String? = nil, note: String? = nil,
              cronlockVersion: String? = nil, duration: TimeSpan? = nil) {
    self.id = id
    self.job = job
    self.identifier = identifier
    self.worker = worker
    self.status = status
    self.startedAt = startedAt
    self.updatedAt = updatedAt
    self.finishedAt = finishedAt
    self.slotEnd = slotEnd
    self.exitCode = exitCode
    self.signal = signal
    self.pid = pid
    self.command = command
    self.note = note
    self.cronlockVersion = cronlockVersion
    self.duration = duration
  }

  /// A row from a record keyed by the lock table's column names (`LockColumn`); a column the
  /// record lacks is unknown. `time` reads the store's text for an instant; `now` is the
  /// database's clock.
  init(record: [String: String?], time: (String) -> Timestamp?, now: Timestamp?) {
    func text(_ name: String) -> String? { record[name] ?? nil }
    func instant(_ name: String) -> Timestamp? { text(name).flatMap(time) }
    func int32(_ name: String) -> Int32? { text(name).flatMap { Int32($0) } }
    self.init(
      id: text("id").flatMap { Int64($0) } ?? 0, job: text("job_name"), identifier: text("job_identifier"),
      worker: text("worker"), status: text("status"), startedAt: instant("created_at"), updatedAt: instant("updated_at"),
      finishedAt: instant("finished_at"), slotEnd: instant("slot_end"), exitCode: int32("exit_code"),
      signal: int32("signal"), pid: int32("pid"), command: text("command"), note: text("note"),
      cronlockVersion: text("cronlock_version"))
    clockSkewMilliseconds = text("clock_skew_ms").flatMap { Int64($0) }
    heartbeatSeconds = text("heartbeat_seconds").flatMap { Int64($0) }
    slotRule = text("slot_rule")
    output = text("output").flatMap(Self.bytes(hex:))
    duration = Self.duration(status: status, startedAt: startedAt, updatedAt: updatedAt, finishedAt: finishedAt, now: now)
    if isStale(now: now) { status = Self.stale }
  }

  /// Bytes from the lowercase or uppercase hex the stores read `output` as; nil for anything else.
  static func bytes(hex: String) -> [UInt8]? {
    let digits = Array(hex.utf8)
    guard digits.count % 2 == 0 else { return nil }
    func value(_ digit: UInt8) -> UInt8? {
      switch digit {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
      default: nil
      }
    }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(digits.count / 2)
    var index = 0
    while index < digits.count {
      guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
      bytes.append(high << 4 | low)
      index += 2
    }
    return bytes
  }

  /// How `list` shows a RUNNING row whose run has stopped beating.
  public static let stale = "STALE"

  /// A RUNNING row is stale once its heartbeat is older than three of its intervals. Rows
  /// without a stored interval (the Go lockers') never beat, so nothing can judge them.
  func isStale(now: Timestamp?) -> Bool {
    guard status == RunStatus.running.rawValue, let heartbeatSeconds, let updatedAt, let now else { return false }
    // Another writer may have stored any heartbeat: a lapse too long to compute never lapses.
    let (lapse, overflow) = heartbeatSeconds.multipliedReportingOverflow(by: 3_000_000_000)
    guard !overflow, heartbeatSeconds > 0 else { return false }
    let (cutoff, under) = now.nanosecondsSinceEpoch.subtractingReportingOverflow(lapse)
    return !under && updatedAt.nanosecondsSinceEpoch < cutoff
  }

  /// Start to finish; for a RUNNING row, start to the database's `now`; for a terminal row
  /// without `finished_at` (the Go lockers' FINISHED rows), start to its last update. Nil when
  /// the start is unknown or the clocks that wrote the row disagree (a negative span).
  public static func duration(status: String?, startedAt: Timestamp?, updatedAt: Timestamp?,
                              finishedAt: Timestamp?, now: Timestamp?) -> TimeSpan? {
    guard let startedAt else { return nil }
    let end = finishedAt ?? (status == RunStatus.running.rawValue ? now : updatedAt)
    guard let end else { return nil }
    let (span, overflow) = end.nanosecondsSinceEpoch.subtractingReportingOverflow(startedAt.nanosecondsSinceEpoch)
    return overflow || span < 0 ? nil : TimeSpan(nanoseconds: span)
  }

  /// The fields of `--format json` and `csv`, in order; names are the JSON keys and CSV header.
  public var fields: [(name: String, value: HistoryValue)] {
    [
      ("id", .number(id)),
      ("job", .text(job)),
      ("identifier", .text(identifier)),
      ("worker", .text(worker)),
      ("status", .text(status)),
      ("started_at", .time(startedAt)),
      ("updated_at", .time(updatedAt)),
      ("finished_at", .time(finishedAt)),
      ("slot_end", .time(slotEnd)),
      ("duration_ms", .number(duration?.milliseconds)),
      ("exit_code", .number(exitCode.map(Int64.init))),
      ("signal", .number(signal.map(Int64.init))),
      ("pid", .number(pid.map(Int64.init))),
      ("command", .text(command)),
      ("note", .text(note)),
      ("cronlock_version", .text(cronlockVersion)),
      ("clock_skew_ms", .number(clockSkewMilliseconds)),
      ("heartbeat_seconds", .number(heartbeatSeconds)),
      ("slot_rule", .text(slotRule)),
    ]
  }

  /// The field names alone, for a CSV header with no rows.
  public static let fieldNames: [String] = HistoryRow(id: 0).fields.map(\.name)
}

/// One value of a machine-readable row; nil inside is SQL NULL (unknown).
public enum HistoryValue: Sendable, Equatable {
  case text(String?)
  case number(Int64?)
  /// Rendered as RFC 3339 in UTC.
  case time(Timestamp?)
}
