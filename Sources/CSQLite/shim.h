#ifndef CRONLOCK_CSQLITE_SHIM_H
#define CRONLOCK_CSQLITE_SHIM_H

#include <sqlite3.h>
#include <sys/vfs.h>

// SQLITE_TRANSIENT is a cast macro, which Swift cannot import.
static inline sqlite3_destructor_type cronlock_sqlite_transient(void) { return SQLITE_TRANSIENT; }

// The file system type under `path` (statfs(2)'s f_type), or -1: SQLite must refuse network
// file systems, and Glibc's Swift module does not export statfs.
static inline long long cronlock_filesystem_magic(const char *path) {
  struct statfs info;
  return statfs(path, &info) == 0 ? (long long)info.f_type : -1;
}

#endif
