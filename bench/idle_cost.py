"""What the pipeline costs while nothing happens: CPU per second of every process, idle.

    python -m bench.idle_cost [--seconds 30]

The same suite as ``bench.pipeline_throughput`` (a fresh mongod and RabbitMQ vhost, the three
HTTP services under gunicorn and the three workers, a local SMTP sink), left alone for a warm
up and then for ``--seconds``; CPU read from /proc before and after, split as that bench
splits it (a worker's outbox relay threads apart from the rest). A provincial deployment is
idle most of the night and between bursts: what its relays, monitors and engines spend then
is paid on every core for nothing.
"""

from __future__ import annotations

import argparse
import time

from bench import cpu
from bench.harness import real_servers, say
from bench.pipeline_throughput import (
    Arrivals,
    cpu_snapshot,
    start_suite,
    stop_suite,
    timed_sink,
)
from services.cli.localmode import Child

WARM_UP_S = 15.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=30, help="length of the idle window")
    args = parser.parse_args()
    with real_servers() as servers:
        sink = timed_sink(Arrivals())
        sink.start()
        children: list[Child] = []
        try:
            say("starting intake, triage and notify (HTTP and workers)")
            children, _, _ = start_suite(servers, sink)
            say(f"warming up for {WARM_UP_S:.0f} s, then {args.seconds:.0f} s idle")
            time.sleep(WARM_UP_S)
            load_before = cpu.loadavg()
            before = cpu_snapshot(children, servers.mongod_pid, sink)
            started = time.monotonic()
            time.sleep(args.seconds)
            after = cpu_snapshot(children, servers.mongod_pid, sink)
            seconds = time.monotonic() - started
        finally:
            stop_suite(children)
            sink.stop()
    used = cpu.difference(before, after)
    print(f"Pantau idle for {seconds:.1f} s (load average {load_before} -> {cpu.loadavg()})")
    print(f"    {'process':<40}{'ms CPU/s':>10}")
    for label, value in used.items():
        print(f"    {label:<40}{value * 1000 / seconds:10.1f}")
    groups = {
        "Pantau's own processes": ("intake", "triage", "notify"),
        "engines (mongod + RabbitMQ)": ("mongod", "RabbitMQ"),
    }
    for name, prefixes in groups.items():
        total = sum(v for k, v in used.items() if not k.startswith(" ") and k.startswith(prefixes))
        print(f"    {name:<40}{total * 1000 / seconds:10.1f}")


if __name__ == "__main__":
    main()
