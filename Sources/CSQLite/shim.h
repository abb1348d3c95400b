#ifndef CRONLOCK_CSQLITE_SHIM_H
#define CRONLOCK_CSQLITE_SHIM_H

#include <sqlite3.h>
#include <sys/vfs.h>

// SQLITE_TRANSIENT is a cast macro, which Swift cannot import.
static inline sqlite3_destructor_type cronlock_sqlite_transient(void) { return SQLITE_TRANSIENT; }

// A connection that leaves the WAL file in place when it closes, without a checkpoint: each
// cronlock is one short connection, and resetting the WAL costs three fsyncs per run.
// Commits are still fsynced (synchronous = FULL), and auto-checkpoints keep the WAL small.
// sqlite3_db_config is variadic, which Swift cannot call.
static inline int cronlock_sqlite_keep_wal(sqlite3 *db) {
  int persist = 1;
  int rc = sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
  return rc != SQLITE_OK ? rc : sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
}

// The file system type under `path` (statfs(2)'s f_type), or -1: SQLite must refuse network
// file systems, and Glibc's Swift module does not export statfs.
static inline long long cronlock_filesystem_magic(const char *path) {
  struct statfs info;
  return statfs(path, &info) == 0 ? (long long)info.f_type : -1;
}

#endif
