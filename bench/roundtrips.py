#!/usr/bin/env python3
"""Round trips per path, through a loopback TCP proxy that delays every segment (bench/roundtrips).

  roundtrips.py --cronlock BIN --floor BIN --port PGPORT [--delay-ms 10] [--runs 7]

The proxy listens on 127.0.0.1, forwards to 127.0.0.1:PGPORT, and holds every chunk it reads
for DELAY ms before writing it on (each direction, order kept), so one round trip costs
2 x DELAY more than on loopback. Each path runs RUNS times through the proxy and RUNS times
straight at the server, interleaved; round trips = (median through the proxy - median direct)
/ (2 x DELAY). The proxy also counts, per connection, the client's flights: how many times the
client sent after having received something (the startup packet is the first; a Terminate
sent without waiting for an answer is one too), i.e. an upper bound on the waits.
Prints a markdown table. Loopback only; the password comes from PGPASSWORD.
"""
import argparse
import asyncio
import os
import statistics
import subprocess
import threading
import time
import uuid


class Proxy:
    def __init__(self, upstream_port, delay):
        self.upstream_port = upstream_port
        self.delay = delay
        self.flights = []  # one entry per closed connection
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.port = None
        threading.Thread(target=self._run, daemon=True).start()
        self.ready.wait()

    def _run(self):
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self.ready.set()
        self.loop.run_forever()

    async def _client(self, creader, cwriter):
        try:
            sreader, swriter = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            cwriter.close()
            return
        state = {"flights": 0, "last": "server"}

        async def pump(reader, writer, side):
            queue = asyncio.Queue()

            async def deliver():
                while True:
                    due, data = await queue.get()
                    if data is None:
                        break
                    wait = due - time.monotonic()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    writer.write(data)
                    await writer.drain()
                writer.close()

            sender = asyncio.ensure_future(deliver())
            try:
                while True:
                    data = await reader.read(65536)
                    if not data:
                        break
                    if side == "client" and state["last"] == "server":
                        state["flights"] += 1
                    state["last"] = side
                    queue.put_nowait((time.monotonic() + self.delay, data))
            except (ConnectionError, OSError):
                pass
            queue.put_nowait((0, None))
            try:
                await sender
            except (ConnectionError, OSError):
                pass

        await asyncio.gather(pump(creader, swriter, "client"), pump(sreader, cwriter, "server"))
        self.flights.append(state["flights"])


def timed(command, env):
    start = time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"roundtrips: {' '.join(command)} exited {done.returncode}: {done.stderr.decode().strip()}")
    return elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cronlock", required=True)
    parser.add_argument("--floor", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay-ms", type=float, default=10)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    delay = args.delay_ms / 1000
    proxy = Proxy(args.port, delay)
    tag = uuid.uuid4().hex[:8]

    def env(port):
        e = {k: v for k, v in os.environ.items() if not k.startswith("CRONLOCK_")}
        e.update(PGHOST="127.0.0.1", PGPORT=str(port))
        return e

    cl, floor = args.cronlock, args.floor
    # Slots the skip paths find taken.
    subprocess.run([cl, "run", "--job", "rt", "--identifier", f"taken-{tag}", "--", "true"], env=env(args.port), check=True)
    subprocess.run([floor, "rt", f"taken-floor-{tag}", "true"], env=env(args.port), check=True)
    paths = [
        ("win", "cronlock", lambda i, via: [cl, "run", "--job", "rt", "--identifier", f"win-{tag}-{via}-{i}", "--", "true"]),
        ("win", "floor", lambda i, via: [floor, "rt", f"fwin-{tag}-{via}-{i}", "true"]),
        ("skip", "cronlock", lambda i, via: [cl, "run", "--job", "rt", "--identifier", f"taken-{tag}", "--", "true"]),
        ("skip", "floor", lambda i, via: [floor, "rt", f"taken-floor-{tag}", "true"]),
        ("--no-overlap win", "cronlock",
         lambda i, via: [cl, "run", "--no-overlap", "--job", "rt-no", "--identifier", f"nwin-{tag}-{via}-{i}", "--", "true"]),
    ]
    times = {(p, t, via): [] for p, t, _ in paths for via in ("proxy", "direct")}
    flights = {(p, t): [] for p, t, _ in paths}
    for i in range(args.runs):
        for path, tool, command in paths:
            for via, port in (("direct", args.port), ("proxy", proxy.port)):
                before = len(proxy.flights)
                times[(path, tool, via)].append(timed(command(i, via), env(port)))
                if via == "proxy":
                    deadline = time.monotonic() + 2
                    while len(proxy.flights) == before and time.monotonic() < deadline:
                        time.sleep(0.005)
                    flights[(path, tool)].extend(proxy.flights[before:])
    print(f"| path | tool | median direct ms | median via proxy ms | round trips (time / {2 * args.delay_ms:g} ms) | client flights (proxy) |")
    print("|---|---|---:|---:|---:|---:|")
    for path, tool, _ in paths:
        direct = statistics.median(times[(path, tool, "direct")]) * 1000
        proxied = statistics.median(times[(path, tool, "proxy")]) * 1000
        trips = (proxied - direct) / (2 * args.delay_ms)
        counted = flights[(path, tool)]
        shown = f"{statistics.median(counted):g}" if counted else "?"
        if counted and min(counted) != max(counted):
            shown += f" ({min(counted)}-{max(counted)})"
        print(f"| {path} | {tool} | {direct:.1f} | {proxied:.1f} | {trips:.1f} | {shown} |")
    print()
    print(f"{args.runs} runs per path and route, interleaved; proxy delay {args.delay_ms:g} ms each way; TCP to 127.0.0.1 "
          "with scram-sha-256 (libpq's defaults otherwise: sslmode=prefer asks for TLS first).")


if __name__ == "__main__":
    main()
