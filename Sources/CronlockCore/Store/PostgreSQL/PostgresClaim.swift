/// The claim's SQL: one statement normally; with --no-overlap, a short READ COMMITTED
/// transaction that first takes a transaction-level advisory lock on the job (safe through
/// PgBouncer's transaction pooling, unlike a session lock) and then looks for a live run, sent
/// in one round trip.
struct PostgresClaim {
  let table: TableName
  let request: ClaimRequest
  /// Whether this run token may already be in the table: an earlier attempt with it was sent
  /// (and may have committed unacknowledged). Only then does the claim also look for a row
  /// holding it. The first attempt cannot find one — the token is new — and the lookup costs
  /// the server more than the rest of the claim (planning a read of the table in a fresh
  /// backend: +0.85 ms of a 2 ms claim).
  let mayBeRepeated: Bool

  func run(on connection: Connection, deadline: Deadline) throws(PostgresError) -> Claim {
    _ = connection.takeWarnings()
    return try confirmed(claim(on: connection, deadline: deadline), on: connection)
  }

  /// A won claim whose commit came with a WARNING is not a win: the server says the commit
  /// may not have reached the synchronous standby (its wait was cancelled), so a failover
  /// could lose the row and another host run the slot. The outcome is unknown: 75.
  private func confirmed(_ claim: Claim, on connection: Connection) throws(PostgresError) -> Claim {
    let warnings = connection.takeWarnings()
    guard case .won = claim.outcome, let warning = warnings.first else { return claim }
    throw PostgresError(kind: .unconfirmed, message: warning, scrubbing: .none)
  }

