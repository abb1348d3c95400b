#include "CBuildInfo.h"

// scripts/package writes cronlock_commit.h (#define CRONLOCK_COMMIT "<hash>") into a directory it
// adds with -Xcc -I. The flag stays the same from commit to commit, so only this file recompiles;
// a plain `swift build` has no such header, needs no git, and leaves the commit unknown.
#if defined(__has_include)
#if __has_include(<cronlock_commit.h>)
#include <cronlock_commit.h>
#endif
#endif
#ifndef CRONLOCK_COMMIT
#define CRONLOCK_COMMIT ""
#endif

const char *cronlock_build_commit(void) { return CRONLOCK_COMMIT; }
