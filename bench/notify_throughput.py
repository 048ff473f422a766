"""Alerts delivered per second to a local SMTP server by real notify workers, in one run.

    python -m bench.notify_throughput [--alerts 2000] [--workers 1,2] [--smtp-keepalive 30]

A real mongod, a fresh RabbitMQ vhost and a local aiosmtpd sink (the one the local mode
runs). N ``case.assigned`` events are queued first, then notify worker processes
(``python -m services.notify.worker``, exactly as deployed, outbox relay and digest loop
included) are started and the sink's arrivals are timed from the first mail to the last.
The ceiling is measured the same way in the same run: raw smtplib sending the same rendered
alert from as many processes as workers, each keeping its SMTP session for up to
``MAX_MAILS_PER_SESSION`` mails as the e-mail channel does.
The figure that matters is the ratio to that ceiling.
"""

from __future__ import annotations

import argparse
import os
import smtplib
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pika

from bench.harness import Servers, real_servers, say
from services.cli.infra import free_port
from services.cli.mailbox import MailSink
from services.notify.channels.base import Outgoing
from services.notify.channels.email import MAX_MAILS_PER_SESSION, EmailChannel, wire_bytes
from services.notify.recipients import Profile
from services.notify.rendering import render
from shared.broker import topology
from shared.contracts import CaseAssigned, Recipient, encode, new_envelope
from shared.settings import Settings

OFFICERS = 100


@dataclass
class Run:
    label: str
    alerts: int
    seconds: float

    @property
    def rate(self) -> float:
        return (self.alerts - 1) / self.seconds if self.seconds > 0 else 0.0


def _event(i: int) -> CaseAssigned:
    return CaseAssigned(
        case_id=f"{i:024x}",
        decision_id=f"d-{i}",
        tracking_code=f"BNCH-{i:04d}-0000-0000",
        title="ASN membagikan unggahan tim pemenangan paslon di Facebook",
        category="MEDSOS",
        priority="normal",
        due_at=datetime.now(UTC) + timedelta(days=5),
        unit="BKPSDM",
        assignee=Recipient(
            officer_id=f"bench-officer-{i % OFFICERS}",
            name=f"Petugas {i % OFFICERS}",
            email=f"petugas{i % OFFICERS}@karo.example",
            timezone="Asia/Jakarta",
        ),
    )


def _sample_mail(settings: Settings) -> bytes:
    """One rendered alert as the e-mail channel builds it, for the ceiling."""
    event = _event(0)
    assert event.assignee is not None
    profile = Profile(officer_id="bench", name="Petugas", email="petugas@karo.example")
    message = render(event, profile, case_url="http://127.0.0.1:8001/v1/cases/x")
    mail = EmailChannel(settings).build(Outgoing(key="k" * 40, recipient=profile, message=message))
    return wire_bytes(mail)


def _raw_sender(port: int, count: int, mail: bytes, per_session: int) -> None:
    for first in range(0, count, per_session):
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            for _ in range(min(per_session, count - first)):
                smtp.sendmail("pantau@localhost", ["petugas@karo.example"], mail)


def _timed_arrivals(
    sink: MailSink,
    expected: int,
    label: str,
    failed: Callable[[], str | None] = lambda: None,
    timeout: float = 600,
) -> Run:
    """Seconds from the first mail to the ``expected``-th at the sink, with progress."""
    start = len(sink.messages)
    first: float | None = None
    last_report = time.monotonic()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = len(sink.messages) - start
        now = time.monotonic()
        if got and first is None:
            first = now
        if got >= expected:
            assert first is not None
            return Run(label, expected, now - first)
        problem = failed()
        if problem:
            raise SystemExit(f"{label}: {problem}")
        if now - last_report >= 1.0:
            rate = got / (now - first) if first and now > first else 0.0
            say(f"{label}: {got}/{expected} delivered ({rate:,.0f}/s)")
            last_report = now
        time.sleep(0.01)
    raise SystemExit(f"{label}: only {len(sink.messages) - start}/{expected} arrived in time")


