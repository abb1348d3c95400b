/// Stale runs: RUNNING rows whose heartbeat lapsed — a crashed host, a SIGKILLed cronlock, or
/// a Go locker's row that was never finished.
extension PostgresLockStore {
  /// Marks RUNNING rows with no sign of life for `after` (and for three heartbeats, whichever
  /// is longer) ABANDONED, with a note; returns how many. With `dryRun`, only counts them.
  public func abandonStale(after: TimeSpan, job: String?, dryRun: Bool) throws(CronlockError) -> Int {
    let condition = """
      status = 'RUNNING'
        AND updated_at < now() - greatest($1::interval, make_interval(secs => 3 * coalesce(heartbeat_seconds, 0)))
        AND ($2::text IS NULL OR job_name = $2)
      """
    let sql = dryRun
      ? "SELECT count(*) FROM \(table.quoted) WHERE \(condition)"
      : """
        UPDATE \(table.quoted)
        SET status = 'ABANDONED', updated_at = now(),
            note = 'no sign of life since ' || to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC; '
                   || 'marked ABANDONED by cronlock purge --stale-after ' || $3
        WHERE \(condition)
        """
    var parameters: [String?] = ["\(after.nanoseconds / 1000) microseconds", job]
    if !dryRun { parameters.append(after.description) }
    do throws(PostgresError) {
      let result = try connection.execute(sql, parameters, deadline: statementDeadline)
      return dryRun ? Int(result.value(row: 0, column: 0) ?? "") ?? 0 : result.affectedRows
    } catch {
      throw classify(error, doing: "mark stale runs of \(table)")
    }
  }
}
