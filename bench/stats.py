#!/usr/bin/env python3
"""Turns bench/run's raw measurements into the markdown tables it prints.

    stats.py OUT_DIR

Reads OUT_DIR/meta (key=value lines written by bench/run), OUT_DIR/json/KEY-ROUND.json
(hyperfine --export-json; every result's times are pooled, so a parameter scan of N one-run
benchmarks counts as N runs), OUT_DIR/race-TOOL.txt ("wall_ms ran failed" per round) and
OUT_DIR/rss-NAME.txt (one "Maximum resident set size" in KiB per line).

p90 is the nearest-rank 90th percentile: the smallest time with at least 90% of runs at or
below it.
"""
import glob
import json
import math
import os
import statistics
import sys

out = sys.argv[1]
meta = dict(line.rstrip("\n").split("=", 1) for line in open(os.path.join(out, "meta")) if "=" in line)
best, other = meta["best"], meta["other"]


def times(key):
    files = sorted(glob.glob(os.path.join(out, "json", f"{key}-*.json")))
    values = []
    for path in files:
        with open(path) as f:
            for result in json.load(f)["results"]:
                values.extend(t * 1000 for t in result["times"])
    return sorted(values)


def p90(values):
    return values[max(0, math.ceil(0.9 * len(values)) - 1)]


def summary(key):
    values = times(key)
    if not values:
        return None
    return {"n": len(values), "median": statistics.median(values), "p90": p90(values)}


def race(tool):
    rounds = []
    path = os.path.join(out, f"race-{tool}.txt")
    if os.path.exists(path):
        for line in open(path):
            wall, ran, failed = line.split()
            rounds.append((float(wall), int(ran), int(failed)))
    return rounds


def rss(name):
    path = os.path.join(out, f"rss-{name}.txt")
    return [int(line) for line in open(path) if line.strip()] if os.path.exists(path) else []


rows = [
    ("1", f"win path, cronlock ({best}) ✱", "win-best",
     f"`cronlock run --job bench --identifier win-…-{{i}} -- true`"),
    ("1", f"win path, cronlock ({other})", "win-other", "same, other build"),
    ("2", f"skip path, cronlock ({best}) ✱", "skip-best",
     "`cronlock run --job bench --identifier taken -- true` (slot already taken)"),
    ("2", f"skip path, cronlock ({other})", "skip-other", "same, other build"),
    ("3", "floor: C + libpq, win", "win-floor", "`bench/out/floor bench win-…-{i} true`"),
    ("3", "floor: C + libpq, skip", "skip-floor", "`bench/out/floor bench taken true`"),
    ("3", "floor in Swift (floor.c in Swift, static runtime), win", "win-swiftfloor",
     "`bench/out/floor-swift bench win-…-{i} true`"),
    ("3", "floor in Swift, skip", "skip-swiftfloor", "`bench/out/floor-swift bench taken true`"),
    ("4", "by hand: two psql calls", "win-byhand", "`bench/by-hand.sh bench win-…-{i} true`"),
    ("5", "flock(1) on a local file", "flock", "`flock FILE true`"),
    ("5", f"SQLite skip, cronlock ({best})", "sqliteskip",
     "`cronlock run --database sqlite:FILE --job bench --identifier taken -- true` (slot taken; file on /tmp)"),
    ("–", f"start-up only: cronlock ({best}) --version", "version-best", "`cronlock --version`"),
    ("–", f"start-up only: cronlock ({other}) --version", "version-other", "`cronlock --version`"),
]
if meta.get("nopie") == "1":
    rows.append(("–", "start-up only: cronlock (static, non-PIE) --version", "version-nopie",
                 "`cronlock --version`, linked with `-no-pie`"))
    rows.append(("–", "skip path, cronlock (static, non-PIE)", "skip-nopie", "informational"))
    rows.append(("–", "win path, cronlock (static, non-PIE)", "win-nopie", "informational"))

if meta.get("extra") == "1":
    name = meta.get("extra_name", "")
    rows.append(("–", "start-up only: extra --version", "version-extra", f"BENCH_EXTRA={name}"))
    rows.append(("–", "skip path, extra", "skip-extra", f"BENCH_EXTRA={name}"))
    rows.append(("–", "win path, extra", "win-extra", f"BENCH_EXTRA={name}"))

s = {key: summary(key) for _, _, key, _ in rows}
print(f"✱ = the build used for the targets: **{best}** (lower skip-path median than {other}).\n")
print("| # | measurement | runs | median ms | p90 ms | command |")
print("|---|---|---:|---:|---:|---|")
for number, label, key, command in rows:
    v = s[key]
    if v:
        print(f"| {number} | {label} | {v['n']} | {v['median']:.2f} | {v['p90']:.2f} | {command} |")

