/// How `migrate` treats rows that share a slot, which keep the unique index from being made.
public enum DuplicateResolution: String, Sendable, CaseIterable {
  /// Refuse (78), listing them, and change nothing.
  case refuse
  /// Keep each slot's first row (the lowest id, the first claim) and delete the others, in the
  /// migration's transaction, reporting each row deleted.
  case keepFirst = "keep-first"
}

/// What `migrate` is asked to do.
public struct MigrationOptions: Sendable, Equatable {
  public var duplicates: DuplicateResolution

  public init(duplicates: DuplicateResolution = .refuse) {
    self.duplicates = duplicates
  }
}

/// What `migrate` did.
public struct MigrationReport: Sendable, Equatable {
  public var createdTable: Bool
  public var createdUniqueIndex: Bool
  /// Rows deleted by `--resolve-duplicates keep-first`, each with the id of the row kept.
  public var removedDuplicates: [(removed: HistoryRow, kept: Int64)]

  public init(createdTable: Bool, createdUniqueIndex: Bool, removedDuplicates: [(removed: HistoryRow, kept: Int64)] = []) {
    self.createdTable = createdTable
    self.createdUniqueIndex = createdUniqueIndex
    self.removedDuplicates = removedDuplicates
  }

  public static func == (left: MigrationReport, right: MigrationReport) -> Bool {
    left.createdTable == right.createdTable && left.createdUniqueIndex == right.createdUniqueIndex
      && left.removedDuplicates.map(\.removed) == right.removedDuplicates.map(\.removed)
      && left.removedDuplicates.map(\.kept) == right.removedDuplicates.map(\.kept)
  }
}

/// Rows that share a (job_name, job_identifier), as both stores find them: ordered by slot,
/// then by id.
struct Duplicates {
  let rows: [HistoryRow]

  /// Each slot's rows, oldest first.
  var slots: [[HistoryRow]] {
    var groups: [[HistoryRow]] = []
    for row in rows {
      if let last = groups.last?.first, last.job == row.job, last.identifier == row.identifier {
        groups[groups.count - 1].append(row)
      } else {
        groups.append([row])
      }
    }
    return groups
  }

  /// What keep-first deletes: every row of a slot but its first.
  var extras: [(removed: HistoryRow, kept: Int64)] {
    slots.flatMap { slot in slot.dropFirst().map { ($0, slot[0].id) } }
  }

  /// The 78 that lists them (the first ten slots) and names the way through.
  func refusal(table: TableName) -> CronlockError {
    let shown = slots.prefix(10).map { slot in
      "job '\(Self.escaped(slot[0].job))' slot '\(Self.escaped(slot[0].identifier))': "
        + slot.map { "row \($0.id) (worker '\(Self.escaped($0.worker))', \(Self.escaped($0.status)))" }
          .joined(separator: ", ")
    }
    let more = slots.count > 10 ? "; and \(slots.count - 10) more slots" : ""
    return .configuration(
      "cannot create the unique index on \(table)(job_name, job_identifier): \(slots.count) slot"
        + (slots.count == 1 ? " has" : "s have") + " more than one row (" + shown.joined(separator: "; ") + more
        + "); run 'cronlock migrate --resolve-duplicates keep-first' to keep each slot's first row and delete the others")
  }

  static func escaped(_ text: String?) -> String {
    text.map(TerminalText.escaped) ?? "NULL"
  }
}
