import CLibPQ

#if canImport(Glibc)
import Glibc
#endif

/// One libpq connection, owned and freed exactly once. The only type besides `QueryResult`
/// that touches libpq pointers.
public final class Connection {
  private let handle: OpaquePointer

  private init(handle: OpaquePointer) {
    self.handle = handle
    // Quiet by default: libpq would print NOTICEs (e.g. "relation already exists") on stderr.
    PQsetNoticeProcessor(handle, { _, _ in }, nil)
  }

  deinit {
    PQfinish(handle)
  }

  /// Connects with libpq's defaults (`PGHOST`, `PGSERVICE`, `~/.pgpass`, …) overridden by
  /// `url` (a URI or `key=value` string, passed whole with `expand_dbname`).
  public static func connect(url: String?, connectTimeout: TimeSpan) throws(PostgresError) -> Connection {
    // Later keywords win over the URL's: --connect-timeout is always in force.
    var pairs: [(String, String)] = [
      ("fallback_application_name", "cronlock"),
      ("keepalives", "1"),
      ("keepalives_idle", "30"),
      ("keepalives_interval", "10"),
      ("keepalives_count", "3"),
    ]
    if let url { pairs.append(("dbname", url)) }
    pairs.append(("connect_timeout", String(connectTimeout.secondsRoundedUp(minimum: 2))))

    let keywords = pairs.map { strdup($0.0) }
    let values = pairs.map { strdup($0.1) }
    defer {
      keywords.forEach { free($0) }
      values.forEach { free($0) }
    }
    let handle: OpaquePointer? = (keywords.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { keys in
      (values.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { vals in
        PQconnectdbParams(keys.baseAddress, vals.baseAddress, 1)
      }
    }
    guard let handle else {
      throw PostgresError(kind: .connectionFailed, message: "out of memory allocating a connection")
    }
    guard PQstatus(handle) == CONNECTION_OK else {
      // Build the error before freeing the handle it reads from.
      let error = PostgresError(
        kind: .connectionFailed,
        message: String(cString: PQerrorMessage(handle)),
        authenticationFailed: PQconnectionNeedsPassword(handle) != 0
      )
      PQfinish(handle)  // libpq: call PQfinish even when the attempt failed.
      throw error
    }
    return Connection(handle: handle)
  }

  /// Checks a connection string without connecting; returns libpq's complaint, if any.
  public static func validate(url: String) -> String? {
    var message: UnsafeMutablePointer<CChar>?
    guard let options = PQconninfoParse(url, &message) else {
      defer { PQfreemem(message) }
      return message.map { String(cString: $0) } ?? "out of memory"
    }
    PQconninfoFree(options)
    return nil
  }

  /// The value libpq parsed for `keyword` in `url` (e.g. its password), if it parses.
  public static func parsedValue(of keyword: String, in url: String) -> String? {
    var message: UnsafeMutablePointer<CChar>?
    guard let options = PQconninfoParse(url, &message) else {
      PQfreemem(message)
      return nil
    }
    defer { PQconninfoFree(options) }
    var option = options
    while let name = option.pointee.keyword {
      if String(cString: name) == keyword, let value = option.pointee.val {
        return String(cString: value)
      }
      option += 1
    }
    return nil
  }

  public var isHealthy: Bool { PQstatus(handle) == CONNECTION_OK }

  /// Runs one parameterised statement (text parameters; `nil` is SQL NULL).
  @discardableResult
  public func execute(_ sql: String, _ parameters: [String?] = []) throws(PostgresError) -> QueryResult {
    let copies = parameters.map { $0.map { strdup($0) } ?? nil }
    defer { copies.forEach { free($0) } }
    let raw: OpaquePointer? = copies.map { UnsafePointer($0) }.withUnsafeBufferPointer { values in
      PQexecParams(handle, sql, Int32(parameters.count), nil, values.baseAddress, nil, nil, 0)
    }
    guard let raw else {
      throw PostgresError(kind: .connectionLost, message: String(cString: PQerrorMessage(handle)))
    }
    switch PQresultStatus(raw) {
    case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
      return QueryResult(handle: raw)
    default:
      let error = PostgresError(
        kind: PQstatus(handle) == CONNECTION_OK ? .server : .connectionLost,
        sqlState: PQresultErrorField(raw, cronlock_diag_sqlstate()).map { SQLState(String(cString: $0)) },
        message: String(cString: PQresultErrorMessage(raw))
      )
      PQclear(raw)
      throw error
    }
  }
}

/// A successful result, cleared when it goes out of scope.
public struct QueryResult: ~Copyable {
  fileprivate let handle: OpaquePointer

  deinit {
    PQclear(handle)
  }

  public var rowCount: Int { Int(PQntuples(handle)) }
  public var columnCount: Int { Int(PQnfields(handle)) }

  /// Rows changed by an INSERT, UPDATE or DELETE.
  public var affectedRows: Int { Int(String(cString: PQcmdTuples(handle))) ?? 0 }

  public func columnName(_ column: Int) -> String { String(cString: PQfname(handle, Int32(column))) }

  /// The text of one field, or nil for SQL NULL.
  public func value(row: Int, column: Int) -> String? {
    if PQgetisnull(handle, Int32(row), Int32(column)) != 0 { return nil }
    return String(cString: PQgetvalue(handle, Int32(row), Int32(column)))
  }
}
