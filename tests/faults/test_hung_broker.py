"""The broker hangs (its process stopped with SIGSTOP) while offices keep filing cases.

A hung broker is worse than a dead one: the kernel still completes every TCP handshake, so
nothing is refused, and nothing ever answers either. Intake must go on answering 201 at once
(its HTTP path never waits on the broker: the case and its event are one MongoDB write), the
relay and the workers must notice by themselves, and once the broker wakes up every case must
cross the pipeline exactly once and the suite be back to normal within the recovery bound.

The broker here is a private RabbitMQ node started for this module: freezing the machine's
shared broker would hang every other test and any other run that uses it.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.pipeline_checker import (
    REGENCIES,
    Submitted,
    await_pipeline,
    case_stream,
    submit_all,
    submit_once,
)
from tests.support.rabbit_node import RabbitNode
from tests.support.recovery import RECOVERY_BOUND_S, Recovery, measure_recovery
from tests.support.suite import Suite, running_suite

pytestmark = pytest.mark.e2e

# Read at import: the autouse fixture that keeps PANTAU_* out of tests has removed it by the
# time a test runs. Unset (the default), one hang; set, hangs repeat for that many seconds.
SOAK_SECONDS = float(os.environ.get("PANTAU_SOAK_SECONDS") or 0)

# The hang outlasts the heartbeat, so it is the harder of the two hangs a client can meet:
# pika checks every heartbeat + 5 s whether anything arrived since its last check, so it gives
# a silent connection up after 8 to 16 s here, and every reconnect then lands on a broker
# that accepts the socket and never speaks, which only the connection's own time limits end.
# A hang shorter than the heartbeat (the same 20 s with the default 30 s) is ridden out on the
# old connections, confirms simply arriving late; a hang that outlasts the default heartbeat
# would have to last 70 s to be sure of it, too long for this suite's time budget.
HEARTBEAT_S = 3
HANG_S = 20.0
# One case about every second while hung: the relay's backlog grows all along the hang.
SUBMIT_EVERY_S = 1.0
# Intake's answer while the broker hangs: a client's usual time limit; a POST that waited on
# the broker would hit it (pika's own time limits are 5-15 s).
ANSWER_TIMEOUT_S = 10.0


@pytest.fixture(scope="module")
def suite_on_private_broker(
    mongo_server: Any, private_broker: RabbitNode, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Suite]:
    url = f"{private_broker.url}?heartbeat={HEARTBEAT_S}"
    with running_suite(mongo_server.url, tmp_path_factory.mktemp("suite"), amqp_url=url) as s:
        yield s


def _submit_while_hung(
    suite: Suite, cases: list[tuple[str, dict[str, Any]]], keys: dict[str, str], until: float
) -> tuple[list[Submitted], list[float]]:
    """File cases one by one until ``until``; every answer must be a prompt 201."""
    submitted: list[Submitted] = []
    latencies: list[float] = []
    for region, payload in cases:
        if time.monotonic() >= until:
            break
        case, took = submit_once(suite, keys[region], payload, timeout=ANSWER_TIMEOUT_S)
        submitted.append(case)
        latencies.append(took)
        time.sleep(max(0.0, SUBMIT_EVERY_S - took))
    return submitted, latencies


WORKERS = ("intake-worker", "triage-worker", "notify-worker")


def _count(suite: Suite, line: str) -> dict[str, int]:
    return {worker: suite.log(worker).count(line) for worker in WORKERS}


def test_hung_broker_intake_keeps_accepting_and_nothing_is_lost_or_doubled(
    suite_on_private_broker: Suite, private_broker: RabbitNode
) -> None:
    suite = suite_on_private_broker
    keys = {region: suite.key(region) for region in REGENCIES}
    pool = case_stream(f"hang{uuid.uuid4().hex[:4]}")

    def take(n: int) -> list[tuple[str, dict[str, Any]]]:
        return [next(pool) for _ in range(n)]

    # A first load crosses the pipeline before anything goes wrong: the suite works here.
    submitted = submit_all(suite, [(keys[r], p) for r, p in take(6)])
    warm = await_pipeline(suite, submitted, timeout=90, settle=0)
    assert warm.lost == 0, warm.summary()

    recoveries: list[Recovery] = []
    soak_until = time.monotonic() + SOAK_SECONDS
    while True:
        # Filed just before: likely still between relay, queues and workers when it stops.
        cycle = submit_all(suite, [(keys[r], p) for r, p in take(3)])
        reconnects = _count(suite, "broker connection lost; reconnecting")
        heartbeats = _count(suite, "AMQPHeartbeatTimeout")
        private_broker.suspend()
        try:
            during, latencies = _submit_while_hung(
                suite, take(int(HANG_S / SUBMIT_EVERY_S) + 5), keys, time.monotonic() + HANG_S
            )
        finally:
            private_broker.resume()
        ended = time.monotonic()
        cycle += during
        print(
            f"while hung {HANG_S:.0f}s: {len(during)} cases answered 201, slowest answer "
            f"{max(latencies):.2f}s, median {sorted(latencies)[len(latencies) // 2]:.2f}s"
        )
        # Filed as soon as the broker is back: they must not wait behind a stuck relay.
        cycle += submit_all(suite, [(keys[r], p) for r, p in take(3)])
        submitted += cycle
        # Over this hang's cases: earlier ones were drained before it began.
        recovery = measure_recovery(suite, cycle, ended, fault=f"a {HANG_S:.0f}s hang")
        print(recovery.summary())
        recoveries.append(recovery)
        # Proof the hang was long enough to matter: every consumer gave its connection up
        # and reconnected, and the clients noticed by themselves (a missed heartbeat), not
        # because the broker closed anything when it woke up.
        after = _count(suite, "broker connection lost; reconnecting")
        assert all(after[w] > reconnects[w] for w in WORKERS), (reconnects, after)
        missed = _count(suite, "AMQPHeartbeatTimeout")
        assert any(missed[w] > heartbeats[w] for w in WORKERS), (heartbeats, missed)
        if time.monotonic() >= soak_until:
            break

    report = await_pipeline(suite, submitted, timeout=60, settle=3)
    print(report.summary())
    assert report.lost == 0, report.summary()
    # No process was killed, so no alert can have been sent without its ledger entry: not
    # even the SMTP crash window applies, exactly once.
    assert report.duplicated == 0, report.summary()
    for recovery in recoveries:
        assert recovery.within_bound, f"{recovery.summary()} > {RECOVERY_BOUND_S:.0f}s"
    for name, child in suite.children.items():
        assert child.alive(), suite.log(name)[-2000:]
