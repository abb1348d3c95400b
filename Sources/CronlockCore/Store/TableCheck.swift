/// What `cronlock check` found out about the lock table and this role.
public struct TableCheck: Sendable, Equatable {
  /// One verdict: a short name, whether it holds, and a sentence for people.
  public struct Item: Sendable, Equatable {
    public let name: String
    public let ok: Bool
    /// Whether `run` needs it; the others only warn.
    public let required: Bool
    public let detail: String
  }

  public var items: [Item] = []
  public var clockSkew: ClockSkew?
  public var serverVersion = ""
  public var role = ""

  /// Everything `run` needs holds.
  public var ready: Bool { items.allSatisfy { $0.ok || !$0.required } }

  mutating func add(_ name: String, _ ok: Bool, required: Bool = true, _ detail: String) {
    items.append(Item(name: name, ok: ok, required: required, detail: detail))
  }
}

extension PostgresLockStore {
  /// Reads, in one round trip over the connection `run` would make: the table (schema-qualified,
  /// never through search_path) and what search_path would find instead, its index, columns and
  /// row-level security, the role's privileges, whether the session can write at all (a standby,
  /// a read-only default), replication, synchronous_commit and the clock skew. 75 when the server
  /// cannot be reached, 78 for a bad URL or credentials.
  public func check(maxSkew: TimeSpan) throws(CronlockError) -> TableCheck {
    let sql = """
      SELECT to_regclass($1) IS NOT NULL,
             (\(PostgresSchema.uniqueIndexQuery)),
             (SELECT string_agg(attname::text, ',') FROM pg_attribute
              WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped),
             has_table_privilege(to_regclass($1), 'SELECT'), has_table_privilege(to_regclass($1), 'INSERT'),
             has_table_privilege(to_regclass($1), 'UPDATE'), has_table_privilege(to_regclass($1), 'DELETE'),
             current_setting('synchronous_commit'),
             round(extract(epoch FROM $2::timestamptz - clock_timestamp()) * 1000)::bigint,
             current_setting('server_version'), current_user,
             pg_is_in_recovery(), current_setting('transaction_read_only'),
             current_setting('default_transaction_read_only'),
             (SELECT c.relrowsecurity FROM pg_class c WHERE c.oid = to_regclass($1)),
             (SELECT r.rolsuper OR r.rolbypassrls OR (pg_has_role(c.relowner, 'USAGE') AND NOT c.relforcerowsecurity)
              FROM pg_class c, pg_roles r WHERE c.oid = to_regclass($1) AND r.rolname = current_user),
             (SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c
              JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE c.oid = to_regclass($3) AND c.oid IS DISTINCT FROM to_regclass($1)),
             (SELECT c.relpersistence = 't' FROM pg_class c WHERE c.oid = to_regclass($3)),
             (SELECT count(*) FILTER (WHERE state = 'streaming') FROM pg_stat_replication),
             (SELECT count(*) FILTER (WHERE state = 'streaming' AND sync_state IN ('sync', 'quorum'))
              FROM pg_stat_replication),
             (SELECT count(*) FILTER (WHERE state IS NULL) FROM pg_stat_replication),
             current_setting('synchronous_standby_names')
      """
    let values: [String?]
    do throws(PostgresError) {
      let result = try connection.execute(
        sql, [table.quoted, Self.timestamptz(Timestamp.now()), table.quotedUnqualified], deadline: statementDeadline)
      values = (0..<result.columnCount).map { result.value(row: 0, column: $0) }
    } catch {
      throw classify(error, doing: "check \(table)")
    }
    var check = TableCheck()
    let exists = values[0] == "t"
    let elsewhere = values[16]
    let elsewhereIsTemporary = values[17] == "t"
    if exists {
      check.add("table", true, "table \(table) exists")
    } else if let elsewhere, !elsewhereIsTemporary {
      check.add("table", false, "table \(table) does not exist, but search_path finds \(elsewhere): "
        + "cronlock never looks there; pass --table \(elsewhere) to use it, or run 'cronlock migrate --table \(table)' "
        + "to create a new one")
    } else {
      check.add("table", false, "table \(table) does not exist; run 'cronlock migrate'")
    }
    if let elsewhere {
      // cronlock is not fooled, but a client naming the table without its schema (a Go locker) is.
      check.add("search-path", false, required: false,
                "search_path resolves \(table.name) to \(elsewhere)"
                  + (elsewhereIsTemporary ? ", a temporary table" : "")
                  + ", not \(table): cronlock never uses it, but a client naming the table without its schema would")
    }
    if exists {
      check.add("unique-index", values[1] == "t", values[1] == "t"
        ? "a valid unique index on (job_name, job_identifier) exists"
        : "no valid unique index on (job_name, job_identifier); run 'cronlock migrate'")
      let present = Set((values[2] ?? "").split(separator: ",").map(String.init))
      let missing = PostgresSchema.cronlockColumns.map(\.name).filter { !present.contains($0) }
      check.add("columns", missing.isEmpty, missing.isEmpty
        ? "cronlock's columns are present"
        : "missing columns \(missing.joined(separator: ", ")); run 'cronlock migrate'")
      for (index, privilege, needs) in [(3, "SELECT", "run, list"), (4, "INSERT", "run"), (5, "UPDATE", "run, purge")] {
        let held = values[index] == "t"
        check.add("privilege-\(privilege.lowercased())", held,
                  "\(held ? "may" : "may not") \(privilege) (needed by \(needs))")
      }
      let delete = values[6] == "t"
      check.add("privilege-delete", delete, required: false, "\(delete ? "may" : "may not") DELETE (needed by purge)")
      check.addRowLevelSecurity(on: table, enabled: values[14] == "t", bypassed: values[15] == "t")
    }
    let standby = values[11] == "t"
    check.add("standby", !standby, standby
      ? "connected to a standby (pg_is_in_recovery): every claim would fail; name the primary too, "
        + "with target_session_attrs=read-write in a multi-host conninfo"
      : "connected to a primary (not in recovery)")
    let readOnly = values[12] == "on" || values[13] == "on"
    check.add("read-only", !readOnly, readOnly
      ? "this session is read-only (transaction_read_only = \(values[12] ?? "?"), default_transaction_read_only = "
        + "\(values[13] ?? "?")): every claim would fail"
      : "this session may write (transaction_read_only = off)")
    if !standby {
      check.addReplication(streaming: Int(values[18] ?? "") ?? 0, synchronous: Int(values[19] ?? "") ?? 0,
                           hidden: Int(values[20] ?? "") ?? 0, standbyNames: values[21] ?? "")
    }
    let synchronous = values[7] ?? "unknown"
    check.add("synchronous-commit", synchronous != "off", required: false,
              "server synchronous_commit = \(synchronous)" + (synchronous == "off" ? "; cronlock turns it on for its claims" : ""))
    check.clockSkew = values[8].flatMap { Int64($0) }.map(ClockSkew.init(milliseconds:))
    let skewOK = (check.clockSkew?.magnitude ?? .milliseconds(0)) <= maxSkew
    check.add("clock-skew", skewOK, required: false,
              "this host's clock differs from the database's by \(check.clockSkew.map { "\($0.milliseconds) ms" } ?? "an unknown amount")"
                + (skewOK ? "" : " (more than \(maxSkew))"))
    check.serverVersion = values[9] ?? ""
    check.role = values[10] ?? ""
    return check
  }
}

