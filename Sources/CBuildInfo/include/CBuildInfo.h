#ifndef CRONLOCK_BUILD_INFO_H
#define CRONLOCK_BUILD_INFO_H

/// The git commit this binary was built from, or "" when the build did not say.
const char *cronlock_build_commit(void);

#endif
