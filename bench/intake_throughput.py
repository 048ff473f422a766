"""Intake's ``POST /v1/cases`` against the ceilings of a durable accept, measured in one run.

    python -m bench.intake_throughput [--seconds 10] [--rounds 3]

All run under intake's own gunicorn settings on this machine, driven by the same wrk, in
rounds: each round runs Pantau, (b) and (c) back to back, each round starting with another,
and a ratio is taken within a round; the figures are the medians of the rounds.

(a) a bare Flask endpoint: parses the JSON and answers, no I/O (bench/bare_app.py);
(b) the durable floor: parses the JSON and stores the document intake's insert wrote (its
    outbox entry included) with one journaled, majority insert into a collection with the same
    indexes as intake's cases, nothing else (bench/floor_app.py);
(c) the naive design: stores the case without an outbox, then publishes its event (the bytes
    intake's relay publishes) to RabbitMQ and waits for the confirm inside the request;
Pantau authenticates, validates, rate-limits and stores the case with its outbox event in
MongoDB while its relay publishes to RabbitMQ. Goal: Pantau at least 0.7 of (b) and above (c).

For each design it prints the CPU per request by process (``/proc``) and what mongod did per
request (documents inserted, updated and returned, commands: ``serverStatus``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any

import requests
from bson import ObjectId, json_util
from pymongo import MongoClient

from bench import cpu
from bench.database_work import COLUMNS as DATABASE_COLUMNS
from bench.database_work import DatabaseWork
from bench.floor_app import COLLECTION, DATABASE, QUEUE
from bench.harness import Servers, WrkResult, gunicorn, real_servers, say, wrk_post
from services.cli.infra import free_port, wait_for
from services.cli.localmode import Child
from services.intake.access.vault import new_key
from shared.gunicorn_hooks import web_workers
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


PANTAU = "Pantau intake"
FLOOR = "(b) one durable insert"
NAIVE = "(c) insert + confirm"
DESIGNS = (PANTAU, FLOOR, NAIVE)


@dataclass
class Run:
    """One wrk run of one design: what wrk saw, the CPU per request by process (ms) and
    mongod's work per request (documents and commands)."""

    result: WrkResult
    cpu: dict[str, float]
    database: dict[str, float]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of the three designs, interleaved"
    )
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
        load_before = cpu.loadavg()
        port = free_port()
        say(f"bare Flask endpoint: wrk for {args.seconds}s")
        with gunicorn("bench.bare_gunicorn_conf", port, env, servers.home / "bare.log"):
            bare = wrk_post(f"http://127.0.0.1:{port}/v1/cases", body, "x", args.seconds)

        pantau = PantauSide(servers, env, body, args.no_relay)
        floors = Floors(servers, env, pantau.first_document(), body)
        runs: dict[str, list[Run]] = {design: [] for design in DESIGNS}
        try:
            for n in range(args.rounds):
                # Each round runs the three designs back to back, starting with another one
                # each time: the machine's speed drifts by the minute, and a ratio of two
                # runs minutes apart would measure the drift.
                for design in DESIGNS[n % 3 :] + DESIGNS[: n % 3]:
                    say(f"round {n + 1} of {args.rounds}: {design}, wrk for {args.seconds}s")
                    run = pantau.run if design == PANTAU else floors.run
                    runs[design].append(run(design, args.seconds))
            half = median([r.result.rate for r in runs[PANTAU]]) / 2
            say(f"Pantau intake at half its maximum ({half:.0f} req/s) for {args.seconds}s")
            at_half = pantau.paced(half, args.seconds)
        finally:
            floors.close()
        stored = pantau.stored()
        load_after = cpu.loadavg()

    report(args, runs, bare, at_half, half, stored, pantau.drained, (load_before, load_after))


