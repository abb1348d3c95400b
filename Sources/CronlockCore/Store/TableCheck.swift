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
  /// Reads the table's state, the role's privileges, synchronous_commit and the clock skew in
  /// one round trip; 75 when the server cannot be reached, 78 for a bad URL or credentials.
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
             current_setting('server_version'), current_user
      """
    let values: [String?]
    do throws(PostgresError) {
      let result = try connection.execute(sql, [table.quoted, Self.timestamptz(Timestamp.now())], deadline: statementDeadline)
      values = (0..<result.columnCount).map { result.value(row: 0, column: $0) }
    } catch {
      throw classify(error, doing: "check \(table)")
    }
    var check = TableCheck()
    let exists = values[0] == "t"
    check.add("table", exists, exists ? "table \(table) exists" : "table \(table) does not exist; run 'cronlock migrate'")
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
