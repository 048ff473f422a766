"""Intake's ``POST /v1/cases`` against a bare Flask endpoint, measured in one run.

    python -m bench.intake_throughput [--seconds 15]

Both run under intake's own gunicorn settings on this machine; the bare endpoint parses the
JSON and answers, Pantau authenticates, validates, rate-limits and stores the case with its
outbox event in MongoDB while its relay publishes to RabbitMQ. The figure that matters is
the ratio (goal: at least 0.35).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time

import requests

from bench.harness import gunicorn, real_servers, say, wrk_post
from services.cli.infra import free_port
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
        if not args.no_relay:
            relay.start()
        port = free_port()
        say(f"Pantau intake (with its relay running): wrk for {args.seconds}s")
        with gunicorn("services.intake.gunicorn_conf", port, env, servers.home / "intake.log"):
            pantau = wrk_post(f"http://127.0.0.1:{port}/v1/cases", body, token, args.seconds)
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

    ratio = pantau.rate / bare.rate
    verdict = "met" if ratio >= 0.35 else "NOT met"
    print("POST /v1/cases: Pantau intake vs a bare Flask JSON endpoint")
    print("(gunicorn gthread 2 workers x 4 threads; wrk 2 threads, 16 connections)")
    for name, r in (("bare Flask", bare), ("Pantau intake", pantau)):
        print(f"  {name:<14} {r.rate:8.0f} req/s   p50 {r.p50_ms:6.2f} ms   p99 {r.p99_ms:6.2f} ms")
    print(f"  ratio          {ratio:8.2f}   (goal >= 0.35: {verdict})")
    p99_half = _pct(at_half, 0.99)
    half_verdict = "met" if p99_half < 25 else "NOT met"
    print(
        f"  at half of Pantau's maximum ({half:.0f} req/s offered, {len(at_half)} answered): "
        f"p50 {_pct(at_half, 0.5):.1f} ms, p99 {p99_half:.1f} ms (goal < 25 ms: {half_verdict})"
    )
    print(f"  answers not 2xx: bare {bare.non_2xx}, Pantau {pantau.non_2xx}")
    print(f"  socket errors: bare {bare.errors}, Pantau {pantau.errors}")
    print(f"  cases stored {stored} (wrk counted {pantau.requests} answers, paced {len(at_half)})")
    print(f"  relay backlog drained {drained:.1f} s after the load stopped")


if __name__ == "__main__":
    main()