extension TableCheck {
  /// Row-level security hides other roles' rows: --no-overlap's look for a live run, the read-back
  /// of an unacknowledged claim and `list` stop seeing them. Not ready unless this role bypasses it,
  /// and even then a warning, since other hosts' roles may not.
  mutating func addRowLevelSecurity(on table: TableName, enabled: Bool, bypassed: Bool) {
    guard enabled else {
      add("row-level-security", true, "row-level security is off on \(table)")
      return
    }
    let what = "row-level security is enabled on \(table): it hides other roles' rows from --no-overlap's look for a "
      + "live run, from the read-back of an unacknowledged claim and from list"
    let fix = "ALTER TABLE \(table.quoted) DISABLE ROW LEVEL SECURITY"
    if bypassed {
      add("row-level-security", false, required: false, what + "; this role bypasses it, roles that do not will not (\(fix))")
    } else {
      add("row-level-security", false, what + " (\(fix))")
    }
  }

  /// Streaming standbys as pg_stat_replication shows them. All asynchronous is a named warning,
  /// not a failure: `run` works, but a failover can lose acknowledged claims, run a slot twice
  /// and repeat CRONLOCK_RUN_ID. check's exit status stays 0 for it (README, High availability).
  mutating func addReplication(streaming: Int, synchronous: Int, hidden: Int, standbyNames: String) {
    let names = standbyNames.isEmpty ? "empty" : "'\(standbyNames)'"
    if hidden > 0 {
      add("replication", !standbyNames.isEmpty, required: false,
          "this role cannot see the state of \(hidden + streaming) standby connection(s) in pg_stat_replication "
            + "(grant it pg_monitor); synchronous_standby_names is \(names)"
            + (standbyNames.isEmpty ? ", so replication is asynchronous and a failover can run a slot twice" : ""))
    } else if streaming == 0 {
      add("replication", true, required: false,
          "no streaming standbys (synchronous_standby_names is \(names)): nothing to fail over to that this server can see")
    } else if synchronous > 0 {
      add("replication", true, required: false,
          "\(streaming) streaming standby(s), \(synchronous) synchronous: an acknowledged claim survives a failover "
            + "to a synchronous standby")
    } else {
      add("replication", false, required: false,
          "\(streaming) streaming standby(s), all asynchronous: a failover can lose acknowledged claims, run a slot "
            + "twice and repeat CRONLOCK_RUN_ID; use synchronous replication (Patroni synchronous_mode)")
    }
  }
}
