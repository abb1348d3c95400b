import CSQLite

#if canImport(Glibc)
import Glibc
#endif

/// SQLite's functions, resolved from `libsqlite3.so.0` with `dlopen` the first time an SQLite
/// file is used instead of linked, as libpq is (LibPQ.swift): a run on PostgreSQL, `--help` and
/// `--version` never load it (0.3 ms of every start). Only `SQLiteConnection` calls these.
struct LibSQLite: @unchecked Sendable {
  static let soname = "libsqlite3.so.0"

  private static let shared = LoadedLibrary { () throws(DynamicLibrary.Unavailable) in try LibSQLite() }

  /// Loads SQLite if nothing has yet; a host without it is 78 (it needs a package installed).
  static func load() throws(CronlockError) { try shared.check() }

  /// The table, for code that runs only once `load()` succeeded.
  static var api: LibSQLite { shared.table }

  let sqlite3_open_v2: cronlock_sqlite3_open_v2_fn
  let sqlite3_close_v2: cronlock_sqlite3_close_v2_fn
  let sqlite3_extended_result_codes: cronlock_sqlite3_extended_result_codes_fn
  let sqlite3_busy_handler: cronlock_sqlite3_busy_handler_fn
  let sqlite3_prepare_v2: cronlock_sqlite3_prepare_v2_fn
  let sqlite3_finalize: cronlock_sqlite3_finalize_fn
  let sqlite3_bind_null: cronlock_sqlite3_bind_null_fn
  let sqlite3_bind_int64: cronlock_sqlite3_bind_int64_fn
  let sqlite3_bind_text: cronlock_sqlite3_bind_text_fn
  let sqlite3_bind_zeroblob: cronlock_sqlite3_bind_zeroblob_fn
  let sqlite3_bind_blob: cronlock_sqlite3_bind_blob_fn
  let sqlite3_column_count: cronlock_sqlite3_column_count_fn
  let sqlite3_column_name: cronlock_sqlite3_column_name_fn
  let sqlite3_step: cronlock_sqlite3_step_fn
  let sqlite3_column_type: cronlock_sqlite3_column_type_fn
  let sqlite3_column_text: cronlock_sqlite3_column_text_fn
  let sqlite3_changes: cronlock_sqlite3_changes_fn
  let sqlite3_get_autocommit: cronlock_sqlite3_get_autocommit_fn
  let sqlite3_libversion: cronlock_sqlite3_libversion_fn
  let sqlite3_errmsg: cronlock_sqlite3_errmsg_fn
  let sqlite3_system_errno: cronlock_sqlite3_system_errno_fn
  let sqlite3_db_config: cronlock_sqlite3_db_config_fn
  let sqlite3_file_control: cronlock_sqlite3_file_control_fn

  private init() throws(DynamicLibrary.Unavailable) {
    // SQLite needs nothing but libc and libm, so unlike libpq's chain it has nothing to bind
    // among itself first. 3.28 is the first with SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE.
    let library = try DynamicLibrary(Self.soname, package: "libsqlite3-0", flags: RTLD_LAZY | RTLD_LOCAL)
    func resolve<Function>(_ name: String) throws(DynamicLibrary.Unavailable) -> Function {
      try library.function(name, since: "3.28")
    }
    sqlite3_open_v2 = try resolve("sqlite3_open_v2")
    sqlite3_close_v2 = try resolve("sqlite3_close_v2")
    sqlite3_extended_result_codes = try resolve("sqlite3_extended_result_codes")
    sqlite3_busy_handler = try resolve("sqlite3_busy_handler")
    sqlite3_prepare_v2 = try resolve("sqlite3_prepare_v2")
    sqlite3_finalize = try resolve("sqlite3_finalize")
    sqlite3_bind_null = try resolve("sqlite3_bind_null")
    sqlite3_bind_int64 = try resolve("sqlite3_bind_int64")
    sqlite3_bind_text = try resolve("sqlite3_bind_text")
    sqlite3_bind_zeroblob = try resolve("sqlite3_bind_zeroblob")
    sqlite3_bind_blob = try resolve("sqlite3_bind_blob")
    sqlite3_column_count = try resolve("sqlite3_column_count")
    sqlite3_column_name = try resolve("sqlite3_column_name")
    sqlite3_step = try resolve("sqlite3_step")
    sqlite3_column_type = try resolve("sqlite3_column_type")
    sqlite3_column_text = try resolve("sqlite3_column_text")
    sqlite3_changes = try resolve("sqlite3_changes")
    sqlite3_get_autocommit = try resolve("sqlite3_get_autocommit")
    sqlite3_libversion = try resolve("sqlite3_libversion")
    sqlite3_errmsg = try resolve("sqlite3_errmsg")
    sqlite3_system_errno = try resolve("sqlite3_system_errno")
    sqlite3_db_config = try resolve("sqlite3_db_config")
    sqlite3_file_control = try resolve("sqlite3_file_control")
  }
}
