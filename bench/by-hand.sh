#!/bin/sh
# The lock without cronlock: what people write in a crontab wrapper. Two psql calls, the same
# claim and the same finish as cronlock, with libpq's defaults (PGHOST, PGPORT, ...).
#
#   by-hand.sh JOB IDENTIFIER COMMAND [ARG...]
job=$1 identifier=$2
shift 2

id=$(psql -X -A -t -q -v ON_ERROR_STOP=1 -v job="$job" -v identifier="$identifier" \
  -v worker="$(hostname)" -v pid=$$ -v command="$1" <<'SQL'
BEGIN;
SET LOCAL synchronous_commit = on;
SET LOCAL lock_timeout = '5s';
INSERT INTO cron_job_locks
  (created_at, updated_at, job_name, job_identifier, worker, status, pid, command, cronlock_version)
VALUES (now(), now(), :'job', :'identifier', :'worker', 'RUNNING', :pid, :'command', 'by-hand')
ON CONFLICT (job_name, job_identifier) DO NOTHING
RETURNING id;
COMMIT;
SQL
) || exit 75
[ -n "$id" ] || exit 0   # another worker owns the slot

"$@"
code=$?
if [ $code -eq 0 ]; then status=FINISHED; else status=FAILED; fi

psql -X -q -v ON_ERROR_STOP=1 -v id="$id" -v status="$status" -v code="$code" <<'SQL' >/dev/null
UPDATE cron_job_locks
SET status = :'status', exit_code = :code, finished_at = now(), updated_at = now()
WHERE id = :id;
SQL
exit $code
