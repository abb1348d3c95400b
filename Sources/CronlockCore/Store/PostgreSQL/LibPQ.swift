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

  private static let shared = LoadedLibrary { () throws(DynamicLibrary.Unavailable) in try LibPQ() }

  /// Loads libpq if nothing has yet; a host without it is 78 (it needs a package installed).
  static func load() throws(CronlockError) { try shared.check() }

  /// Why libpq cannot be loaded, or nil when it is.
  static var failure: String? { shared.failure }

  /// The table, for code that runs only once `load()` succeeded.
  static var api: LibPQ { shared.table }

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

  private init() throws(DynamicLibrary.Unavailable) {
    // RTLD_LAZY, as linking did: RTLD_NOW would also bind up front the chain's libraries not
    // built with -z now (Kerberos'), 12% more instructions for a skip (callgrind); missing
    // functions are still found now, by dlsym. RTLD_DEEPBIND: the chain's ~20 libraries bind to
    // each other (and to libc, among them) before they look through this binary's symbols, as
    // they would in a C program linking libpq. Nothing here interposes on them (no copy
    // relocations, no malloc of our own).
    let library = try DynamicLibrary(Self.soname, package: "libpq5", flags: RTLD_LAZY | RTLD_LOCAL | RTLD_DEEPBIND)
    // 14 is the first with pipeline mode.
    func resolve<Function>(_ name: String) throws(DynamicLibrary.Unavailable) -> Function {
      try library.function(name, since: "14")
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
}
