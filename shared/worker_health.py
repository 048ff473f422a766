"""A worker's own HTTP endpoint (metrics, liveness, readiness) and the queue gauges it reports.

An HTTP app gets ``/healthz``, ``/readyz`` and ``/metrics`` from ``shared.web``; a worker has no
web framework, so a small stdlib server in a daemon thread answers the same three paths on
``PANTAU_METRICS_PORT``. Every check is bounded by a short timeout: a worker that has lost its
database or broker answers 503 at once instead of holding the prober until it gives up.

There is no broker management API to scrape on every deployment, so the workers read the
queue depths themselves (a passive ``queue_declare`` answers with the ready count and the
consumer count). Each worker reports every consuming queue, not only its own: when the last
worker of a queue dies, the others still report that queue's consumers dropping to zero.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pika
import pika.exceptions
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from shared.broker import topology
from shared.broker.addresses import connection_parameters
from shared.broker.connection import CONNECTION_ERRORS
from shared.metrics import CONSUMER_CONNECTED, QUEUE_CONSUMERS, QUEUE_MESSAGES
from shared.settings import Settings

log = logging.getLogger(__name__)

Check = Callable[[], bool]

# A readiness probe must answer well within a prober's own timeout (Kubernetes: 1 s default,
# compose: a few seconds), so each check gives up quickly.
CHECK_TIMEOUT_S = 2.0
QUEUE_READ_INTERVAL_S = 5.0


def short_connection(url: str, *, name: str, timeout: float = CHECK_TIMEOUT_S) -> Any:
    """A blocking broker connection whose whole bring-up (TCP, AMQP handshake) is bounded.

    ``socket_timeout`` alone covers only the TCP connect; a hung broker accepts the socket and
    then never answers the handshake, which ``stack_timeout`` bounds.
    """

    def configure(params: pika.URLParameters) -> None:
        params.client_properties = {"connection_name": name}
        params.connection_attempts = 1
        params.socket_timeout = timeout
        params.stack_timeout = timeout
        params.blocked_connection_timeout = timeout

    # Each node of a cluster gets the same bound: one hung node costs ``timeout`` before the
    # next is tried.
    return pika.BlockingConnection(connection_parameters(url, configure))


def broker_answers(url: str, timeout: float = CHECK_TIMEOUT_S) -> bool:
    """Whether the broker accepts a connection within ``timeout`` (opened and closed)."""
    connection = short_connection(url, name="readiness", timeout=timeout)
    with contextlib.suppress(*CONNECTION_ERRORS):
        connection.close()
    return True


def run_checks(checks: Mapping[str, Check]) -> tuple[bool, dict[str, str]]:
    """Run readiness checks; a check that raises counts as failing (and is logged)."""
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            ok = bool(check())
        except Exception:
            log.warning("readiness check failed", extra={"check": name}, exc_info=True)
            ok = False
        results[name] = "ok" if ok else "failing"
    return all(value == "ok" for value in results.values()), results


class HealthServer:
    """``/metrics``, ``/healthz`` and ``/readyz`` of one worker, served from a daemon thread."""

    def __init__(
        self,
        service: str,
        port: int,
        checks: Mapping[str, Check],
        host: str = "0.0.0.0",  # noqa: S104 - scraped and probed from other hosts
        *,
        on_scrape: Callable[[], None] | None = None,
    ) -> None:
        self.service = service
        self.checks = dict(checks)
        # Refreshes gauges that mirror live state, so a scrape never reads a stale value.
        self.on_scrape = on_scrape
        self._server = ThreadingHTTPServer((host, port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="health-http", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        health = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                if path == "/metrics":
                    if health.on_scrape is not None:
                        health.on_scrape()
                    self._send(200, generate_latest(REGISTRY), CONTENT_TYPE_LATEST)
                elif path == "/healthz":
                    self._json(200, {"status": "ok", "service": health.service})
                elif path == "/readyz":
                    ready, results = run_checks(health.checks)
                    body = {
                        "status": "ready" if ready else "unavailable",
                        "service": health.service,
                        "checks": results,
                    }
                    self._json(200 if ready else 503, body)
                else:
                    self._json(404, {"status": 404, "title": "Not Found"})

            def _json(self, status: int, body: dict[str, Any]) -> None:
                self._send(status, json.dumps(body).encode(), "application/json")

            def _send(self, status: int, payload: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                # A scrape every few seconds is not an event worth a log line.
                return

        return Handler


class QueueMonitor:
    """Reads every consuming queue's depth and consumers into gauges until stopped."""

    def __init__(
        self,
        settings: Settings,
        service: str,
        consumer_connected: threading.Event,
        *,
        interval: float = QUEUE_READ_INTERVAL_S,
    ) -> None:
        self.settings = settings
        self.queue = topology.consumer_topology(settings, service).queue
        self.consumer_connected = consumer_connected
        self.interval = interval
        self.queues = [
            spec.name for topo in topology.all_topologies(settings) for spec in topo.queues()
        ]
        self._connection: Any = None

    def run(self, stop: threading.Event) -> None:
        """Report every ``interval`` seconds; broker failures clear the gauges and retry."""
        try:
            while not stop.is_set():
                self.report_consumer()
                try:
                    self.read_once()
                except CONNECTION_ERRORS as exc:
                    # Stale depths would hide an outage; no value says "not known now".
                    QUEUE_MESSAGES.clear()
                    QUEUE_CONSUMERS.clear()
                    self.close()
                    log.debug("cannot read queue depths", extra={"error": repr(exc)})
                stop.wait(self.interval)
        finally:
            self.close()

    def report_consumer(self) -> None:
        CONSUMER_CONNECTED.labels(queue=self.queue).set(
            1 if self.consumer_connected.is_set() else 0
        )

    def read_once(self) -> None:
        """One reading of every queue (a missing queue is skipped and its gauges removed)."""
        if self._connection is None or not self._connection.is_open:
            self._connection = short_connection(
                self.settings.amqp_url, name=f"{self.queue}-monitor"
            )
        for name, level in read_levels(self._connection, self.queues).items():
            if level is None:
                for gauge in (QUEUE_MESSAGES, QUEUE_CONSUMERS):
                    with contextlib.suppress(KeyError):
                        gauge.remove(name)
                continue
            QUEUE_MESSAGES.labels(queue=name).set(level.messages)
            QUEUE_CONSUMERS.labels(queue=name).set(level.consumers)

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and connection.is_open:
            with contextlib.suppress(*CONNECTION_ERRORS):
                connection.close()


@dataclass(frozen=True)
class QueueLevel:
    """A queue's ready messages and attached consumers, as the broker answered."""

    messages: int
    consumers: int


def read_levels(connection: Any, names: Sequence[str]) -> dict[str, QueueLevel | None]:
    """Each queue's level by passive declaration (None: the queue does not exist)."""
    levels: dict[str, QueueLevel | None] = {}
    channel: Any = None
    try:
        for name in names:
            if channel is None or not channel.is_open:
                channel = connection.channel()
            try:
                frame = channel.queue_declare(queue=name, passive=True)
            except pika.exceptions.ChannelClosedByBroker:
                # 404: not declared (yet) on this virtual host; the broker closed the channel.
                levels[name] = None
                channel = None
                continue
            levels[name] = QueueLevel(frame.method.message_count, frame.method.consumer_count)
    finally:
        if channel is not None and channel.is_open:
            with contextlib.suppress(*CONNECTION_ERRORS):
                channel.close()
    return levels