class PantauSide:
    """Intake's gunicorn and its relay, started for each run and stopped after it, so the
    ceilings' runs share the machine with nothing of Pantau's (a change stream left open
    would make mongod work for every write of theirs)."""

    def __init__(
        self, servers: Servers, env: dict[str, str], body: dict[str, object], no_relay: bool
    ):
        from services.intake.access.keys import create_key
        from services.intake.bootstrap import bootstrap, ensure_indexes

        self.servers = servers
        self.env = env
        self.body = body
        self.no_relay = no_relay
        bootstrap(Settings(mongo_url=servers.mongo_url, amqp_url=servers.amqp_url))
        ensure_indexes()
        self.token = create_key(name="bench", region="12.06", role="submitter")[0]
        self.relay = Child(
            name="intake-worker",
            cmd=[sys.executable, "-m", "services.intake.worker"],
            env={**os.environ, **env},
            log_path=servers.home / "relay.log",
        )
        self.drained = 0.0
        from services.intake.cases.models import Case

        self.client = Case._get_collection().database.client
        self.url = ""  # the running server's, set by _serve

    def _serve(self) -> AbstractContextManager[subprocess.Popen[bytes]]:
        """Intake's gunicorn on a fresh port until the block ends."""
        port = free_port()
        self.url = f"http://127.0.0.1:{port}/v1/cases"
        return gunicorn(
            "services.intake.gunicorn_conf", port, self.env, self.servers.home / "intake.log"
        )

    def first_document(self) -> Path:
        """What intake's insert writes, as the ceilings store it: one case, read before a
        relay has published its event and cleared the outbox entry."""
        from services.intake.cases.models import Case

        with self._serve():
            first = self._file_one()
        inserted = Case._get_collection().find_one({"_id": ObjectId(first["id"])})
        document_file = self.servers.home / "case.json"
        document_file.write_text(json_util.dumps(inserted))
        return document_file

    def _file_one(self) -> dict[str, Any]:
        """File the bench's case once through the running server; its answer."""
        answer = requests.post(
            self.url,
            json=self.body,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
        )
        answer.raise_for_status()
        body: dict[str, Any] = answer.json()
        return body

    def run(self, _design: str, seconds: int) -> Run:
        with self._serve() as http:
            if not self.no_relay:
                self._start_relay()
            relay_pid = self.relay.process.pid if self.relay.process is not None else None
            use = CpuUse(http.pid, self.servers.mongod_pid, None if self.no_relay else relay_pid)
            work = DatabaseWork(self.client)
            result = wrk_post(self.url, self.body, self.token, seconds)
            cpu_use = use.stop().per_request_ms(result.requests)
            database = work.stop().per_request(result.requests)
            if self.no_relay:
                self._start_relay()
            self._drain()
        self._stop_relay()
        return Run(result, cpu_use, database)

    def paced(self, rate: float, seconds: int) -> list[float]:
        with self._serve():
            self._start_relay()
            latencies = paced(self.url, self.token, rate, seconds)
            self._drain()
        self._stop_relay()
        return latencies

    def stored(self) -> int:
        from services.intake.cases.models import Case

        return int(Case._get_collection().count_documents({}))

    def _pending(self) -> int:
        from services.intake.cases.models import Case

        return int(Case._get_collection().count_documents({"outbox_pending": True}))

    def _start_relay(self) -> None:
        self.relay.start()
        # Measured once it works: it has published cases filed after it started (what it
        # spends starting is not a request's), and each HTTP worker has answered some.
        for _ in range(8):
            self._file_one()
        wait_for(lambda: not self._pending(), 60, "the relay's first publish")

    def _drain(self) -> None:
        say("waiting for the relay to publish every accepted case")
        started = time.monotonic()
        while self._pending():
            time.sleep(0.2)
        self.drained = time.monotonic() - started

    def _stop_relay(self) -> None:
        self.relay.stop()
        self.relay.wait(20)


class Floors:
    """The ceilings (b) and (c), each on a fresh collection carrying the indexes of intake's
    cases, under intake's gunicorn settings."""

    def __init__(
        self, servers: Servers, env: dict[str, str], document_file: Path, body: dict[str, object]
    ) -> None:
        from services.intake.cases.models import Case

        self.servers = servers
        self.env = env
        self.document_file = document_file
        self.body = body
        self.specs = [
            {k: v for k, v in spec.items() if k != "ns"}
            for spec in Case._get_collection().list_indexes()
            if spec["name"] != "_id_"
        ]
        self.client: MongoClient[dict[str, object]] = MongoClient(servers.mongo_url)

    def run(self, design: str, seconds: int) -> Run:
        app = "durable" if design == FLOOR else "naive"
        self.client.drop_database(DATABASE)
        self.client[DATABASE].command("createIndexes", COLLECTION, indexes=self.specs)
        port = free_port()
        floor_env = {
            **self.env,
            "PANTAU_BENCH_APP": app,
            "PANTAU_BENCH_DOCUMENT": str(self.document_file),
        }
        log = self.servers.home / f"{app}.log"
        with gunicorn("bench.floor_gunicorn_conf", port, floor_env, log) as http:
            use = CpuUse(http.pid, self.servers.mongod_pid)
            work = DatabaseWork(self.client)
            result = wrk_post(f"http://127.0.0.1:{port}/v1/cases", self.body, "x", seconds)
            cpu_use = use.stop().per_request_ms(result.requests)
            database = work.stop().per_request(result.requests)
        stored = self.client[DATABASE][COLLECTION].count_documents({})
        say(f"{design}: {stored} documents stored, {result.requests} answers")
        return Run(result, cpu_use, database)

    def close(self) -> None:
        self.client.drop_database(DATABASE)
        self.client.close()
        _delete_queue(self.servers.amqp_url)


