"""The broker is stopped and started again (a real restart of its node) while offices file.

Unlike a hang, a stop is loud: the broker closes every connection as it shuts down and then
refuses new ones until it is back. Intake must go on answering 201 all along (the case and its
event are one MongoDB write; the outbox holds the events until the relay can publish them), the
relay and the consumers must reconnect by themselves once the node is back, and every case must
cross the pipeline exactly once.

A real restart ends the node's Erlang VM and starts a new one on the same data folder, so what
the queues held must survive it: the queues are durable quorum queues and every event is
published persistent. To prove that rather than assume it, the triage worker is paused first
(stopped cleanly, not killed), so the cases filed just before the stop wait as messages in
``pantau.triage`` across the restart, and the test checks they are all still there after it.

The broker is a private RabbitMQ node of this module: stopping the machine's shared broker
(127.0.0.1:5672) would break every other test run on it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from services.cli.infra import InfraError, port_open
from tests.support.pipeline_checker import (
    REGENCIES,
    Submitted,
    await_pipeline,
    case_stream,
    submit_all,
    submit_once,
)
from tests.support.rabbit_node import RabbitNode
from tests.support.recovery import expect_back_to_normal, measure_recovery
from tests.support.suite import Suite, running_suite
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

# How long offices go on filing once the node is down; stopping and starting the node take
# several seconds more on a loaded machine, so the broker is gone for longer than this.
OUTAGE_FILING_S = 12.0
SUBMIT_EVERY_S = 1.0
# Intake's answer while the broker is down: a client's usual time limit. A POST that waited on
# the broker would hit it.
ANSWER_TIMEOUT_S = 10.0
# Paused so that the events of the cases filed just before the restart sit in its queue.
PAUSED = "triage-worker"
PAUSED_QUEUE = "pantau.triage"
WORKERS = ("intake-worker", "triage-worker", "notify-worker")


@pytest.fixture(scope="module")
def suite_on_private_broker(
    mongo_server: Any, private_broker: RabbitNode, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Suite]:
    # The suite's usual heartbeat: a stopping broker closes the connections itself, so the
    # clients learn of it at once and need no short heartbeat to notice.
    url = f"{private_broker.url}?heartbeat=30"
    with running_suite(mongo_server.url, tmp_path_factory.mktemp("suite"), amqp_url=url) as s:
        yield s


def _depth(node: RabbitNode, queue: str) -> int | None:
    """Messages in ``queue`` as the node counts them (None while it cannot say)."""
    try:
        listing = node.ctl("list_queues", "name", "messages", "--no-table-headers", timeout=30)
    except InfraError:
        return None
    for line in listing.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == queue and parts[1].isdigit():
            return int(parts[1])
    return None


def _submit_while_down(
    suite: Suite, pool: Iterator[tuple[str, dict[str, Any]]], keys: dict[str, str], until: float
) -> tuple[list[Submitted], float]:
    """File cases one by one until ``until``; every answer must be a 201 at the first try
    (no retry that could hide a refusal). Returns them and the slowest answer."""
    submitted: list[Submitted] = []
    slowest = 0.0
    while time.monotonic() < until:
        region, payload = next(pool)
        case, took = submit_once(suite, keys[region], payload, timeout=ANSWER_TIMEOUT_S)
        submitted.append(case)
        slowest = max(slowest, took)
        time.sleep(max(0.0, SUBMIT_EVERY_S - took))
    return submitted, slowest


def _reconnects(suite: Suite) -> dict[str, int]:
    return {w: suite.log(w).count("broker connection lost; reconnecting") for w in WORKERS}


def test_broker_restart_loses_and_doubles_nothing(
    suite_on_private_broker: Suite, private_broker: RabbitNode
) -> None:
    suite = suite_on_private_broker
    keys = {region: suite.key(region) for region in REGENCIES}
    pool = case_stream(f"rst{uuid.uuid4().hex[:4]}")

    def take(n: int) -> list[tuple[str, dict[str, Any]]]:
        return [(keys[r], p) for r, p in (next(pool) for _ in range(n))]

    # A first load crosses the pipeline before anything goes wrong: the suite works here.
    warm = await_pipeline(suite, submit_all(suite, take(5)), timeout=90, settle=0)
    assert warm.lost == 0, warm.summary()

    # Cases whose events must wait out the restart inside the broker.
    suite.children[PAUSED].stop()
    suite.children[PAUSED].wait(20)
    queued = submit_all(suite, take(5))
    # The relay has published (and the broker confirmed) every one of them.
    before = eventually(
        lambda: (d := _depth(private_broker, PAUSED_QUEUE)) is not None and d >= len(queued) and d,
        timeout=60,
    )
    # Filed just before the stop: likely still in the relay, the queues or a worker.
    in_flight = submit_all(suite, take(3))
    reconnects = _reconnects(suite)
    old_pid = private_broker.os_pid

    stopped_at = time.monotonic()
    private_broker.stop()
    assert not port_open("127.0.0.1", private_broker.port), "the node still listens"
    during, slowest = _submit_while_down(suite, pool, keys, time.monotonic() + OUTAGE_FILING_S)
    private_broker.start()
    ended = time.monotonic()
    print(
        f"broker down {ended - stopped_at:.1f}s: {len(during)} cases answered 201, "
        f"slowest answer {slowest:.2f}s"
    )
    assert private_broker.os_pid != old_pid, "the node was not really restarted"

    # The messages waiting in the paused worker's queue survived the restart.
    after = eventually(lambda: _depth(private_broker, PAUSED_QUEUE), timeout=60)
    print(f"{PAUSED_QUEUE}: {before} messages before the restart, {after} after it")
    assert after >= before, f"{PAUSED_QUEUE} held {before} messages before the restart, {after}"
    suite.restart(PAUSED)

    after_filed = submit_all(suite, take(3))
    cycle = queued + in_flight + during + after_filed
    recovery = measure_recovery(suite, cycle, ended, fault="a broker restart")
    print(recovery.summary())

    # Proof the restart reached every client that stayed up: each one lost its connection
    # and reconnected by itself.
    now = _reconnects(suite)
    assert all(now[w] > reconnects[w] for w in WORKERS if w != PAUSED), (reconnects, now)

    # No process was killed, so no alert can have been sent without its ledger entry: exactly
    # once (nothing doubled), not even the SMTP crash window applies.
    expect_back_to_normal(suite, cycle, recovery)
