#ifndef CRONLOCK_CLIBPQ_SHIM_H
#define CRONLOCK_CLIBPQ_SHIM_H

#include <libpq-fe.h>

// PG_DIAG_SQLSTATE is a char macro, which Swift cannot import.
static inline int cronlock_diag_sqlstate(void) { return PG_DIAG_SQLSTATE; }
static inline int cronlock_diag_severity(void) { return PG_DIAG_SEVERITY_NONLOCALIZED; }
static inline int cronlock_diag_message(void) { return PG_DIAG_MESSAGE_PRIMARY; }

#endif