def report(
    args: argparse.Namespace,
    runs: dict[str, list[Run]],
    bare: WrkResult,
    at_half: list[float],
    half: float,
    stored: int,
    drained: float,
    loads: tuple[str, str],
) -> None:
    rounds = len(runs[PANTAU])
    print(
        "POST /v1/cases: Pantau intake against the ceilings of a durable accept "
        f"({rounds} rounds of the three designs, interleaved, {args.seconds} s a run)"
    )
    workers = web_workers()
    threads = os.environ.get("PANTAU_WEB_THREADS", "4")
    print(
        f"(gunicorn gthread {workers} workers x {threads} threads; wrk 2 threads, 16 connections; "
        f"load average {loads[0]} before, {loads[1]} after)"
    )
    print(f"  (a) bare Flask, no I/O    {bare.rate:8.0f} req/s   (one run, for reference)")
    header = "".join(f"{f'round {n + 1}':>10}" for n in range(rounds))
    print(f"  {'req/s':<24}{header}{'median':>10}   p50 / p99 ms (median)")
    for design in (FLOOR, NAIVE, PANTAU):
        rates = [r.result.rate for r in runs[design]]
        p50 = median([r.result.p50_ms for r in runs[design]])
        p99 = median([r.result.p99_ms for r in runs[design]])
        cells = "".join(f"{rate:10.0f}" for rate in rates)
        print(f"  {design:<24}{cells}{median(rates):10.0f}   {p50:.2f} / {p99:.2f}")
    for name, ceiling, goal, least in (
        ("Pantau / (b) durable floor", FLOOR, ">= 0.7", 0.7),
        ("Pantau / (c) naive design", NAIVE, "> 1", 1.0 + 1e-9),
    ):
        ratios = [
            p.result.rate / c.result.rate for p, c in zip(runs[PANTAU], runs[ceiling], strict=True)
        ]
        cells = "".join(f"{ratio:10.2f}" for ratio in ratios)
        verdict = "met" if median(ratios) >= least else "NOT met"
        print(f"  {name:<24}{cells}{median(ratios):10.2f}   (goal {goal}: {verdict})")
    pantau_rate = median([r.result.rate for r in runs[PANTAU]])
    floor_rate = median([r.result.rate for r in runs[FLOOR]])
    print(f"  Pantau / (a) bare           {pantau_rate / bare.rate:6.2f}   (for reference)")
    print(f"  (b) / (a)                   {floor_rate / bare.rate:6.2f}   what durability costs")
    p99_half = _pct(at_half, 0.99)
    half_verdict = "met" if p99_half < 25 else "NOT met"
    print(
        f"  at half of Pantau's maximum ({half:.0f} req/s offered, {len(at_half)} answered): "
        f"p50 {_pct(at_half, 0.5):.1f} ms, p99 {p99_half:.1f} ms (goal < 25 ms: {half_verdict})"
    )
    print(
        "  answers not 2xx: "
        + ", ".join(f"{d.split()[0]} {sum(r.result.non_2xx for r in runs[d])}" for d in DESIGNS)
        + "; socket errors: "
        + ", ".join(f"{d.split()[0]} {sum(r.result.errors for r in runs[d])}" for d in DESIGNS)
    )
    print("  CPU per request, ms, the median of the rounds, by process (/proc):")
    print(f"  {'':<24}" + "".join(f"{c:>14}" for c in CPU_COLUMNS) + f"{'total':>10}")
    for design in sorted(DESIGNS):
        cpu_runs = [r.cpu for r in runs[design]]
        cells = "".join(
            f"{median([c[col] for c in cpu_runs]):14.3f}" if col in cpu_runs[0] else f"{'-':>14}"
            for col in CPU_COLUMNS
        )
        total = median([sum(c.values()) for c in cpu_runs])
        print(f"  {design:<24}{cells}{total:10.3f}")
    print("  MongoDB's work per request, the median of the rounds (serverStatus, every client):")
    print(f"  {'documents / commands':<24}" + "".join(f"{c:>14}" for c in DATABASE_COLUMNS))
    for design in sorted(DESIGNS):
        work = [r.database for r in runs[design]]
        cells = "".join(f"{median([w[col] for w in work]):14.2f}" for col in DATABASE_COLUMNS)
        print(f"  {design:<24}{cells}")
    answered = sum(r.result.requests for r in runs[PANTAU])
    print(f"  cases stored {stored} (wrk counted {answered} answers, paced {len(at_half)})")
    print(f"  relay backlog drained {drained:.1f} s after the last load stopped")


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
