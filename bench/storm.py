#!/usr/bin/env python3
"""One fleet-sized storm (bench/storm): N cronlock processes released at once on one slot.

  storm.py --cronlock BIN --name NAME --server-log FILE [--processes 1000] [--limit-s 120] -- [cronlock run options]

Every process is a `sh` that first opens a FIFO for reading, which blocks until the FIFO has a
writer, and then execs `cronlock run [options] --job storm --identifier NAME -- sh -c 'echo ran
>> MARKER'`. Once all N are blocked there (or after a bounded wait), opening the writer releases
them in the same instant, like hosts whose cron fires on the same second. Waits up to LIMIT
seconds for all to exit (then kills what is left and says so). The database comes from the
environment (PGHOST, PGPORT...). Prints one markdown table row:

  | NAME | processes | children that ran | exit 0 | exit 75 | other exits | killed | wall s | busiest second (server connections/s) |

The busiest second is the most "connection received" lines the server logged (log_connections)
within one wall-clock second, counted from the log's end as it was before the storm.
"""
import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cronlock", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--server-log", required=True)
    parser.add_argument("--processes", type=int, default=1000)
    parser.add_argument("--limit-s", type=float, default=120)
    parser.add_argument("options", nargs="*")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="cronlock-storm.")
    fifo, marker = os.path.join(work, "go"), os.path.join(work, "marker")
    os.mkfifo(fifo)
    open(marker, "w").close()
    log_start = os.path.getsize(args.server_log)
    identifier = f"{args.name}-{os.getpid()}-{int(time.time())}"
    command = [args.cronlock, "run", *args.options, "--job", "storm", "--identifier", identifier,
               "--", "sh", "-c", 'echo ran >> "$1"', "sh", marker]
    children = []
    for _ in range(args.processes):
        children.append(subprocess.Popen(["sh", "-c", ': < "$0"; exec "$@"', fifo, *command],
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL))
    # Bounded wait until every shell blocks in the FIFO's open.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        waiting = 0
        for child in children:
            try:
                with open(f"/proc/{child.pid}/wchan") as f:
                    waiting += f.read().strip() in ("fifo_open", "wait_for_partner")
            except OSError:
                pass
        if waiting == len(children):
            break
        time.sleep(0.05)
    released = time.monotonic()
    writer = os.open(fifo, os.O_WRONLY)
    statuses, killed = [], 0
    for child in children:
        remaining = args.limit_s - (time.monotonic() - released)
        try:
            statuses.append(child.wait(timeout=max(remaining, 0.01)))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            killed += 1
    wall = time.monotonic() - released
    os.close(writer)

    ran = sum(1 for line in open(marker) if line.strip() == "ran")
    counted = collections.Counter(statuses)
    other = sum(n for code, n in counted.items() if code not in (0, 75))
    per_second = collections.Counter()
    with open(args.server_log, "rb") as log:
        log.seek(log_start)
        for line in log.read().decode(errors="replace").splitlines():
            if "connection received" in line:
                stamp = re.match(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)", line)
                if stamp:
                    per_second[stamp.group(1)] += 1
    busiest = max(per_second.values(), default=0)
    shown_other = f"{other} ({', '.join(f'{c}: {n}' for c, n in sorted(counted.items()) if c not in (0, 75))})" if other else "0"
    print(f"| {args.name} | {args.processes} | {ran} {'✔' if ran == 1 else '✘'} | {counted.get(0, 0)} | {counted.get(75, 0)} | "
          f"{shown_other} | {killed} | {wall:.1f} | {busiest} |")
    subprocess.run(["rm", "-rf", work])
    sys.exit(0 if ran == 1 and killed == 0 else 1)


if __name__ == "__main__":
    main()
