/// The claim's SQL on SQLite: one `INSERT … ON CONFLICT DO NOTHING` normally; with
/// --no-overlap, a `BEGIN IMMEDIATE` transaction, which holds the file's write lock while it
/// looks for a live run of the job, so two claims cannot both see none.
struct SQLiteClaim {
  let table: TableName
  let request: ClaimRequest

  func run(on connection: SQLiteConnection, deadline: Deadline) throws(SQLiteError) -> Claim {
    let now = Timestamp.now()
    var claim = Claim(outcome: .lost, clockSkew: ClockSkew(milliseconds: 0))
    if let end = request.slot.end, end <= now.adding(TimeSpan(nanoseconds: -Slot.claimableAfterEnd.nanoseconds)) {
      // Purge may already have removed the slot's row; winning it now would run it twice.
      claim.reason = "the slot ended more than \(Slot.claimableAfterEnd) before this claim"
      return claim
    }
    // One read, before any write: a taken slot is lost without the write lock or an fsync (with
    // AUTOINCREMENT even a losing insert writes sqlite_sequence), and a retry after a failed
    // commit finds its own row by run token rather than trusting the rollback. The insert still
    // decides every win, so a claim committed after this read is lost by the conflict as usual.
    if let existing = try connection.query(
      "SELECT id, run_token FROM \(table.quoted) WHERE job_name = ?1 AND job_identifier = ?2",
      [.text(request.job), .text(request.slot.identifier)], deadline: deadline).first
    {
      if existing[1] == request.runToken, let id = existing[0].flatMap({ Int64($0) }) {
        claim.outcome = .won(runID: id)
        return claim
      }
      // With --no-overlap the transaction below still runs, so the loser hears about a live run.
      if !request.noOverlap { return claim }
    }
    guard request.noOverlap else {
      claim.outcome = try insert(on: connection, now: now, deadline: deadline)
      return claim
    }
    try connection.query("BEGIN IMMEDIATE", deadline: deadline)
    do throws(SQLiteError) {
      let live = try connection.query(
        """
        SELECT id, worker FROM \(table.quoted)
        WHERE job_name = ?1 AND status = 'RUNNING'
          AND julianday(updated_at) > julianday(?2) - 3 * coalesce(heartbeat_seconds, 30) / 86400.0
        ORDER BY id DESC LIMIT 1
        """, [.text(request.job), .text(now.sqliteText)], deadline: deadline)
      if let running = live.first {
        claim.reason = "run \(running[0] ?? "?") of this job is still running on \(running[1] ?? "another worker") (--no-overlap)"
      } else {
        claim.outcome = try insert(on: connection, now: now, deadline: deadline)
      }
      try connection.query("COMMIT", deadline: deadline)
      return claim
    } catch {
      if connection.inTransaction { _ = try? connection.query("ROLLBACK", deadline: .after(.seconds(2))) }
      throw error
    }
  }

  private func insert(on connection: SQLiteConnection, now: Timestamp, deadline: Deadline) throws(SQLiteError) -> ClaimOutcome
  {
    let rows = try connection.query(
      """
      INSERT INTO \(table.quoted)
        (created_at, updated_at, job_name, job_identifier, worker, status,
         pid, command, slot_end, run_token, cronlock_version, clock_skew_ms, heartbeat_seconds, slot_rule)
      VALUES (?1, ?1, ?2, ?3, ?4, 'RUNNING', ?5, ?6, ?7, ?8, ?9, 0, ?10, ?11)
      ON CONFLICT (job_name, job_identifier) DO NOTHING
      RETURNING id
      """,
      [
        .text(now.sqliteText), .text(request.job), .text(request.slot.identifier), .text(request.worker),
        .integer(request.pid), .text(request.command), .text(request.slot.end?.sqliteText), .text(request.runToken),
        .text(Version.current), .integer(request.heartbeat.secondsRoundedUp()), .text(request.slotRule),
      ], deadline: deadline)
    guard let value = rows.first?.first, let text = value, let id = Int64(text) else { return .lost }
    return .won(runID: id)
  }
}
