"""One node of a three-node RabbitMQ cluster stops, or dies, while offices file.

The suite is given every node's URL, as a deployment on three machines is. The node taken
down is the leader of a queue the pipeline uses, so the quorum queue must elect a new leader
on one of the two nodes left; clients connected to the lost node must reconnect through
another; consumers elsewhere keep consuming from the queue's new leader. Nothing may be lost
or sent twice, intake must go on answering 201, and the pipeline must be back to normal
within the bound once the node is back.
"""

from __future__ import annotations

import contextlib
import itertools
import time
import uuid
from collections.abc import Callable, Iterator
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
from tests.support.rabbit_cluster import RabbitCluster
from tests.support.rabbit_node import RabbitNode
from tests.support.recovery import expect_back_to_normal, measure_recovery
from tests.support.suite import Suite, running_suite
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.e2e

# How long offices go on filing while the node is down.
OUTAGE_FILING_S = 10.0
HEARTBEAT_S = 3
# Longer than the clients take to give a silent link up (heartbeat + 5 s, twice).
STALL_S = 20.0
SUBMIT_EVERY_S = 1.0
ANSWER_TIMEOUT_S = 10.0


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RabbitCluster]:
    started = RabbitCluster(tmp_path_factory.mktemp("rabbit-cluster"))
    started.start()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def node_links(cluster: RabbitCluster) -> Iterator[list[TcpProxy]]:
    """The clients reach every node through a proxy of its own, so a node's network can
    stall while the node itself runs on."""
    with contextlib.ExitStack() as stack:
        yield [stack.enter_context(TcpProxy("127.0.0.1", node.port)) for node in cluster.nodes]


@pytest.fixture(scope="module")
def suite_on_cluster(
    mongo_server: Any,
    cluster: RabbitCluster,
    node_links: list[TcpProxy],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Suite]:
    # A short heartbeat, so a stalled link is given up within seconds (see test_tcp_proxy).
    amqp_url = ",".join(
        f"amqp://guest:guest@127.0.0.1:{link.port}/%2F?heartbeat={HEARTBEAT_S}"
        for link in node_links
    )
    # Two of every HTTP app and worker, as a replicated deployment runs them.
    with running_suite(
        mongo_server.url, tmp_path_factory.mktemp("suite"), amqp_url=amqp_url, replicas=2
    ) as suite:
        yield suite


def _file_while(
    suite: Suite, pool: Iterator[tuple[str, dict[str, Any]]], keys: dict[str, str], seconds: float
) -> list[Submitted]:
    """File a case a second for ``seconds``; every answer must be a 201 at the first try."""
    submitted = []
    replicas = itertools.cycle(suite.intake_urls())
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        region, payload = next(pool)
        case, took = submit_once(
            suite, keys[region], payload, timeout=ANSWER_TIMEOUT_S, base=next(replicas)
        )
        submitted.append(case)
        time.sleep(max(0.0, SUBMIT_EVERY_S - took))
    return submitted


def _back_to_normal(suite: Suite, cycle: list[Submitted], back: float, fault: str) -> None:
    """Every case filed around the fault alerted once, the pipeline back within the bound
    from ``back`` (when the fault ended), and every process of the suite still running."""
    recovery = measure_recovery(suite, cycle, back, fault=fault)
    print(recovery.summary())
    expect_back_to_normal(suite, cycle, recovery)


def _take_down_a_leader(
    suite: Suite,
    cluster: RabbitCluster,
    queue: str,
    take_down: Callable[[RabbitNode], None],
    fault: str,
) -> None:
    keys = {region: suite.key(region) for region in REGENCIES}
    pool = case_stream(f"cl{uuid.uuid4().hex[:4]}")

    def take(n: int) -> list[tuple[str, dict[str, Any]]]:
        return [(keys[r], p) for r, p in (next(pool) for _ in range(n))]

    warm = await_pipeline(suite, submit_all(suite, take(5)), timeout=90, settle=0)
    assert warm.lost == 0, warm.summary()

    leader = cluster.leaders().get(queue)
    assert leader is not None, f"{queue} has no leader: {cluster.leaders()}"
    node = cluster.node_named(leader)
    in_flight = submit_all(suite, take(3))
    take_down(node)
    during = _file_while(suite, pool, keys, OUTAGE_FILING_S)
    moved = cluster.leaders().get(queue)
    node.start()
    back = time.monotonic()
    print(f"{fault}: {queue} led by {leader}, then by {moved}; {len(during)} cases filed (201)")
    assert moved is not None, f"{queue} has no leader while {leader} is down"
    assert moved != leader, f"{queue}'s leader did not move from {leader}"
    assert cluster.running_nodes(cluster.nodes[0]) == {n.name for n in cluster.nodes}

    _back_to_normal(suite, in_flight + during + submit_all(suite, take(3)), back, fault)


def test_a_nodes_network_stalled_loses_and_doubles_nothing(
    suite_on_cluster: Suite, node_links: list[TcpProxy]
) -> None:
    suite = suite_on_cluster
    keys = {region: suite.key(region) for region in REGENCIES}
    pool = case_stream(f"st{uuid.uuid4().hex[:4]}")
    warm = await_pipeline(
        suite, submit_all(suite, [(keys[r], p) for r, p in (next(pool) for _ in range(5))])
    )
    assert warm.lost == 0, warm.summary()
    # Each process picked its own first node: the link most of them use stalls.
    link = max(node_links, key=lambda candidate: candidate.connections)
    through = link.connections
    assert through > 0, "no client is connected to the cluster"

    link.stall()
    try:
        during = _file_while(suite, pool, keys, STALL_S)
    finally:
        link.pass_through()
    back = time.monotonic()
    print(f"a node's link stalled {STALL_S:.0f}s with {through} connections through it")

    after = submit_all(suite, [(keys[r], p) for r, p in (next(pool) for _ in range(3))])
    _back_to_normal(suite, during + after, back, "a node's network stalled")


def test_a_node_stopped_and_restarted_loses_and_doubles_nothing(
    suite_on_cluster: Suite, cluster: RabbitCluster
) -> None:
    _take_down_a_leader(
        suite_on_cluster,
        cluster,
        "pantau.triage",
        lambda node: node.stop(),
        "the triage queue's leader node stopped",
    )


def test_a_node_killed_loses_and_doubles_nothing(
    suite_on_cluster: Suite, cluster: RabbitCluster
) -> None:
    _take_down_a_leader(
        suite_on_cluster,
        cluster,
        "pantau.notify",
        lambda node: node.kill(),
        "the notify queue's leader node killed",
    )