races = {tool: race(tool) for tool in ("cronlock", "floor", "extra")}
n = meta.get("race_n", "?")
for tool, rounds in races.items():
    if not rounds:
        continue
    walls = sorted(r[0] for r in rounds)
    ran = [r[1] for r in rounds]
    failed = sum(r[2] for r in rounds)
    ok = "✔" if all(x == 1 for x in ran) and failed == 0 else "✘"
    label = {"cronlock": f"cronlock ({best})", "floor": "floor (C + libpq)", "extra": "extra (informational)"}[tool]
    print(f"| 6 | race of {n} processes for one slot, {label}: wall time of the whole race | {len(rounds)} rounds "
          f"| {statistics.median(walls):.1f} | {p90(walls):.1f} | children that ran per round: {ran} {ok}; "
          f"non-zero exits: {failed} |")

rss_rows = [(f"cronlock ({best}) ✱", rss("best")), (f"cronlock ({other})", rss("other")),
            ("floor (C + libpq)", rss("floor")), ("floor in Swift", rss("swiftfloor"))]
for label, values in rss_rows:
    if values:
        print(f"| 7 | peak RSS, win path, {label} | {len(values)} | {statistics.median(values) / 1024:.1f} MiB "
              f"| max {max(values) / 1024:.1f} MiB | `/usr/bin/time -v` Maximum resident set size |")

print()
print("| ratio | value | target | |")
print("|---|---:|---|---|")


def round_medians(key):
    """Each round's median, by round number: the rounds are interleaved, so a slow minute of
    the machine hits both sides of a ratio in the same round."""
    medians = {}
    for path in glob.glob(os.path.join(out, "json", f"{key}-*.json")):
        number = path.rsplit("-", 1)[1].removesuffix(".json")
        with open(path) as f:
            values = [t * 1000 for result in json.load(f)["results"] for t in result["times"]]
        if values:
            medians[number] = statistics.median(values)
    return medians


def spread(a_key, b_key):
    """The ratio's range over the rounds, so a verdict near its target can be read against the
    machine's noise; empty with fewer than two rounds."""
    a, b = round_medians(a_key), round_medians(b_key)
    per_round = sorted(a[r] / b[r] for r in a.keys() & b.keys())
    if len(per_round) < 2:
        return ""
    return f" (per round {per_round[0]:.2f}–{per_round[-1]:.2f}×)"


def ratio(label, a, b, target, aim=None, keys=None):
    if a is None or b is None:
        return
    value = a / b
    verdict = "met" if value <= target else "**MISSED**"
    aim_text = f" (aim {aim}×)" if aim else ""
    print(f"| {label} | {value:.2f}×{spread(*keys) if keys else ''} | ≤ {target}×{aim_text} | {verdict} |")


med = {k: (v["median"] if v else None) for k, v in s.items()}
# Targets of issue 17 (they were 1.4× in issue 7).
ratio("win / floor (medians)", med["win-best"], med["win-floor"], 1.2, keys=("win-best", "win-floor"))
if s["win-best"] and s["win-floor"]:
    print(f"| win / floor (p90s, informational) | {s['win-best']['p90'] / s['win-floor']['p90']:.2f}× | – | |")
ratio("skip / floor (floor = the floor's win path)", med["skip-best"], med["win-floor"], 1.2,
      keys=("skip-best", "win-floor"))
ratio("skip / floor skip (like for like)", med["skip-best"], med["skip-floor"], 1.2, keys=("skip-best", "skip-floor"))
# Informational: how much of the gap any Swift program has (the Swift floor against the C one),
# and how much is cronlock's own (cronlock against the Swift floor).
for path in ("win", "skip"):
    for label, a, b in ((f"{path}: Swift floor / C floor", f"{path}-swiftfloor", f"{path}-floor"),
                        (f"{path}: cronlock / Swift floor", f"{path}-best", f"{path}-swiftfloor")):
        if med.get(a) is not None and med.get(b) is not None:
            print(f"| {label} (informational) | {med[a] / med[b]:.2f}×{spread(a, b)} | – | |")
ratio("SQLite skip / flock(1)", med["sqliteskip"], med["flock"], 2.5, keys=("sqliteskip", "flock"))
if med["version-best"] is not None:
    print(f"| cronlock --version (median, absolute) | {med['version-best']:.2f} ms | ≤ 3 ms | "
          f"{'met' if med['version-best'] <= 3 else '**MISSED**'} |")
if med["win-byhand"] is not None and med["win-best"] is not None:
    value = med["win-best"] / med["win-byhand"]
    print(f"| win / psql script | {value:.2f}× | ≤ 0.33× | {'met' if value <= 1 / 3 else '**MISSED**'} |")
if races["cronlock"] and races["floor"]:
    ratio("race cronlock / race floor (median wall)", statistics.median(r[0] for r in races["cronlock"]),
          statistics.median(r[0] for r in races["floor"]), 1.5)
best_rss = rss("best")
if best_rss:
    peak = max(best_rss) / 1024
    print(f"| peak RSS of the win path (max of {len(best_rss)}) | {peak:.1f} MiB | ≤ 20 MiB | "
          f"{'met' if peak <= 20 else '**MISSED**'} |")
