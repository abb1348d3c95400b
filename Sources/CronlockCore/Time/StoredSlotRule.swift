/// A slot rule as the lock table keeps it (`slot_rule`), so `cronlock status` on any host can
/// tell which slots a job should have run: `precision 5m`, `schedule Europe/Berlin 0 3 * * *`
/// (the zone's name, then the expression as written), or `identifier`.
public enum StoredSlotRule: Sendable, Equatable {
  case precision(TimeSpan)
  case schedule(zone: String, expression: String)
  /// Named by the caller: no slot is ever due.
  case identifier

  public init(_ rule: SlotRule) {
    switch rule {
    case .precision(let span): self = .precision(span)
    case .schedule(let expression, let zone): self = .schedule(zone: zone.name, expression: expression.source)
    case .identifier: self = .identifier
    }
  }

  /// Nil for text this version does not know (another writer, a later version).
  public init?(parsing text: String) {
    let words = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
    switch (words.first, words.count) {
    case ("precision", 2):
      guard let span = try? TimeSpan(parsing: String(words[1])), span.nanoseconds > 0 else { return nil }
      self = .precision(span)
    case ("schedule", 3) where !words[1].isEmpty && !words[2].isEmpty:
      self = .schedule(zone: String(words[1]), expression: String(words[2]))
    case ("identifier", 1):
      self = .identifier
    default:
      return nil
    }
  }

  public var text: String {
    switch self {
    case .precision(let span): "precision \(span)"
    case .schedule(let zone, let expression): "schedule \(zone) \(expression)"
    case .identifier: "identifier"
    }
  }
}
