extension PostgresLockStore {
  /// How many rows `purge` would delete now; deletes nothing.
  public func countPurgeable(_ request: PurgeRequest) throws(CronlockError) -> Int {
    do {
      let bounds = try purgeBounds(request)
      let statuses = PurgeRequest.terminalStatuses.map(\.rawValue)
      var parameters: [String?] = statuses + [bounds.cutoff, bounds.now]
      var sql = """
        SELECT count(*) FROM \(table.quoted)
        WHERE status IN ($1, $2, $3) AND updated_at < $4::timestamptz
          AND (slot_end IS NULL OR slot_end < $5::timestamptz)
        """
      if let job = request.job {
        parameters.append(job)
        sql += " AND job_name = $6"
      }
      return Int(try connection.execute(sql, parameters, deadline: statementDeadline).value(row: 0, column: 0) ?? "") ?? 0
    } catch {
      throw classify(error, doing: "count the rows to purge from \(table)")
    }
  }

  /// Deletes what `request` selects in batches of `batchSize`, each its own transaction, and
  /// returns how many rows went. Interrupting it is safe: finished batches stay deleted.
  public func purge(_ request: PurgeRequest) throws(CronlockError) -> Int {
    var deleted = 0
    do {
      let bounds = try purgeBounds(request)
      for status in PurgeRequest.terminalStatuses {
        // Keyset pagination over the (status, updated_at) index: each batch starts after the
        // last row the previous one looked at, so kept rows (slot not ended, other jobs) are
        // read once, not once per batch.
        var last: (updatedAt: String, id: String)?
        while true {
          let batch = try deleteBatch(status: status, bounds: bounds, after: last, request: request)
          deleted += batch.deleted
          guard let next = batch.last else { break }
          last = next
        }
      }
    } catch {
      let failure = classify(error, doing: "purge \(table)")
      // Every batch is its own transaction: what went before the failure stays deleted.
      throw CronlockError(failure.code, failure.message + "; stopped after deleting \(deleted) rows")
    }
    return deleted
  }

  /// The database's now − `Slot.claimableAfterEnd` (slots that ended before it can no longer
  /// be claimed) and now − ttl, read once so every batch uses the same bounds; as
  /// timestamptz literals that parse the same whatever the session's settings.
  private func purgeBounds(_ request: PurgeRequest) throws(PostgresError) -> (now: String, cutoff: String) {
    let result = try connection.execute(
      "SELECT \(Self.literal("now() - $2::interval")), \(Self.literal("now() - $1::interval"))",
      ["\(request.ttl.nanoseconds / 1000) microseconds", "\(Slot.claimableAfterEnd.nanoseconds / 1000) microseconds"], deadline: statementDeadline)
    return (result.value(row: 0, column: 0) ?? "", result.value(row: 0, column: 1) ?? "")
  }

  /// One DELETE of up to `batchSize` rows of `status`, in (updated_at, id) order after `after`.
  /// `id = ANY (ARRAY(…))` makes the DELETE find its rows by primary key; a join could be
  /// planned as a scan of the whole table for every batch. It repeats the conditions, so a row
  /// changed since it was selected is kept.
  private func deleteBatch(status: RunStatus, bounds: (now: String, cutoff: String),
                           after: (updatedAt: String, id: String)?, request: PurgeRequest)
    throws(PostgresError) -> (deleted: Int, last: (updatedAt: String, id: String)?)
  {
    var parameters: [String?] = [status.rawValue, bounds.cutoff, bounds.now, String(request.batchSize)]
    var extra = ""
    if let job = request.job {
      parameters.append(job)
      extra += " AND job_name = $\(parameters.count)"
    }
    if let after {
      parameters += [after.updatedAt, after.id]
      extra += " AND (updated_at, id) > ($\(parameters.count - 1)::timestamptz, $\(parameters.count)::bigint)"
    }
    let sql = """
      WITH doomed AS (
        SELECT id, updated_at FROM \(table.quoted)
        WHERE status = $1 AND updated_at < $2::timestamptz
          AND (slot_end IS NULL OR slot_end < $3::timestamptz)\(extra)
        ORDER BY updated_at, id
        LIMIT $4
      ), gone AS (
        DELETE FROM \(table.quoted)
        WHERE id = ANY (ARRAY(SELECT id FROM doomed)) AND status = $1 AND updated_at < $2::timestamptz
          AND (slot_end IS NULL OR slot_end < $3::timestamptz)
        RETURNING id
      )
      SELECT (SELECT count(*) FROM gone),
             \(Self.literal("updated_at")), id
      FROM (SELECT updated_at, id FROM doomed ORDER BY updated_at DESC, id DESC LIMIT 1) AS last
      """
    let result = try connection.execute(sql, parameters, deadline: statementDeadline)
    guard result.rowCount == 1, let updatedAt = result.value(row: 0, column: 1), let id = result.value(row: 0, column: 2)
    else { return (0, nil) }
    return (Int(result.value(row: 0, column: 0) ?? "") ?? 0, (updatedAt, id))
  }

  /// SQL giving `expression` (a timestamptz) as a literal that parses back to the same
  /// microsecond whatever the session's DateStyle and TimeZone: UTC, era marked, or ±infinity.
  private static func literal(_ expression: String) -> String {
    "CASE WHEN isfinite(\(expression)) THEN to_char((\(expression)) AT TIME ZONE 'UTC', "
      + "'YYYY-MM-DD HH24:MI:SS.US\"+00\" BC') ELSE (\(expression))::text END"
  }
}
