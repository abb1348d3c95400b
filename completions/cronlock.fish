function __cronlock_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __cronlock_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __cronlock_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __cronlock_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __cronlock_parse_tokens -S
    set -l unparsed_tokens (__cronlock_tokens -pc)
    switch $unparsed_tokens[1]
    case 'cronlock'
        __cronlock_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'run'
            __cronlock_parse_subcommand -r 1 'j/job=' 'precision=' 'schedule=' 'tz=' 'identifier=' 'max-late=' 'splay=' 'identifier-zone=' 'max-skew=' 'timeout=' 'kill-after=' 'heartbeat=' 'no-overlap' 'on-db-error=' 'lock-timeout=' 'finish-timeout=' 'worker=' 'skip-exit-code=' 'capture-output=' 'on-start=' 'on-success=' 'on-failure=' 'hook-timeout=' 'v/verbose' 'log-format=' 'database=' 'table=' 'connect-timeout=' 'version' 'h/help'
        case 'migrate'
            __cronlock_parse_subcommand 0 'print-sql' 'resolve-duplicates=' 'v/verbose' 'log-format=' 'database=' 'table=' 'connect-timeout=' 'version' 'h/help'
        case 'list'
            __cronlock_parse_subcommand 0 'j/job=' 'worker=' 'status=' 'since=' 'limit=' 'format=' 'log-format=' 'database=' 'table=' 'connect-timeout=' 'version' 'h/help'
        case 'show'
            __cronlock_parse_subcommand 1 'format=' 'log-format=' 'database=' 'table=' 'connect-timeout=' 'version' 'h/help'
        case 'status'
            __cronlock_parse_subcommand 0 'j/job=' 'since=' 'grace=' 'format=' 'log-format=' 'database=' 'table=' 'connect-timeout=' 'version' 'h/help'
        case 'metrics'
            __cronlock_parse_subcommand 0 'j/job=' 'log-format=' 'database=' 'table=' 'connect-timeout=' 'version' 'h/help'
        case 'purge'
            __cronlock_parse_subcommand 0 'ttl=' 'j/job=' 'stale-after=' 'dry-run' 'v/verbose' 'log-format=' 'database=' 'table=' 'connect-timeout=' 'version' 'h/help'
        case 'check'
            __cronlock_parse_subcommand 0 'format=' 'max-skew=' 'log-format=' 'database=' 'table=' 'connect-timeout=' 'version' 'h/help'
        case 'help'
            __cronlock_parse_subcommand -r 1 'version'
        end
    end
end