def measure_ceiling(sink: MailSink, settings: Settings, alerts: int, senders: int) -> Run:
    mail = _sample_mail(settings)
    share = [alerts // senders + (1 if i < alerts % senders else 0) for i in range(senders)]
    with ProcessPoolExecutor(senders) as pool:
        per_session = MAX_MAILS_PER_SESSION if settings.smtp_keepalive_s > 0 else 1
        futures = [pool.submit(_raw_sender, sink.port, n, mail, per_session) for n in share]

        def failed() -> str | None:
            errors = [f.exception() for f in futures if f.done()]
            return next((repr(e) for e in errors if e is not None), None)

        run = _timed_arrivals(sink, alerts, f"raw smtplib x{senders}", failed)
        for future in futures:
            future.result()
    return run


def publish(settings: Settings, first: int, count: int) -> None:
    connection = pika.BlockingConnection(pika.URLParameters(settings.amqp_url))
    channel = connection.channel()
    topology.declare(channel, settings)
    channel.confirm_delivery()
    for i in range(first, first + count):
        envelope = new_envelope(_event(i), tenant="12.06", correlation_id=f"bench-{i}")
        channel.basic_publish(
            exchange=settings.exchange,
            routing_key=envelope.type,
            body=encode(envelope),
            properties=pika.BasicProperties(
                delivery_mode=2, message_id=str(envelope.id), content_type="application/json"
            ),
        )
    connection.close()


def measure_workers(
    servers: Servers, sink: MailSink, settings: Settings, first: int, alerts: int, workers: int
) -> Run:
    say(f"queueing {alerts} case.assigned events")
    publish(settings, first, alerts)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PANTAU_")}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.update(
        {
            "PANTAU_MONGO_URL": settings.mongo_url,
            "PANTAU_DB_PREFIX": settings.db_prefix,
            "PANTAU_AMQP_URL": settings.amqp_url,
            "PANTAU_SMTP_PORT": str(sink.port),
            # Each officer gets 1/100 of the alerts; no burst control should interfere.
            "PANTAU_NOTIFY_RATE_LIMIT": "0",
            "PANTAU_LOG_LEVEL": "WARNING",
            "PANTAU_SMTP_KEEPALIVE_S": str(settings.smtp_keepalive_s),
        }
    )
    say(f"starting {workers} notify worker process(es)")
    logs = [open(servers.home / f"notify-worker-{workers}-{i}.log", "ab") for i in range(workers)]  # noqa: SIM115
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "services.notify.worker"], env=env, stdout=log, stderr=log
        )
        for log in logs
    ]
    try:

        def failed() -> str | None:
            ended = [p.returncode for p in processes if p.poll() is not None]
            return f"a worker exited with {ended[0]} (see its log)" if ended else None

        return _timed_arrivals(sink, alerts, f"notify worker x{workers}", failed)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)
        for log in logs:
            log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--alerts", type=int, default=2000, help="alerts per measurement")
    parser.add_argument("--workers", default="1,2", help="worker counts to measure, e.g. 1,2")
    parser.add_argument(
        "--smtp-keepalive",
        type=float,
        default=Settings().smtp_keepalive_s,
        help="PANTAU_SMTP_KEEPALIVE_S for the workers; 0: one SMTP session per alert "
        "(the ceiling then opens one per mail too)",
    )
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",") if n.strip()]
    with real_servers() as servers:
        sink = MailSink("127.0.0.1", free_port())
        sink.start()
        settings = Settings(
            mongo_url=servers.mongo_url,
            db_prefix=f"bench{os.getpid()}",
            amqp_url=servers.amqp_url,
            smtp_port=sink.port,
            smtp_keepalive_s=args.smtp_keepalive,
        )
        try:
            results: list[tuple[Run, Run]] = []
            offset = 0
            for workers in counts:
                ceiling = measure_ceiling(sink, settings, args.alerts, workers)
                run = measure_workers(servers, sink, settings, offset, args.alerts, workers)
                offset += args.alerts
                results.append((run, ceiling))
        finally:
            sink.stop()
    sessions = (
        f"SMTP sessions kept up to {MAX_MAILS_PER_SESSION} mails"
        if args.smtp_keepalive > 0
        else "one SMTP session per alert"
    )
    print(f"notify throughput: {args.alerts} alerts per run, {sessions}")
    print(f"{'run':<22}{'alerts/s':>10}{'ceiling/s':>12}{'ratio':>8}")
    for run, ceiling in results:
        ratio = run.rate / ceiling.rate
        print(f"{run.label:<22}{run.rate:>10,.0f}{ceiling.rate:>12,.0f}{ratio:>8.2f}")
    print(
        "ceiling: raw smtplib to the same sink, same rendered mail, same number of processes, "
        "same sessions"
    )


if __name__ == "__main__":
    main()
