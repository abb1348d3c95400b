#ifndef CRONLOCK_CLIBPQ_SHIM_H
#define CRONLOCK_CLIBPQ_SHIM_H

#include <libpq-fe.h>

// PG_DIAG_SQLSTATE is a char macro, which Swift cannot import.
static inline int cronlock_diag_sqlstate(void) { return PG_DIAG_SQLSTATE; }

#endif
