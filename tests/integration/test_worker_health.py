"""Worker health endpoints and queue gauges on real servers, and readiness that never hangs."""

from __future__ import annotations

import os
import signal
import socket
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from prometheus_client import REGISTRY

from services.cli.infra import MongoServer, add_vhost, free_port
from shared import mongo
from shared.metrics import QUEUE_MESSAGES
from shared.settings import Settings
from shared.web import broker_ready, create_base_app
from shared.worker_health import HealthServer, QueueMonitor
from tests.support.broker import channel, publish_raw
from tests.support.vhosts import FINISHED
from tests.support.waiting import eventually

# A generous bound, well under the 20 s socket timeout a lost database would otherwise hold a
# check for: a probe that answers within it did not wait for that timeout.
PROBE_LIMIT_S = 10


def _sample(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


@pytest.fixture
def health(settings: Settings) -> Iterator[tuple[HealthServer, threading.Event]]:
    mongo.connect(settings, "intake")
    connected = threading.Event()
    server = HealthServer(
        "intake",
        free_port(),
        {"rabbitmq": connected.is_set, "mongodb": lambda: mongo.ping("intake", 2000)},
        host="127.0.0.1",
    )
    server.start()
    yield server, connected
    server.stop()


def test_worker_serves_metrics_liveness_and_readiness(
    health: tuple[HealthServer, threading.Event],
) -> None:
    server, connected = health
    url = f"http://127.0.0.1:{server.port}"
    alive = requests.get(f"{url}/healthz", timeout=PROBE_LIMIT_S)
    assert alive.status_code == 200
    assert alive.json() == {"status": "ok", "service": "intake"}

    starting = requests.get(f"{url}/readyz", timeout=PROBE_LIMIT_S)
    assert starting.status_code == 503
    assert starting.json()["checks"] == {"rabbitmq": "failing", "mongodb": "ok"}
    connected.set()
    ready = requests.get(f"{url}/readyz", timeout=PROBE_LIMIT_S)
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "service": "intake",
        "checks": {"rabbitmq": "ok", "mongodb": "ok"},
    }

    metrics = requests.get(f"{url}/metrics", timeout=PROBE_LIMIT_S)
    assert metrics.headers["Content-Type"].startswith("text/plain")
    assert "# TYPE pantau_queue_messages gauge" in metrics.text
    assert "# TYPE pantau_deadline_breaches_total counter" in metrics.text
    assert requests.get(f"{url}/nothing", timeout=PROBE_LIMIT_S).status_code == 404


def test_readiness_says_the_database_is_gone_instead_of_hanging(
    settings: Settings, tmp_path: Path
) -> None:
    server = MongoServer(tmp_path / "db", free_port())
    server.start()
    own = settings.model_copy(update={"mongo_url": server.url})
    mongo.connect(own, "worker-health")
    health = HealthServer(
        "notify",
        free_port(),
        {"mongodb": lambda: mongo.ping("worker-health", 2000)},
        host="127.0.0.1",
    )
    health.start()
    url = f"http://127.0.0.1:{health.port}/readyz"
    assert server.process is not None
    pid = server.process.pid
    try:
        assert requests.get(url, timeout=PROBE_LIMIT_S).status_code == 200
        # A hung database: the process is there, the socket open, no answer ever comes.
        os.kill(pid, signal.SIGSTOP)
        hung = requests.get(url, timeout=PROBE_LIMIT_S)
        assert hung.status_code == 503
        assert hung.json()["checks"] == {"mongodb": "failing"}
        os.kill(pid, signal.SIGCONT)
        eventually(lambda: requests.get(url, timeout=PROBE_LIMIT_S).status_code == 200)
        # A lost database: the process is gone.
        server.stop()
        lost = requests.get(url, timeout=PROBE_LIMIT_S)
        assert lost.status_code == 503
        assert lost.json()["checks"] == {"mongodb": "failing"}
    finally:
        if server.process is not None:
            os.kill(pid, signal.SIGCONT)
        server.stop()
        health.stop()
        mongo.disconnect("worker-health")


def test_http_readiness_does_not_hang_on_a_silent_broker(settings: Settings) -> None:
    # A broker that accepts the TCP connection and then never speaks (a hung node).
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    port = silent.getsockname()[1]
    hung = settings.model_copy(update={"amqp_url": f"amqp://guest:guest@127.0.0.1:{port}/%2F"})
    app = create_base_app("triage", hung, readiness={"rabbitmq": broker_ready(hung)})
    try:
        with ThreadPoolExecutor(1) as pool:
            answer = pool.submit(app.test_client().get, "/readyz").result(timeout=PROBE_LIMIT_S)
    finally:
        silent.close()
    assert answer.status_code == 503
    assert answer.get_json()["checks"] == {"rabbitmq": "failing"}


def test_queue_monitor_reads_depths_and_consumers_of_every_queue(settings: Settings) -> None:
    connection, ch = channel(settings)  # declares the topology, as every process does
    for _ in range(3):
        # case.assigned is bound to both intake's and notify's queues.
        publish_raw(settings, "case.assigned", b"{}")
    connected = threading.Event()
    monitor = QueueMonitor(settings, "triage", connected)
    try:
        monitor.report_consumer()
        monitor.read_once()
        assert _sample("pantau_consumer_connected", queue="pantau.triage") == 0
        assert _sample("pantau_queue_messages", queue="pantau.notify") == 3
        assert _sample("pantau_queue_messages", queue="pantau.intake") == 3
        assert _sample("pantau_queue_messages", queue="pantau.triage") == 0
        assert _sample("pantau_queue_consumers", queue="pantau.notify") == 0
        assert _sample("pantau_queue_messages", queue="pantau.notify.parking") == 0
        assert _sample("pantau_queue_messages", queue="pantau.notify.retry.400ms") == 0

        ch.basic_qos(prefetch_count=1)
        ch.basic_consume("pantau.notify", on_message_callback=lambda *args: None)
        connected.set()
        monitor.report_consumer()
        monitor.read_once()
        assert _sample("pantau_queue_consumers", queue="pantau.notify") == 1
        assert _sample("pantau_consumer_connected", queue="pantau.triage") == 1
    finally:
        monitor.close()
        connection.close()

    # On a broker where the queues are not declared, their readings disappear.
    empty = f"pantau-test-{uuid.uuid4().hex[:12]}"
    add_vhost(empty)
    FINISHED.append(empty)  # deleted when the next vhost is created
    bare = settings.model_copy(update={"amqp_url": f"amqp://guest:guest@127.0.0.1:5672/{empty}"})
    elsewhere = QueueMonitor(bare, "triage", connected)
    try:
        elsewhere.read_once()
    finally:
        elsewhere.close()
    assert _sample("pantau_queue_messages", queue="pantau.notify") is None


def test_queue_monitor_forgets_depths_while_the_broker_is_unreachable(
    settings: Settings,
) -> None:
    QUEUE_MESSAGES.labels(queue="pantau.notify").set(7)
    gone = settings.model_copy(
        update={"amqp_url": f"amqp://guest:guest@127.0.0.1:{free_port()}/%2F"}
    )
    monitor = QueueMonitor(gone, "notify", threading.Event(), interval=0.1)
    stop = threading.Event()
    thread = threading.Thread(target=monitor.run, args=(stop,), daemon=True)
    thread.start()
    try:
        eventually(lambda: _sample("pantau_queue_messages", queue="pantau.notify") is None)
        assert _sample("pantau_consumer_connected", queue="pantau.notify") == 0
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