  private func claim(on connection: Connection, deadline: Deadline) throws(PostgresError) -> Claim {
    guard request.noOverlap else {
      return try decode(connection.execute(statement(checkingOverlap: false), parameters,
                                           deadline: deadline))
    }
    // One round trip: the server runs each statement after the one before, so the claim's
    // snapshot is taken once the advisory lock is granted, and it sees a run committed while we
    // waited there.
    let statements = [
      Connection.Statement("BEGIN ISOLATION LEVEL READ COMMITTED"),
      Connection.Statement(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0)), set_config('lock_timeout', $2, true)",
        [table.description + "\u{1F}" + request.job, lockTimeout]),
      Connection.Statement(statement(checkingOverlap: true), parameters),
      Connection.Statement("COMMIT"),
    ]
    do throws(PostgresError) {
      return try decode(connection.execute(together: statements, keeping: 2, deadline: deadline))
    } catch {
      if connection.isHealthy { _ = try? connection.execute("ROLLBACK", deadline: deadline) }
      throw error
    }
  }

  private var lockTimeout: String { "\(request.lockTimeout.milliseconds)ms" }

  private var parameters: [String?] {
    [
      request.job, request.slot.identifier, request.worker, String(request.pid), request.command,
      request.slot.end.map(PostgresLockStore.timestamptz), request.runToken, Version.current,
      lockTimeout, PostgresLockStore.timestamptz(Timestamp.now()), String(request.heartbeat.secondsRoundedUp()),
      "\(Slot.claimableAfterEnd.nanoseconds / 1000) microseconds", request.slotRule,
    ]
  }

  /// A time slot that ended more than `Slot.claimableAfterEnd` ago by the database's clock is
  /// never claimed, so a host whose clock is far behind cannot win a slot purge may have cleared.
  ///
  /// `finishable`, an UPDATE of every column `finish` sets `WHERE false`, touches no row (the
  /// planner makes it a one-time filter) but needs UPDATE on those columns, checked before
  /// anything is written: a role that could claim but never record the outcome fails here
  /// (42501, 78) and the command does not start, at no extra round trip. It is a CTE of its own,
  /// not the claim's `ON CONFLICT DO UPDATE … WHERE false`: that form locks the conflicting row
  /// before it reads `WHERE false`, so every losing host would write a lock record and wait for a
  /// WAL flush at commit — the skip path of a whole fleet paying an fsync for nothing.
  ///
  /// set_config(…, true) is SET LOCAL inside the statement's own transaction, so without
  /// --no-overlap the claim is one round trip. synchronous_commit = on so an acknowledged claim
  /// survives a server crash even where the server runs with it off. The outer SELECT returns a
  /// row whether the insert won (its id) or lost (NULL), with the clock skew measured either way.
  /// A row already holding this run token is ours (an earlier attempt committed, unacknowledged):
  /// the claim is idempotent per run token, as on SQLite.
  ///
  /// A fresh backend pays for every function, operator, cast and relation a statement names
  /// (cold catalog caches), and the claim always meets a fresh backend unless a pooler sits in
  /// between, so the statement names only what this claim needs: the live-run lookup only with
  /// --no-overlap, the run-token lookup only on a repeat, the skew as a float (date_part; the
  /// numeric `extract` and `round` cost 0.15 ms more), and the arithmetic as the operators'
  /// functions (timestamptz_mi is `-`, and so on): an operator is resolved among all of its
  /// overloads, a function by its one signature, 0.2 ms of the claim.
  private func statement(checkingOverlap: Bool) -> String {
    let settings = """
      settings AS (
        SELECT set_config('synchronous_commit', 'on', true), set_config('lock_timeout', $9, true),
               float8mul(date_part('epoch', timestamptz_mi($10::timestamptz, now())), 1000) AS skew_ms,
               coalesce(timestamptz_le($6::timestamptz, timestamptz_mi_interval(now(), $12::interval)), false) AS ended
      )
      """
    let live = """
      live AS (
        SELECT id, worker FROM \(table.quoted)
        WHERE job_name = $1 AND status = 'RUNNING'
          AND updated_at > now() - make_interval(secs => 3 * coalesce(heartbeat_seconds, 30))
        ORDER BY id DESC LIMIT 1
      )
      """
    let finishable = """
      finishable AS (
        UPDATE \(table.quoted)
          SET status = status, exit_code = exit_code, signal = signal, note = note,
              finished_at = finished_at, updated_at = updated_at, output = output
          WHERE false
      )
      """
    let claimed = """
      claimed AS (
        INSERT INTO \(table.quoted)
          (created_at, updated_at, job_name, job_identifier, worker, status,
           pid, command, slot_end, run_token, cronlock_version, clock_skew_ms, heartbeat_seconds, slot_rule)
        SELECT now(), now(), $1, $2, $3, 'RUNNING', $4::integer, $5, $6::timestamptz, $7, $8,
               int4(float8larger(float8smaller(skew_ms, 2147483647), -2147483648)), $11::integer, $13
        FROM settings WHERE NOT ended\(checkingOverlap ? " AND NOT EXISTS (SELECT 1 FROM live)" : "")
        ON CONFLICT (job_name, job_identifier) DO NOTHING
        RETURNING id
      )
      """
    let ours = mayBeRepeated
      ? """
        coalesce((SELECT id FROM claimed),
                 (SELECT id FROM \(table.quoted) WHERE job_name = $1 AND job_identifier = $2 AND run_token = $7))
        """
      : "(SELECT id FROM claimed)"
    let running = checkingOverlap ? "(SELECT id FROM live), (SELECT worker FROM live)" : "NULL, NULL"
    // Concatenated, not `joined`: the generic joined's first use in a process looks up its
    // conformances at run time, 0.17 M instructions of a skip's 11.
    let ctes = settings + (checkingOverlap ? ", " + live : "") + ", " + finishable + ", " + claimed
    return "WITH " + ctes + "\nSELECT \(ours), skew_ms, \(running), ended FROM settings"
  }

  private func decode(_ result: borrowing QueryResult) -> Claim {
    let skew = result.value(row: 0, column: 1).flatMap(Self.milliseconds).map(ClockSkew.init(milliseconds:))
    if let id = result.value(row: 0, column: 0).flatMap({ Int64($0) }) {
      return Claim(outcome: .won(runID: id), clockSkew: skew)
    }
    var claim = Claim(outcome: .lost, clockSkew: skew)
    if result.value(row: 0, column: 4) == "t" {
      // Purge may already have removed the slot's row; winning it now would run it twice.
      claim.reason = "the slot ended more than \(Slot.claimableAfterEnd) before this claim, by the database's clock"
    } else if let running = result.value(row: 0, column: 2) {
      claim.reason = "run \(running) of this job is still running on \(result.value(row: 0, column: 3) ?? "another worker") (--no-overlap)"
    }
    return claim
  }

  /// The skew column: float8 text in milliseconds, rounded; beyond ±2^53 ms (285,000 years) it
  /// is clamped there.
  static func milliseconds(_ text: String) -> Int64? {
    guard let value = Double(text), value.isFinite else { return nil }
    let limit = 9_007_199_254_740_992.0
    return Int64(min(max(value, -limit), limit).rounded())
  }
}
