/// What `cronlock purge` deletes: terminal rows (FINISHED, FAILED, ABANDONED — never RUNNING)
/// whose `updated_at` is older than `ttl` by the database's clock, and whose slot stopped being
/// claimable by that clock (`slot_end < now() - Slot.claimableAfterEnd`), so a host firing late
/// still finds the row and loses, and none can win the slot once the row is gone. A row without `slot_end` (an explicit `--identifier`, or a
/// Go locker's row) has no end: the TTL alone governs it, and once purged, that identifier can
/// be claimed again.
public struct PurgeRequest: Sendable, Equatable {
  /// Shorter TTLs are refused: they would delete the history of runs that just ended.
  public static let minimumTTL = TimeSpan.seconds(60)
  /// Rows per DELETE; each batch is its own short transaction, so a claim that must wait for
  /// one (same job and slot) waits milliseconds, not the whole purge.
  public static let defaultBatchSize = 2000
  /// Explicit, not "all but RUNNING": a status added later must not become purgeable by accident.
  public static let terminalStatuses: [RunStatus] = [.finished, .failed, .abandoned]

  public var ttl: TimeSpan
  public var job: String?
  public var batchSize: Int

  public init(ttl: TimeSpan, job: String? = nil, batchSize: Int = PurgeRequest.defaultBatchSize) {
    self.ttl = ttl
    self.job = job
    self.batchSize = batchSize
  }

  /// A one-sentence complaint if the request is unsafe, else nil.
  public var problem: String? {
    ttl < Self.minimumTTL
      ? "--ttl \(ttl) is under one minute; purge keeps at least a minute of history (use --ttl 1m or more)"
      : nil
  }
}
