"""The process frame of every worker: logs, health port, outbox relay, consumer, clean stop.

A worker is the service's own package started with another entrypoint: it reuses the same
settings and wiring as the HTTP app. SIGTERM and SIGINT stop the consumer between messages
(an unacknowledged message is redelivered to another worker), then the relay thread. On
``PANTAU_METRICS_PORT`` it serves ``/metrics``, ``/healthz`` and ``/readyz`` (consumer connected,
MongoDB answering) and reports the broker's queue depths (``shared.worker_health``).
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from types import FrameType
from typing import Any

from pymongo.collection import Collection

from shared import correlation, logs, mongo
from shared.broker.async_publisher import AsyncPublisher
from shared.broker.consumer import Batch, Consumer, Handler
from shared.contracts import Envelope, Event
from shared.metrics import BUILD_INFO, VERSION
from shared.os_thread_name import os_named
from shared.outbox import OutboxRelay
from shared.outbox_watch import OutboxWatch
from shared.settings import Settings
from shared.worker_health import CHECK_TIMEOUT_S, HealthServer, QueueMonitor

log = logging.getLogger(__name__)

Background = Callable[[threading.Event], None]


def run_worker(
    service: str,
    settings: Settings,
    *,
    handlers: Mapping[str, Handler],
    batch: Batch | None = None,
    outbox_collections: Sequence[Collection[dict[str, Any]]] = (),
    background: Sequence[Background] = (),
    outbox_poll_s: float = 0.25,
    watch_outbox: bool = False,
    before_handling: Sequence[Callable[[], None]] = (),
) -> None:
    """Run until SIGTERM/SIGINT: the consumer in this thread, relay and extras in others.

    The relay publishes what a handled event wrote as soon as the handler returns. Events
    written by other processes (the service's HTTP workers) wake it through a change stream
    when ``watch_outbox`` is set; its own look every ``outbox_poll_s`` bounds how long they
    wait otherwise (and while the stream is down). ``before_handling`` runs before each event
    or batch is handled (followed documents catching up with what was written before it).
    """
    logs.configure(service, settings.log_level)
    BUILD_INFO.labels(service=service, version=VERSION).set(1)
    stop = threading.Event()
    relay = (
        OutboxRelay(
            service,
            outbox_collections,
            AsyncPublisher(settings, name=f"{service}-relay"),
            idle_interval=outbox_poll_s,
        )
        if outbox_collections
        else None
    )
    # With the change stream, the worker's own writes wake the relay through it too.
    after = relay.wake if relay is not None and not watch_outbox else _nothing
    before = _each(before_handling)
    consumer = Consumer(
        settings,
        service,
        {t: _logged(h, after, before) for t, h in handlers.items()},
        batch=_logged_batch(batch, after, before) if batch is not None else None,
        stop=stop,
    )
    monitor = QueueMonitor(settings, service, consumer.connected)
    health: HealthServer | None = None
    if settings.metrics_port:
        health = HealthServer(
            service,
            settings.metrics_port,
            {
                "rabbitmq": consumer.connected.is_set,
                "mongodb": lambda: mongo.ping(service, timeout_ms=int(CHECK_TIMEOUT_S * 1000)),
            },
            on_scrape=monitor.report_consumer,
        )
        health.start()

    def _stop(signum: int, _frame: FrameType | None) -> None:
        log.info("stopping", extra={"signal": signum})
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)

    threads: list[threading.Thread] = []
    if relay is not None and watch_outbox:
        watch = OutboxWatch(outbox_collections, relay.wake)
        threads.append(
            threading.Thread(
                target=os_named("outbox-watch", watch.run), args=(stop,), name="outbox-watch"
            )
        )
    if relay is not None:
        threads.append(
            threading.Thread(
                target=os_named("outbox-relay", relay.run), args=(stop,), name="outbox-relay"
            )
        )
    threads.append(
        threading.Thread(
            target=os_named("queue-monitor", monitor.run), args=(stop,), name="queue-monitor"
        )
    )
    for task in background:
        threads.append(
            threading.Thread(
                target=os_named(_task_name(task), task), args=(stop,), name=task.__name__
            )
        )
    for thread in threads:
        thread.daemon = True
        thread.start()
    log.info("worker started", extra={"queue": f"pantau.{service}"})
    consumer.run()
    if relay is not None:
        # An idle relay sees the stop at its next quarter-second check; woken, at once. (Not
        # from the signal handler: the wake takes a lock the interrupted code may hold.)
        relay.wake()
    for thread in threads:
        thread.join(timeout=10)
    if health is not None:
        health.stop()
    log.info("worker stopped")


def _task_name(task: Background) -> str:
    """A background task's name in /proc: its class for a bound method (most are ``run``)."""
    owner = getattr(task, "__self__", None)
    return type(owner).__name__ if owner is not None else getattr(task, "__name__", "task")


def _nothing() -> None:
    return None


def _log_handled(envelope: Envelope, event: Event, duration_ms: float, **more: object) -> None:
    log.info(
        "event handled",
        extra={
            "type": envelope.type,
            "event_id": str(envelope.id),
            "case_id": getattr(event, "case_id", None),
            "duration_ms": duration_ms,
            **more,
        },
    )


def _each(calls: Sequence[Callable[[], None]]) -> Callable[[], None]:
    """One call making each of ``calls`` in turn."""
    if not calls:
        return _nothing

    def call() -> None:
        for each in calls:
            each()

    return call


def _logged_batch(
    batch: Batch, after: Callable[[], None] = _nothing, before: Callable[[], None] = _nothing
) -> Batch:
    """``batch`` with what :func:`_logged` adds to a handler: ``before`` and the relay's wake
    after it, and one log line per event it handled."""

    def handle(items: Sequence[tuple[Envelope, Event]]) -> Sequence[Exception | None]:
        started = time.perf_counter()
        before()
        errors = batch.handle(items)
        after()
        each = round((time.perf_counter() - started) * 1000 / max(len(items), 1), 1)
        for (envelope, event), error in zip(items, errors, strict=False):
            if error is None:
                with correlation.bound(envelope.correlation_id, envelope.tenant):
                    _log_handled(envelope, event, each, batch=len(items))
        return errors

    return Batch(batch.types, handle)


def _logged(
    handler: Handler, after: Callable[[], None] = _nothing, before: Callable[[], None] = _nothing
) -> Handler:
    """``before``, ``handler``, then ``after`` (the relay's wake: what the handler wrote to
    the outbox is published now), and one log line per handled event; the consumer has bound
    the event's correlation id and tenant, so this line ties the worker to the case's
    journey."""

    def handle(envelope: Envelope, event: Event) -> None:
        started = time.perf_counter()
        before()
        handler(envelope, event)
        after()
        _log_handled(envelope, event, round((time.perf_counter() - started) * 1000, 1))

    return handle