function __cronlock_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __cronlock_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __cronlock_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __cronlock_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__cronlock_tokens -p)
    if test -z "$(__cronlock_tokens -t)"
        set -l index (count (__cronlock_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'cronlock' -f
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock" version' -l 'version' -d 'Show the version.'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_positional "cronlock" -eq 1' -fa 'run' -d 'Run COMMAND if this host wins the job\'s current slot (the default subcommand).'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_positional "cronlock" -eq 1' -fa 'migrate' -d 'Create the lock table and its indexes, or adopt one made by gocron-ent-lock or gocron-gorm-lock.'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_positional "cronlock" -eq 1' -fa 'list' -d 'Show recent runs from the lock table, newest first.'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_positional "cronlock" -eq 1' -fa 'show' -d 'Show one run: every column of its row, and the output it captured.'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_positional "cronlock" -eq 1' -fa 'status' -d 'Say, per job, which slots of the last day (--since) ran, failed, or were missed by every host.'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_positional "cronlock" -eq 1' -fa 'metrics' -d 'Print every job\'s last runs and counts in Prometheus\'s text format (for node_exporter\'s textfile collector).'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_positional "cronlock" -eq 1' -fa 'purge' -d 'Delete old finished rows from the lock table.'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_positional "cronlock" -eq 1' -fa 'check' -d 'Say whether the lock table is ready for \'run\' on this host (for CI smoke tests).'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_positional "cronlock" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock run" j job' -s 'j' -l 'job' -d 'The job\'s name, the same on every host.' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock run" precision' -l 'precision' -d 'Slot length: the time is truncated to this (1ms to 366d; default: 1m).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock run" schedule' -l 'schedule' -d 'Slot = the most recent fire time of this cron expression (5 fields or @hourly, @daily, ...).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock run" tz' -l 'tz' -d 'Time zone of --schedule (IANA name). Default: $CRON_TZ, else the host\'s zone.' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock run" identifier' -l 'identifier' -d 'Use this slot identifier instead of the time (e.g. a CI pipeline id).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock run" max-late' -l 'max-late' -d 'Do not run a slot that began more than this long ago: a late start (1ms to 366d).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock run" splay' -l 'splay' -d 'Wait a random time below this after reading the clock and before connecting, so a fleet firing at once does not reach the server in the same millisecond; the slot does not move (1ms to 1h).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock run" identifier-zone' -l 'identifier-zone' -d 'local names time slots on the host\'s wall clock like gocron-ent-lock; see the README\'s warnings (utc, local; default: utc).' -rfka 'utc local'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock run" max-skew' -l 'max-skew' -d 'Warn when this host\'s clock and the database\'s differ by more (1ms to 36600d; default: 2s).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock run" timeout' -l 'timeout' -d 'Send SIGTERM to the command\'s process group after this long; exit 124 (1ms to 366d).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock run" kill-after' -l 'kill-after' -d 'After --timeout\'s SIGTERM, wait this long, then SIGKILL (1ms to 1d; default: 10s).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock run" heartbeat' -l 'heartbeat' -d 'Refresh the row this often while the command runs (1s to 1d; default: 30s).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock run" no-overlap' -l 'no-overlap' -d 'Do not start while another run of this job is still running (fresh heartbeat).'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock run" on-db-error' -l 'on-db-error' -d 'When the lock state cannot be learnt: fail (exit 75), run the command anyway, or skip (fail, run, skip; default: fail).' -rfka 'fail run skip'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock run" lock-timeout' -l 'lock-timeout' -d 'Wait this long for another session\'s uncommitted claim of the slot, or an SQLite file\'s write lock (1ms to 1h; default: 5s).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock run" finish-timeout' -l 'finish-timeout' -d 'Keep trying to record the outcome this long (1ms to 1d; default: 1m).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock run" worker' -l 'worker' -d 'Name recorded for this host. Default: $CRONLOCK_WORKER, else the host name.' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock run" skip-exit-code' -l 'skip-exit-code' -d 'Exit status when another worker owns the slot (0 to 255; default: 0).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock run" capture-output' -l 'capture-output' -d 'Keep the last SIZE bytes of the command\'s stdout and stderr in its row (cronlock show). The command then writes to pipes that cronlock copies to its own stdout and stderr unchanged, so it sees no terminal; whoever may read the table can read what it printed (1B to 1MiB).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock run" on-start' -l 'on-start' -d 'Only on a win: run this with /bin/sh -c after the claim, before the command (stdin /dev/null; stdout and stderr are cronlock\'s; CRONLOCK_STATUS=RUNNING).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock run" on-success' -l 'on-success' -d 'Only on a win: run this with /bin/sh -c after a FINISHED outcome is recorded (or failed to be), with CRONLOCK_STATUS, CRONLOCK_EXIT_CODE and CRONLOCK_DURATION_MS.' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock run" on-failure' -l 'on-failure' -d 'Like --on-success, for any other outcome (FAILED: non-zero exit, signal, timeout, not runnable).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock run" hook-timeout' -l 'hook-timeout' -d 'Send SIGTERM to a hook\'s process group after this long, SIGKILL 1s later; a failing or hanging hook is one stderr line and changes neither the row nor the exit status (1ms to 1h; default: 10s).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock run" v verbose' -s 'v' -l 'verbose' -d 'Say on stderr what cronlock decides.'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock run" log-format' -l 'log-format' -d 'How cronlock\'s own stderr lines look (default: $CRONLOCK_LOG_FORMAT, else text); json is one object per line with time, level, job, slot, run_id, event and message (text, json).' -rfka 'text json'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock run" database' -l 'database' -d 'PostgreSQL URI (postgresql://...) or key=value string, or sqlite:PATH for an SQLite file on one host. Default: $CRONLOCK_DATABASE_URL, else libpq\'s own (PGHOST, PGSERVICE, ~/.pgpass, ...).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock run" table' -l 'table' -d 'Lock table, table or schema.table. Default: $CRONLOCK_TABLE, else cron_job_locks.' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock run" connect-timeout' -l 'connect-timeout' -d 'Give up reaching the database after this long, retries included (1ms to 1h; default: 10s).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock run" version' -l 'version' -d 'Show the version.'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock run" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock migrate" print-sql' -l 'print-sql' -d 'Print the SQL instead of running it.'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock migrate" resolve-duplicates' -l 'resolve-duplicates' -d 'keep-first: keep each slot\'s first row (lowest id), delete the others and print each.' -rfka 'keep-first'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock migrate" v verbose' -s 'v' -l 'verbose' -d 'Say what was created.'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock migrate" log-format' -l 'log-format' -d 'How cronlock\'s own stderr lines look (default: $CRONLOCK_LOG_FORMAT, else text); json is one object per line with time, level, job, slot, run_id, event and message (text, json).' -rfka 'text json'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock migrate" database' -l 'database' -d 'PostgreSQL URI (postgresql://...) or key=value string, or sqlite:PATH for an SQLite file on one host. Default: $CRONLOCK_DATABASE_URL, else libpq\'s own (PGHOST, PGSERVICE, ~/.pgpass, ...).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock migrate" table' -l 'table' -d 'Lock table, table or schema.table. Default: $CRONLOCK_TABLE, else cron_job_locks.' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock migrate" connect-timeout' -l 'connect-timeout' -d 'Give up reaching the database after this long, retries included (1ms to 1h; default: 10s).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock migrate" version' -l 'version' -d 'Show the version.'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock migrate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock list" j job' -s 'j' -l 'job' -d 'Only this job.' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock list" worker' -l 'worker' -d 'Only runs claimed by this worker.' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock list" status' -l 'status' -d 'Only runs with this status: RUNNING, FINISHED, FAILED, ABANDONED.' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock list" since' -l 'since' -d 'Only runs that started within this long of the database\'s now (1ms to 36600d).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock list" limit' -l 'limit' -d 'Show at most this many runs (1 to 1000000; default: 50).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock list" format' -l 'format' -d 'table, json or csv.' -rfka 'table json csv'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock list" log-format' -l 'log-format' -d 'How cronlock\'s own stderr lines look (default: $CRONLOCK_LOG_FORMAT, else text); json is one object per line with time, level, job, slot, run_id, event and message (text, json).' -rfka 'text json'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock list" database' -l 'database' -d 'PostgreSQL URI (postgresql://...) or key=value string, or sqlite:PATH for an SQLite file on one host. Default: $CRONLOCK_DATABASE_URL, else libpq\'s own (PGHOST, PGSERVICE, ~/.pgpass, ...).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock list" table' -l 'table' -d 'Lock table, table or schema.table. Default: $CRONLOCK_TABLE, else cron_job_locks.' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock list" connect-timeout' -l 'connect-timeout' -d 'Give up reaching the database after this long, retries included (1ms to 1h; default: 10s).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock list" version' -l 'version' -d 'Show the version.'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock show" format' -l 'format' -d 'table or json.' -rfka 'table json'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock show" log-format' -l 'log-format' -d 'How cronlock\'s own stderr lines look (default: $CRONLOCK_LOG_FORMAT, else text); json is one object per line with time, level, job, slot, run_id, event and message (text, json).' -rfka 'text json'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock show" database' -l 'database' -d 'PostgreSQL URI (postgresql://...) or key=value string, or sqlite:PATH for an SQLite file on one host. Default: $CRONLOCK_DATABASE_URL, else libpq\'s own (PGHOST, PGSERVICE, ~/.pgpass, ...).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock show" table' -l 'table' -d 'Lock table, table or schema.table. Default: $CRONLOCK_TABLE, else cron_job_locks.' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock show" connect-timeout' -l 'connect-timeout' -d 'Give up reaching the database after this long, retries included (1ms to 1h; default: 10s).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock show" version' -l 'version' -d 'Show the version.'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock status" j job' -s 'j' -l 'job' -d 'Only this job.' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock status" since' -l 'since' -d 'Judge the slots that began within this long of now (1ms to 366d; default: 1d).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock status" grace' -l 'grace' -d 'A --schedule slot with no run this long after its fire time is missed (1ms to 1d; default: 5m).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock status" format' -l 'format' -d 'table or json.' -rfka 'table json'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock status" log-format' -l 'log-format' -d 'How cronlock\'s own stderr lines look (default: $CRONLOCK_LOG_FORMAT, else text); json is one object per line with time, level, job, slot, run_id, event and message (text, json).' -rfka 'text json'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock status" database' -l 'database' -d 'PostgreSQL URI (postgresql://...) or key=value string, or sqlite:PATH for an SQLite file on one host. Default: $CRONLOCK_DATABASE_URL, else libpq\'s own (PGHOST, PGSERVICE, ~/.pgpass, ...).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock status" table' -l 'table' -d 'Lock table, table or schema.table. Default: $CRONLOCK_TABLE, else cron_job_locks.' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock status" connect-timeout' -l 'connect-timeout' -d 'Give up reaching the database after this long, retries included (1ms to 1h; default: 10s).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock status" version' -l 'version' -d 'Show the version.'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock metrics" j job' -s 'j' -l 'job' -d 'Only this job.' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock metrics" log-format' -l 'log-format' -d 'How cronlock\'s own stderr lines look (default: $CRONLOCK_LOG_FORMAT, else text); json is one object per line with time, level, job, slot, run_id, event and message (text, json).' -rfka 'text json'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock metrics" database' -l 'database' -d 'PostgreSQL URI (postgresql://...) or key=value string, or sqlite:PATH for an SQLite file on one host. Default: $CRONLOCK_DATABASE_URL, else libpq\'s own (PGHOST, PGSERVICE, ~/.pgpass, ...).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock metrics" table' -l 'table' -d 'Lock table, table or schema.table. Default: $CRONLOCK_TABLE, else cron_job_locks.' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock metrics" connect-timeout' -l 'connect-timeout' -d 'Give up reaching the database after this long, retries included (1ms to 1h; default: 10s).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock metrics" version' -l 'version' -d 'Show the version.'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock metrics" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock purge" ttl' -l 'ttl' -d 'Delete rows last updated longer ago than this (1m to 36600d).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock purge" j job' -s 'j' -l 'job' -d 'Only this job\'s rows.' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock purge" stale-after' -l 'stale-after' -d 'First mark RUNNING rows with no heartbeat for this long (and for three of their heartbeats) ABANDONED (1ms to 36600d).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock purge" dry-run' -l 'dry-run' -d 'Print how many rows would be deleted, and delete none.'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock purge" v verbose' -s 'v' -l 'verbose' -d 'Say on stderr how many rows were deleted.'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock purge" log-format' -l 'log-format' -d 'How cronlock\'s own stderr lines look (default: $CRONLOCK_LOG_FORMAT, else text); json is one object per line with time, level, job, slot, run_id, event and message (text, json).' -rfka 'text json'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock purge" database' -l 'database' -d 'PostgreSQL URI (postgresql://...) or key=value string, or sqlite:PATH for an SQLite file on one host. Default: $CRONLOCK_DATABASE_URL, else libpq\'s own (PGHOST, PGSERVICE, ~/.pgpass, ...).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock purge" table' -l 'table' -d 'Lock table, table or schema.table. Default: $CRONLOCK_TABLE, else cron_job_locks.' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock purge" connect-timeout' -l 'connect-timeout' -d 'Give up reaching the database after this long, retries included (1ms to 1h; default: 10s).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock purge" version' -l 'version' -d 'Show the version.'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock purge" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock check" format' -l 'format' -d 'text or json.' -rfka 'text json'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock check" max-skew' -l 'max-skew' -d 'Flag a clock that differs from the database\'s by more (1ms to 36600d; default: 2s).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock check" log-format' -l 'log-format' -d 'How cronlock\'s own stderr lines look (default: $CRONLOCK_LOG_FORMAT, else text); json is one object per line with time, level, job, slot, run_id, event and message (text, json).' -rfka 'text json'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock check" database' -l 'database' -d 'PostgreSQL URI (postgresql://...) or key=value string, or sqlite:PATH for an SQLite file on one host. Default: $CRONLOCK_DATABASE_URL, else libpq\'s own (PGHOST, PGSERVICE, ~/.pgpass, ...).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock check" table' -l 'table' -d 'Lock table, table or schema.table. Default: $CRONLOCK_TABLE, else cron_job_locks.' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock check" connect-timeout' -l 'connect-timeout' -d 'Give up reaching the database after this long, retries included (1ms to 1h; default: 10s).' -rfka ''
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock check" version' -l 'version' -d 'Show the version.'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock check" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cronlock' -n '__cronlock_should_offer_completions_for_flags_or_options "cronlock help" version' -l 'version' -d 'Show the version.'
