"""A bad network between the suite and its servers: slow, cut, then dead for a while.

Every process of the suite reaches RabbitMQ (and MongoDB) through a TCP proxy of the test's
(``tests/support/tcp_proxy.py``), which in turn makes the link slow, resets every connection
mid-stream, and finally stalls it like a half-dead link (the peer's TCP answers, nothing gets
through) before it heals. Offices file cases all along. The outbox, the relay's confirms and
the idempotent consumers must make the net effect exact, and the suite must get back to
normal by itself within the recovery bound after each fault.

The broker is the machine's shared one, in a vhost of this test's: nothing here stops or
freezes it, only this suite's own connections are cut.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator

import pytest

from services.cli.infra import MongoServer, add_vhost
from tests.support.pipeline_checker import (
    REGENCIES,
    Submitted,
    await_pipeline,
    case_stream,
    submit,
)
from tests.support.recovery import RECOVERY_BOUND_S, Recovery, measure_recovery
from tests.support.suite import Suite, running_suite
from tests.support.tcp_proxy import TcpProxy
from tests.support.vhosts import FINISHED

pytestmark = pytest.mark.e2e

# Read at import: the autouse fixture that keeps PANTAU_* out of tests has removed it by the
# time a test runs. Unset (the default), one round of faults; set, rounds repeat that long.
SOAK_SECONDS = float(os.environ.get("PANTAU_SOAK_SECONDS") or 0)

# Short, so the stall below outlasts it: pika checks every heartbeat + 5 s whether anything
# arrived since its last check, so it gives a silent link up after 8 to 16 s here; with the
# default 30 s only a stall of over 70 s would be sure to be noticed by the clients.
HEARTBEAT_S = 3
# A bad mobile or satellite link between a regency office's deployment and its broker.
AMQP_LATENCY_S = 0.15
# Every MongoDB round trip pays it twice; each write is several round trips.
MONGO_LATENCY_S = 0.03
# Longer than the clients take to notice: every client must give its connection up and
# reconnect into a link that still accepts sockets and carries nothing.
STALL_S = 20.0


@pytest.fixture(scope="module")
def amqp_proxy(broker: None) -> Iterator[TcpProxy]:
    with TcpProxy("127.0.0.1", 5672) as proxy:
        yield proxy


@pytest.fixture(scope="module")
def mongo_proxy(mongo_server: MongoServer) -> Iterator[TcpProxy]:
    with TcpProxy("127.0.0.1", mongo_server.port) as proxy:
        yield proxy


@pytest.fixture(scope="module")
def suite_behind_proxies(
    amqp_proxy: TcpProxy, mongo_proxy: TcpProxy, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Suite]:
    vhost = f"pantau-proxy-{uuid.uuid4().hex[:10]}"
    add_vhost(vhost, retiring=FINISHED)
    FINISHED.clear()
    amqp_url = f"amqp://guest:guest@127.0.0.1:{amqp_proxy.port}/{vhost}?heartbeat={HEARTBEAT_S}"
    # A direct connection: with replicaSet= the driver would learn the member's real address
    # from the replica set and go around the proxy. Transactions still work (it is a primary).
    mongo_url = f"mongodb://127.0.0.1:{mongo_proxy.port}/?directConnection=true"
    with running_suite(mongo_url, tmp_path_factory.mktemp("suite"), amqp_url=amqp_url) as started:
        yield started
    FINISHED.append(vhost)  # deleted when the next vhost is created


def _count(suite: Suite, line: str) -> int:
    return sum(
        suite.log(worker).count(line)
        for worker in ("intake-worker", "triage-worker", "notify-worker")
    )


def _reconnects(suite: Suite) -> int:
    return _count(suite, "broker connection lost; reconnecting")


def test_slow_reset_and_stalled_links_lose_and_double_nothing(
    suite_behind_proxies: Suite, amqp_proxy: TcpProxy, mongo_proxy: TcpProxy
) -> None:
    suite = suite_behind_proxies
    keys = {region: suite.key(region) for region in REGENCIES}
    pool = case_stream(f"net{uuid.uuid4().hex[:4]}")
    submitted: list[Submitted] = []
    recoveries: list[Recovery] = []

    def file(n: int, pause: float = 0.0) -> list[Submitted]:
        done = []
        for _ in range(n):
            region, payload = next(pool)
            done.append(submit(suite, keys[region], payload))
            time.sleep(pause)
        submitted.extend(done)
        return done

    soak_until = time.monotonic() + SOAK_SECONDS
    while True:
        # 1. A slow link to the broker: every frame, confirm and ack is held in each direction.
        amqp_proxy.delay(AMQP_LATENCY_S)
        slow = file(8)
        report = await_pipeline(suite, slow, timeout=90, settle=0)
        amqp_proxy.pass_through()
        print(f"over a {AMQP_LATENCY_S * 1000:.0f} ms link: {report.summary()}")
        assert report.lost == 0, report.summary()

        # 2. Every connection reset three times mid-stream. The reset mode lasts a moment, so
        # the first reconnect attempts are reset too and the back-off has to do its work.
        mark, reconnects, resets = len(submitted), _reconnects(suite), amqp_proxy.stats.reset
        for _ in range(3):
            file(3)
            amqp_proxy.reset()
            time.sleep(1.0)
            amqp_proxy.pass_through()
        ended = time.monotonic()
        file(2)
        recoveries.append(measure_recovery(suite, submitted[mark:], ended, fault="3 resets"))
        print(recoveries[-1].summary(), f"({amqp_proxy.stats.reset - resets} connections reset)")
        # Proof the resets landed. Not one line per consumer and reset: a consumer still in
        # its back-off when the next reset comes has no connection for it to cut.
        assert amqp_proxy.stats.reset - resets >= 3, "no connection was reset"
        assert _reconnects(suite) >= reconnects + 3, "the consumers did not reconnect"

        # 3. A stall: TCP still connects, nothing moves, longer than the heartbeat allows.
        mark = len(submitted)
        file(3)
        reconnects, heartbeats = _reconnects(suite), _count(suite, "AMQPHeartbeatTimeout")
        amqp_proxy.stall()
        try:
            # Intake's HTTP path never touches the broker: cases are accepted all along.
            until = time.monotonic() + STALL_S
            while time.monotonic() < until:
                file(1, pause=min(2.0, max(0.0, until - time.monotonic())))
        finally:
            amqp_proxy.pass_through()
        ended = time.monotonic()
        file(2)
        stall = f"a {STALL_S:.0f}s stall"
        recoveries.append(measure_recovery(suite, submitted[mark:], ended, fault=stall))
        print(recoveries[-1].summary())
        # Proof the stall outlasted the heartbeat: every consumer gave its connection up, and
        # the clients noticed by themselves, not only when the link came back.
        assert _reconnects(suite) >= reconnects + 3, "each consumer reconnects after a stall"
        assert _count(suite, "AMQPHeartbeatTimeout") > heartbeats, "no client saw the stall"

        # 4. A slow database link: every query and every transaction step pays it.
        mongo_proxy.delay(MONGO_LATENCY_S)
        try:
            slow_db = file(6)
            report = await_pipeline(suite, slow_db, timeout=90, settle=0)
        finally:
            mongo_proxy.pass_through()
        print(f"over a {MONGO_LATENCY_S * 1000:.0f} ms database link: {report.summary()}")
        assert report.lost == 0, report.summary()
        if time.monotonic() >= soak_until:
            break

    report = await_pipeline(suite, submitted, timeout=90, settle=3)
    print(report.summary())
    print(f"amqp proxy: {amqp_proxy.stats}; mongo proxy: {mongo_proxy.stats}")
    assert report.lost == 0, report.summary()
    # No process was killed, so no alert can have been sent without its ledger entry: exactly
    # once, not at-least-once.
    assert report.duplicated == 0, report.summary()
    for recovery in recoveries:
        assert recovery.within_bound, f"{recovery.summary()} > {RECOVERY_BOUND_S:.0f}s"
    for name, child in suite.children.items():
        assert child.alive(), suite.log(name)[-2000:]
