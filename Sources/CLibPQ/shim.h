#ifndef CRONLOCK_CLIBPQ_SHIM_H
#define CRONLOCK_CLIBPQ_SHIM_H

// libpq's declarations only: cronlock does not link libpq. Connection loads libpq.so.5 with
// dlopen on first use (LibPQ.swift), so runs on SQLite, --help and --version never pay for
// libpq and its dependency chain. The headers come from libpq-dev, where Debian puts them.
#if __has_include(<postgresql/libpq-fe.h>)
#include <postgresql/libpq-fe.h>
#else
#include <libpq-fe.h>
#endif

// PG_DIAG_SQLSTATE is a char macro, which Swift cannot import.
static inline int cronlock_diag_sqlstate(void) { return PG_DIAG_SQLSTATE; }
static inline int cronlock_diag_severity(void) { return PG_DIAG_SEVERITY_NONLOCALIZED; }
static inline int cronlock_diag_message(void) { return PG_DIAG_MESSAGE_PRIMARY; }

// Every libpq function cronlock calls, each with its pointer type `cronlock_NAME_fn` (the
// type of libpq's own declaration), for the table LibPQ.swift fills with dlsym.
#define CRONLOCK_LIBPQ_FUNCTIONS(X) \
  X(PQconnectStartParams) X(PQconnectPoll) X(PQstatus) X(PQsocket) X(PQfinish) X(PQerrorMessage) \
  X(PQconnectionNeedsPassword) X(PQconninfoParse) X(PQconninfoFree) X(PQfreemem) X(PQgetCancel) \
  X(PQfreeCancel) X(PQcancel) X(PQsetNoticeReceiver) X(PQresultErrorField) X(PQsendQueryParams) \
  X(PQisBusy) X(PQconsumeInput) X(PQgetResult) X(PQresultStatus) X(PQresultErrorMessage) X(PQclear) \
  X(PQntuples) X(PQnfields) X(PQfname) X(PQcmdTuples) X(PQgetisnull) X(PQgetvalue) \
  X(PQenterPipelineMode) X(PQexitPipelineMode) X(PQpipelineSync) X(PQpipelineStatus)

#define CRONLOCK_LIBPQ_TYPEDEF(name) typedef __typeof__(name) *cronlock_##name##_fn;
CRONLOCK_LIBPQ_FUNCTIONS(CRONLOCK_LIBPQ_TYPEDEF)
#undef CRONLOCK_LIBPQ_TYPEDEF

#endif
