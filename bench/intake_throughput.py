"""Intake's ``POST /v1/cases`` against the ceilings of a durable accept, measured in one run.

    python -m bench.intake_throughput [--seconds 15]

All run under intake's own gunicorn settings on this machine, driven by the same wrk:

(a) a bare Flask endpoint: parses the JSON and answers, no I/O (bench/bare_app.py);
(b) the durable floor: parses the JSON and stores the document intake's insert wrote (its
    outbox entry included) with one journaled, majority insert into a collection with the same
    indexes as intake's cases, nothing else (bench/floor_app.py);
(c) the naive design: stores the case without an outbox, then publishes its event (the bytes
    intake's relay publishes) to RabbitMQ and waits for the confirm inside the request;
Pantau authenticates, validates, rate-limits and stores the case with its outbox event in
MongoDB while its relay publishes to RabbitMQ. Goal: Pantau at least 0.7 of (b) and above (c).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

import requests
from bson import ObjectId, json_util
from pymongo import MongoClient

from bench import cpu
from bench.floor_app import COLLECTION, DATABASE, QUEUE
from bench.harness import Servers, WrkResult, gunicorn, real_servers, say, wrk_post
from services.cli.infra import free_port, wait_for
from services.cli.localmode import Child
from services.intake.access.vault import new_key
from shared.settings import Settings
from tests.support.builders import case_payload


def paced(url: str, token: str, rate: float, seconds: float, threads: int = 8) -> list[float]:
    """Offer ``rate`` requests a second for ``seconds`` (open loop: each request has its slot
    in a fixed schedule, and its latency counts from that slot, so a slow answer that delays
    the next request is not hidden); the latencies in ms, one per answered request."""
    latencies: list[float] = []
    lock = threading.Lock()
    start = time.monotonic() + 0.5
    total = int(rate * seconds)

    def loop(offset: int) -> None:
        session = requests.Session()
        headers = {"Authorization": f"Bearer {token}"}
        for n in range(offset, total, threads):
            slot = start + n / rate
            delay = slot - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            answer = session.post(url, json=case_payload(), headers=headers, timeout=30)
            took = (time.monotonic() - slot) * 1000
            if answer.status_code in (200, 201):
                with lock:
                    latencies.append(took)

    workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sorted(latencies)


class CpuUse:
    """CPU seconds of the processes that serve a design, read from ``/proc`` around its wrk
    run, so each design's figure says where its requests' work went."""

    def __init__(self, http_pid: int, mongod_pid: int | None, relay_pid: int | None = None):
        self.pids = {"HTTP workers": http_pid, "relay": relay_pid, "mongod": mongod_pid}
        self.start = self._read()
        self.used: dict[str, float] = {}

    def _read(self) -> dict[str, float]:
        out = {name: cpu.tree_cpu(pid) for name, pid in self.pids.items() if pid is not None}
        out["RabbitMQ"] = sum(cpu.tree_cpu(pid) for pid in cpu.find_process("beam.smp"))
        return out

    def stop(self) -> CpuUse:
        end = self._read()
        self.used = {name: end[name] - self.start.get(name, 0.0) for name in end}
        return self

    def per_request_ms(self, requests: int) -> dict[str, float]:
        return {name: seconds * 1000 / max(requests, 1) for name, seconds in self.used.items()}


CPU_COLUMNS = ("HTTP workers", "relay", "mongod", "RabbitMQ")


def _pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=15, help="length of each wrk run")
    parser.add_argument(
        "--no-relay",
        action="store_true",
        help="leave the outbox relay stopped during the load (shows what publishing costs)",
    )
    args = parser.parse_args()
    with real_servers() as servers:
        env = {
            "PANTAU_MONGO_URL": servers.mongo_url,
            "PANTAU_AMQP_URL": servers.amqp_url,
            "PANTAU_VAULT_KEY": new_key(),
            # The per-key limit protects production from a runaway client; here it would
            # measure the limiter instead of the service.
            "PANTAU_SUBMIT_RATE_PER_MINUTE": "100000000",
            "PANTAU_LOG_LEVEL": "WARNING",
            "PROMETHEUS_MULTIPROC_DIR": str(servers.home / "metrics"),
        }
        body = case_payload()
        load_before = _loadavg()
        port = free_port()
        say(f"bare Flask endpoint: wrk for {args.seconds}s")
        with gunicorn("bench.bare_gunicorn_conf", port, env, servers.home / "bare.log"):
            bare = wrk_post(f"http://127.0.0.1:{port}/v1/cases", body, "x", args.seconds)

        from services.intake.access.keys import create_key
        from services.intake.bootstrap import bootstrap, ensure_indexes
        from services.intake.cases.models import Case

        settings = Settings(mongo_url=servers.mongo_url, amqp_url=servers.amqp_url)
        bootstrap(settings)
        ensure_indexes()
        token = create_key(name="bench", region="12.06", role="submitter")[0]
        relay = Child(
            name="intake-worker",
            cmd=[sys.executable, "-m", "services.intake.worker"],
            env={**os.environ, **env},
            log_path=servers.home / "relay.log",
        )
        port = free_port()
        document_file = servers.home / "case.json"
        with gunicorn(
            "services.intake.gunicorn_conf", port, env, servers.home / "intake.log"
        ) as http:
            # The ceilings store what intake's insert wrote: one case, read before a relay
            # has published its event and cleared the outbox entry.
            first = requests.post(
                f"http://127.0.0.1:{port}/v1/cases",
                json=body,
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
            first.raise_for_status()
            inserted = Case._get_collection().find_one({"_id": ObjectId(first.json()["id"])})
            document_file.write_text(json_util.dumps(inserted))
            if not args.no_relay:
                relay.start()
                # Loaded once it works: it has published that first case.
                wait_for(
                    lambda: not Case._get_collection().count_documents({"outbox_pending": True}),
                    60,
                    "the relay's first publish",
                )
            say(f"Pantau intake (with its relay running): wrk for {args.seconds}s")
            relay_pid = relay.process.pid if relay.process is not None else None
            use = CpuUse(http.pid, servers.mongod_pid, relay_pid)
            pantau = wrk_post(f"http://127.0.0.1:{port}/v1/cases", body, token, args.seconds)
            cpu_use = {"Pantau intake": use.stop().per_request_ms(pantau.requests)}
            half = pantau.rate / 2
            say(f"Pantau intake at half its maximum ({half:.0f} req/s) for {args.seconds}s")
            at_half = paced(f"http://127.0.0.1:{port}/v1/cases", token, half, args.seconds)
            stored = Case._get_collection().count_documents({})
            if args.no_relay:
                relay.start()
            say("waiting for the relay to publish every accepted case")
            started = time.monotonic()
            while Case._get_collection().count_documents({"outbox_pending": True}):
                time.sleep(0.2)
            drained = time.monotonic() - started
        relay.stop()
        relay.wait(20)

        floors, floor_cpu = floor_runs(servers, env, document_file, body, args)
        durable, naive = floors["durable"], floors["naive"]
        cpu_use["(b) one durable insert"] = floor_cpu["durable"]
        cpu_use["(c) insert + confirm"] = floor_cpu["naive"]
        load_after = _loadavg()

    print("POST /v1/cases: Pantau intake against the ceilings of a durable accept (one run)")
    print(
        "(gunicorn gthread 2 workers x 4 threads; wrk 2 threads, 16 connections; "
        f"load average {load_before} before, {load_after} after)"
    )
    rows = (
        ("(a) bare Flask, no I/O", bare),
        ("(b) one durable insert", durable),
        ("(c) insert + confirm", naive),
        ("Pantau intake", pantau),
    )
    for name, r in rows:
        print(f"  {name:<24}{r.rate:8.0f} req/s   p50 {r.p50_ms:6.2f} ms   p99 {r.p99_ms:6.2f} ms")
    to_floor = pantau.rate / durable.rate
    to_naive = pantau.rate / naive.rate
    floor_verdict = "met" if to_floor >= 0.7 else "NOT met"
    naive_verdict = "met" if to_naive > 1 else "NOT met"
    print(f"  Pantau / (b) durable floor  {to_floor:6.2f}   (goal >= 0.7: {floor_verdict})")
    print(f"  Pantau / (c) naive design   {to_naive:6.2f}   (goal > 1: {naive_verdict})")
    print(f"  Pantau / (a) bare           {pantau.rate / bare.rate:6.2f}   (for reference)")
    print(f"  (b) / (a)                   {durable.rate / bare.rate:6.2f}   what durability costs")
    p99_half = _pct(at_half, 0.99)
    half_verdict = "met" if p99_half < 25 else "NOT met"
    print(
        f"  at half of Pantau's maximum ({half:.0f} req/s offered, {len(at_half)} answered): "
        f"p50 {_pct(at_half, 0.5):.1f} ms, p99 {p99_half:.1f} ms (goal < 25 ms: {half_verdict})"
    )
    print(
        "  answers not 2xx: "
        + ", ".join(f"{name.split()[0]} {r.non_2xx}" for name, r in rows)
        + "; socket errors: "
        + ", ".join(f"{name.split()[0]} {r.errors}" for name, r in rows)
    )
    print("  CPU per request, ms, over each wrk run (/proc):")
    print(f"  {'':<24}" + "".join(f"{c:>14}" for c in CPU_COLUMNS) + f"{'total':>10}")
    for name, figures in sorted(cpu_use.items()):
        cells = "".join(
            f"{figures[c]:14.3f}" if c in figures else f"{'-':>14}" for c in CPU_COLUMNS
        )
        print(f"  {name:<24}{cells}{sum(figures.values()):10.3f}")
    print(f"  cases stored {stored} (wrk counted {pantau.requests} answers, paced {len(at_half)})")
    print(f"  relay backlog drained {drained:.1f} s after the load stopped")


def _loadavg() -> str:
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def floor_runs(
    servers: Servers,
    env: dict[str, str],
    document_file: Path,
    body: dict[str, object],
    args: argparse.Namespace,
) -> tuple[dict[str, WrkResult], dict[str, dict[str, float]]]:
    """wrk against the durable floor (b) and the naive design (c), each on a fresh collection
    carrying the indexes of intake's cases; with each one's CPU per request."""
    mongo_url, amqp_url = servers.mongo_url, servers.amqp_url
    from services.intake.cases.models import Case

    specs = [
        {k: v for k, v in spec.items() if k != "ns"}
        for spec in Case._get_collection().list_indexes()
        if spec["name"] != "_id_"
    ]
    client: MongoClient[dict[str, object]] = MongoClient(mongo_url)
    results: dict[str, WrkResult] = {}
    used: dict[str, dict[str, float]] = {}
    try:
        for app in ("durable", "naive"):
            client.drop_database(DATABASE)
            client[DATABASE].command("createIndexes", COLLECTION, indexes=specs)
            port = free_port()
            say(f"ceiling ({app}): wrk for {args.seconds}s")
            floor_env = {
                **env,
                "PANTAU_BENCH_APP": app,
                "PANTAU_BENCH_DOCUMENT": str(document_file),
                "PANTAU_AMQP_URL": amqp_url,
            }
            log = document_file.parent / f"{app}.log"
            with gunicorn("bench.floor_gunicorn_conf", port, floor_env, log) as http:
                use = CpuUse(http.pid, servers.mongod_pid)
                results[app] = wrk_post(
                    f"http://127.0.0.1:{port}/v1/cases", body, "x", args.seconds
                )
                used[app] = use.stop().per_request_ms(results[app].requests)
            stored = client[DATABASE][COLLECTION].count_documents({})
            say(f"ceiling ({app}): {stored} documents stored, {results[app].requests} answers")
    finally:
        client.drop_database(DATABASE)
        client.close()
        _delete_queue(amqp_url)
    return results, used


def _delete_queue(amqp_url: str) -> None:
    import pika

    try:
        connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
        connection.channel().queue_delete(QUEUE)
        connection.close()
    except Exception as error:  # the vhost is deleted at the end anyway
        say(f"could not delete {QUEUE}: {error}")


if __name__ == "__main__":
    main()
