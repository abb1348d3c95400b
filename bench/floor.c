/*
 * The floor for `cronlock run`: the same round trips with libpq and nothing else.
 *
 *   floor JOB IDENTIFIER COMMAND [ARG...]
 *
 * Connects with libpq's defaults (PGHOST, PGPORT, ...), sends cronlock's claim statement with
 * PQexecParams (same SQL, same nine text parameters), and on a win forks, execs COMMAND, waits
 * for it and sends cronlock's UPDATE. On a loss it exits 0 at once, like cronlock's skip path.
 * No option parsing, no validation, no signal handling, no PR_SET_PDEATHSIG: the least a
 * program can do to get the same guarantee from the database.
 *
 *   gcc -O2 -o floor floor.c $(pkg-config --cflags --libs libpq)
 */
#define _GNU_SOURCE
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *claim_sql =
    "WITH settings AS (\n"
    "  SELECT set_config('synchronous_commit', 'on', true), set_config('lock_timeout', $9, true)\n"
    ")\n"
    "INSERT INTO \"cron_job_locks\"\n"
    "  (created_at, updated_at, job_name, job_identifier, worker, status,\n"
    "   pid, command, slot_end, run_token, cronlock_version)\n"
    "SELECT now(), now(), $1, $2, $3, 'RUNNING', $4::integer, $5, $6::timestamptz, $7, $8\n"
    "FROM settings\n"
    "ON CONFLICT (job_name, job_identifier) DO NOTHING\n"
    "RETURNING id";

static const char *finish_sql =
    "UPDATE \"cron_job_locks\"\n"
    "SET status = $2, exit_code = $3::integer, signal = $4::integer, note = $5,\n"
    "    finished_at = now(), updated_at = now()\n"
    "WHERE id = $1::bigint";

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: floor JOB IDENTIFIER COMMAND [ARG...]\n");
    return 64;
  }
  PGconn *conn = PQconnectdb("fallback_application_name=floor");
  if (PQstatus(conn) != CONNECTION_OK) {
    fprintf(stderr, "floor: %s", PQerrorMessage(conn));
    return 75;
  }

  char host[256] = "unknown", pid[16], token[33];
  gethostname(host, sizeof host - 1);
  snprintf(pid, sizeof pid, "%d", (int)getpid());
  snprintf(token, sizeof token, "%08x%08x%08x%08x", (unsigned)random(), (unsigned)getpid(),
           (unsigned)random(), (unsigned)random());
  const char *claim[9] = {argv[1], argv[2], host, pid, argv[3], NULL, token, "floor", "5000ms"};
  PGresult *res = PQexecParams(conn, claim_sql, 9, NULL, claim, NULL, NULL, 0);
  if (PQresultStatus(res) != PGRES_TUPLES_OK) {
    fprintf(stderr, "floor: claim: %s", PQerrorMessage(conn));
    return 75;
  }
  if (PQntuples(res) != 1) {  // lost: another worker owns the slot
    PQclear(res);
    PQfinish(conn);
    return 0;
  }
  char id[32];
  snprintf(id, sizeof id, "%s", PQgetvalue(res, 0, 0));
  PQclear(res);

  pid_t child = fork();
  if (child < 0) return 125;
  if (child == 0) {
    execvp(argv[3], argv + 3);
    _exit(127);
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0) {}
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  char exit_code[16];
  snprintf(exit_code, sizeof exit_code, "%d", code);

  const char *finish[5] = {id, code == 0 ? "FINISHED" : "FAILED", exit_code, NULL, NULL};
  res = PQexecParams(conn, finish_sql, 5, NULL, finish, NULL, NULL, 0);
  if (PQresultStatus(res) != PGRES_COMMAND_OK) fprintf(stderr, "floor: finish: %s", PQerrorMessage(conn));
  PQclear(res);
  PQfinish(conn);
  return code;
}
