import CLibPQ

#if canImport(Glibc)
import Glibc
#endif

/// libpq's functions, resolved from `libpq.so.5` with `dlopen` the first time PostgreSQL is
/// used instead of linked: a run on SQLite, `--help` and `--version` never load libpq and its
/// dependency chain (GnuTLS, Kerberos, LDAP…), which costs more at start-up than all of
/// cronlock. Only `Connection` calls these.
struct LibPQ: @unchecked Sendable {
  static let soname = "libpq.so.5"

  /// The table, loaded once by whichever thread asks first (a static's initializer runs exactly
  /// once, under the runtime's lock), or why libpq cannot be used.
  private static let shared: Result<LibPQ, Unavailable> = Result { () throws(Unavailable) in try LibPQ() }

  struct Unavailable: Error {
    /// One line, for `cronlock: …`.
    let message: String
  }

  /// Loads libpq if nothing has yet; a host without it is 78 (it needs a package installed).
  static func load() throws(CronlockError) {
    if case .failure(let unavailable) = shared { throw .configuration(unavailable.message) }
  }

  /// Why libpq cannot be loaded, or nil when it is.
  static var failure: String? {
    if case .failure(let unavailable) = shared { return unavailable.message }
    return nil
  }

  /// The table, for code that runs only once `load()` succeeded (a `Connection` exists).
  static var api: LibPQ {
    guard case .success(let table) = shared else { preconditionFailure("libpq used although it could not be loaded") }
    return table
  }

  let PQconnectStartParams: cronlock_PQconnectStartParams_fn
  let PQconnectPoll: cronlock_PQconnectPoll_fn
  let PQstatus: cronlock_PQstatus_fn
  let PQsocket: cronlock_PQsocket_fn
  let PQfinish: cronlock_PQfinish_fn
  let PQerrorMessage: cronlock_PQerrorMessage_fn
  let PQconnectionNeedsPassword: cronlock_PQconnectionNeedsPassword_fn
  let PQconninfoParse: cronlock_PQconninfoParse_fn
  let PQconninfoFree: cronlock_PQconninfoFree_fn
  let PQfreemem: cronlock_PQfreemem_fn
  let PQgetCancel: cronlock_PQgetCancel_fn
  let PQfreeCancel: cronlock_PQfreeCancel_fn
  let PQcancel: cronlock_PQcancel_fn
  let PQsetNoticeReceiver: cronlock_PQsetNoticeReceiver_fn
  let PQresultErrorField: cronlock_PQresultErrorField_fn
  let PQsendQueryParams: cronlock_PQsendQueryParams_fn
  let PQisBusy: cronlock_PQisBusy_fn
  let PQconsumeInput: cronlock_PQconsumeInput_fn
  let PQgetResult: cronlock_PQgetResult_fn
  let PQresultStatus: cronlock_PQresultStatus_fn
  let PQresultErrorMessage: cronlock_PQresultErrorMessage_fn
  let PQclear: cronlock_PQclear_fn
  let PQntuples: cronlock_PQntuples_fn
  let PQnfields: cronlock_PQnfields_fn
  let PQfname: cronlock_PQfname_fn
  let PQcmdTuples: cronlock_PQcmdTuples_fn
  let PQgetisnull: cronlock_PQgetisnull_fn
  let PQgetvalue: cronlock_PQgetvalue_fn
  let PQenterPipelineMode: cronlock_PQenterPipelineMode_fn
  let PQexitPipelineMode: cronlock_PQexitPipelineMode_fn
  let PQpipelineSync: cronlock_PQpipelineSync_fn
  let PQpipelineStatus: cronlock_PQpipelineStatus_fn

  private init() throws(Unavailable) {
    // Never closed: the functions are used until the process ends. RTLD_LAZY, as linking did:
    // RTLD_NOW would also bind up front the chain's libraries not built with -z now (Kerberos'),
    // 12% more instructions for a skip (callgrind); missing functions are still found now, by dlsym.
    // RTLD_DEEPBIND: the chain's ~20 libraries bind to each other (and to libc, among them) before
    // they look through this binary's and libstdc++'s symbols, as they would in a C program
    // linking libpq. Nothing here interposes on them (no copy relocations, no malloc of our own).
    guard let library = dlopen(Self.soname, RTLD_LAZY | RTLD_LOCAL | RTLD_DEEPBIND) else {
      throw Unavailable(message: "cannot load \(Self.soname) (\(Self.lastError)): install the libpq5 package")
    }
    func resolve<Function>(_ name: String) throws(Unavailable) -> Function {
      guard let address = dlsym(library, name) else {
        // An older libpq than pipeline mode needs (14).
        throw Unavailable(message: "cannot load \(Self.soname) (\(Self.lastError)): install the libpq5 package, version 14 or later")
      }
      return unsafeBitCast(address, to: Function.self)
    }
    PQconnectStartParams = try resolve("PQconnectStartParams")
    PQconnectPoll = try resolve("PQconnectPoll")
    PQstatus = try resolve("PQstatus")
    PQsocket = try resolve("PQsocket")
    PQfinish = try resolve("PQfinish")
    PQerrorMessage = try resolve("PQerrorMessage")
    PQconnectionNeedsPassword = try resolve("PQconnectionNeedsPassword")
    PQconninfoParse = try resolve("PQconninfoParse")
    PQconninfoFree = try resolve("PQconninfoFree")
    PQfreemem = try resolve("PQfreemem")
    PQgetCancel = try resolve("PQgetCancel")
    PQfreeCancel = try resolve("PQfreeCancel")
    PQcancel = try resolve("PQcancel")
    PQsetNoticeReceiver = try resolve("PQsetNoticeReceiver")
    PQresultErrorField = try resolve("PQresultErrorField")
    PQsendQueryParams = try resolve("PQsendQueryParams")
    PQisBusy = try resolve("PQisBusy")
    PQconsumeInput = try resolve("PQconsumeInput")
    PQgetResult = try resolve("PQgetResult")
    PQresultStatus = try resolve("PQresultStatus")
    PQresultErrorMessage = try resolve("PQresultErrorMessage")
    PQclear = try resolve("PQclear")
    PQntuples = try resolve("PQntuples")
    PQnfields = try resolve("PQnfields")
    PQfname = try resolve("PQfname")
    PQcmdTuples = try resolve("PQcmdTuples")
    PQgetisnull = try resolve("PQgetisnull")
    PQgetvalue = try resolve("PQgetvalue")
    PQenterPipelineMode = try resolve("PQenterPipelineMode")
    PQexitPipelineMode = try resolve("PQexitPipelineMode")
    PQpipelineSync = try resolve("PQpipelineSync")
    PQpipelineStatus = try resolve("PQpipelineStatus")
  }

  /// dlerror's text, one line.
  private static var lastError: String {
    dlerror().map { PostgresError.oneLine(String(cString: $0)) } ?? "unknown error"
  }
}
