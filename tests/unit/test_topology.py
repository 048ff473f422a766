"""Queue arguments: delivery limit, dead-lettering, growing retry delays."""

from __future__ import annotations

from shared.broker.topology import consumer_topology, definitions
from shared.settings import Settings


def test_main_queue_is_quorum_with_limit_and_parks_dead_letters() -> None:
    topo = consumer_topology(Settings(delivery_limit=7), "triage")
    main = topo.queues()[0]
    assert main.name == "pantau.triage"
    assert main.arguments["x-queue-type"] == "quorum"
    assert main.arguments["x-delivery-limit"] == 7
    assert main.arguments["x-dead-letter-routing-key"] == "pantau.triage.parking"


def test_retry_queues_grow_and_lead_back_to_the_main_queue() -> None:
    topo = consumer_topology(Settings(retry_delays_ms="5000,1000,30000"), "notify")
    assert topo.retry_queue(1) == "pantau.notify.retry.1000ms"
    assert topo.retry_queue(2) == "pantau.notify.retry.5000ms"
    assert topo.retry_queue(3) == "pantau.notify.retry.30000ms"
    assert topo.retry_queue(9) == "pantau.notify.retry.30000ms"  # the longest repeats
    retries = [q for q in topo.queues() if ".retry." in q.name]
    assert [q.arguments["x-message-ttl"] for q in retries] == [1000, 5000, 30000]
    assert {q.arguments["x-dead-letter-routing-key"] for q in retries} == {"pantau.notify"}


def test_definitions_cover_every_queue_and_binding() -> None:
    defs = definitions(Settings(), "/")
    names = {q["name"] for q in defs["queues"]}
    assert {"pantau.intake", "pantau.triage", "pantau.notify"} <= names
    assert {"pantau.triage.parking", "pantau.notify.parking"} <= names
    routing = {(b["destination"], b["routing_key"]) for b in defs["bindings"]}
    assert ("pantau.triage", "case.submitted") in routing
    assert ("pantau.notify", "case.assigned") in routing
    assert ("pantau.intake", "notification.sent") in routing
