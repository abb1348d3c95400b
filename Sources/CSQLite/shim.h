#ifndef CRONLOCK_CSQLITE_SHIM_H
#define CRONLOCK_CSQLITE_SHIM_H

// SQLite's declarations only: cronlock does not link libsqlite3. SQLiteConnection loads
// libsqlite3.so.0 with dlopen on first use (LibSQLite.swift), so PostgreSQL runs, --help and
// --version never pay for it. The header comes from libsqlite3-dev.
#include <sqlite3.h>
#include <sys/vfs.h>

// Every SQLite function cronlock calls, each with its pointer type `cronlock_NAME_fn` (the
// type of SQLite's own declaration), for the table LibSQLite.swift fills with dlsym.
#define CRONLOCK_SQLITE_FUNCTIONS(X) \
  X(sqlite3_open_v2) X(sqlite3_close_v2) X(sqlite3_extended_result_codes) X(sqlite3_busy_handler) \
  X(sqlite3_prepare_v2) X(sqlite3_finalize) X(sqlite3_bind_null) X(sqlite3_bind_int64) X(sqlite3_bind_text) \
  X(sqlite3_bind_zeroblob) X(sqlite3_bind_blob) X(sqlite3_column_count) X(sqlite3_column_name) \
  X(sqlite3_step) X(sqlite3_column_type) X(sqlite3_column_text) X(sqlite3_changes) \
  X(sqlite3_get_autocommit) X(sqlite3_libversion) X(sqlite3_errmsg) X(sqlite3_system_errno) \
  X(sqlite3_db_config) X(sqlite3_file_control)

#define CRONLOCK_SQLITE_TYPEDEF(name) typedef __typeof__(name) *cronlock_##name##_fn;
CRONLOCK_SQLITE_FUNCTIONS(CRONLOCK_SQLITE_TYPEDEF)
#undef CRONLOCK_SQLITE_TYPEDEF

// SQLITE_TRANSIENT is a cast macro, which Swift cannot import.
static inline sqlite3_destructor_type cronlock_sqlite_transient(void) { return SQLITE_TRANSIENT; }

// A connection that leaves the WAL file in place when it closes, without a checkpoint: each
// cronlock is one short connection, and resetting the WAL costs three fsyncs per run.
// Commits are still fsynced (synchronous = FULL), and auto-checkpoints keep the WAL small.
// sqlite3_db_config is variadic, which Swift cannot call; the two functions come from the table.
static inline int cronlock_sqlite_keep_wal(sqlite3 *db, cronlock_sqlite3_db_config_fn db_config,
                                           cronlock_sqlite3_file_control_fn file_control) {
  int persist = 1;
  int rc = db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
  return rc != SQLITE_OK ? rc : file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
}

// The file system type under `path` (statfs(2)'s f_type), or -1: SQLite must refuse network
// file systems, and Glibc's Swift module does not export statfs.
static inline long long cronlock_filesystem_magic(const char *path) {
  struct statfs info;
  return statfs(path, &info) == 0 ? (long long)info.f_type : -1;
}

#endif
