#ifndef CRONLOCK_CLIBPQ_SHIM_H
#define CRONLOCK_CLIBPQ_SHIM_H

#include <libpq-fe.h>

// PG_DIAG_* are char macros, which Swift cannot import.
static inline int cronlock_diag_sqlstate(void) { return PG_DIAG_SQLSTATE; }
static inline int cronlock_diag_message_primary(void) { return PG_DIAG_MESSAGE_PRIMARY; }

#endif
