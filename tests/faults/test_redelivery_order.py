"""The same real events delivered again, and delivered in the wrong order.

At-least-once delivery means any event may arrive twice, and retries mean a later event may
overtake an earlier one. The events here are the suite's own envelopes, copied off the
exchange by a tap queue, so ids, payloads and headers are exactly what production carries.
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any

import pika
import pytest

from shared.broker.topology import consumer_topology
from tests.support.broker import channel
from tests.support.pipeline_checker import await_pipeline, distinct_cases, submit_all
from tests.support.suite import Suite
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

TAP = "pantau-test.tap"


def _tap(suite: Suite) -> None:
    """A queue that receives a copy of every event from now on."""
    connection, ch = channel(suite.settings)
    ch.queue_declare(TAP, durable=True)
    ch.queue_bind(TAP, suite.settings.exchange, routing_key="#")
    connection.close()


def _tapped(suite: Suite, case_id: str) -> dict[str, bytes]:
    """The tapped envelopes of one case, by event type (messages are left in the tap)."""
    connection, ch = channel(suite.settings)
    found: dict[str, bytes] = {}
    try:
        while True:
            method, _props, body = ch.basic_get(TAP)
            if method is None:
                break
            envelope = json.loads(body)
            if envelope["data"].get("case_id") == case_id:
                found.setdefault(envelope["type"], body)
    finally:
        connection.close()  # unacked messages go back to the tap
    return found


def _all_tapped(suite: Suite, case_id: str, types: list[str]) -> dict[str, bytes] | None:
    """The case's tapped envelopes once every one of ``types`` is there."""
    found = _tapped(suite, case_id)
    return found if found.keys() >= set(types) else None


def _publish(suite: Suite, messages: list[tuple[str, str, bytes]]) -> None:
    """Publish (exchange, routing key, body) with confirms, as the relay does."""
    connection, ch = channel(suite.settings)
    ch.confirm_delivery()
    for exchange, key, body in messages:
        envelope: dict[str, Any] = json.loads(body)
        ch.basic_publish(
            exchange=exchange,
            routing_key=key,
            body=body,
            properties=pika.BasicProperties(
                delivery_mode=2, message_id=envelope["id"], content_type="application/json"
            ),
            mandatory=True,
        )
    connection.close()


def test_redelivered_events_have_one_effect(suite: Suite) -> None:
    _tap(suite)
    submitted = submit_all(suite, distinct_cases(10, tag="dup"))
    first = await_pipeline(suite, submitted, timeout=90)
    assert first.lost == 0, first.summary()
    assert first.duplicated == 0, first.summary()
    # Every event of every case, published again twice through the exchange, newest first:
    # each consumer sees ids it has already processed, out of their original order.
    order = ["notification.sent", "case.assigned", "case.triaged", "case.submitted"]
    again = []
    for s in submitted:
        events = eventually(partial(_all_tapped, suite, s.case_id, order))
        again += [(suite.settings.exchange, t, events[t]) for t in order] * 2
    _publish(suite, again)
    report = await_pipeline(suite, submitted, timeout=90, settle=5)
    print(report.summary())
    assert report.lost == 0, report.summary()
    assert report.duplicated == 0, report.summary()
    assert report.mails == first.mails


def test_events_arriving_before_their_cause_settle_to_one_timeline(suite: Suite) -> None:
    """Intake's timeline consumer receives the case's notification before its assignment and
    its assignment before its triage, each twice, and must still end with one of each."""
    _tap(suite)
    triage, intake = suite.children["triage-worker"], suite.children["intake-worker"]
    # Intake's worker also runs the outbox relay, so it must publish case.submitted first;
    # triage waits meanwhile, so none of its answers can reach intake before intake stops.
    triage.stop()
    triage.wait(20)
    submitted = submit_all(suite, distinct_cases(4, tag="ooo"))
    for s in submitted:
        eventually(partial(_all_tapped, suite, s.case_id, ["case.submitted"]), timeout=60)
    intake.stop()
    intake.wait(20)
    try:
        triage.start()
        order = ["notification.sent", "case.assigned", "case.triaged"]
        tapped = {
            s.case_id: eventually(partial(_all_tapped, suite, s.case_id, order), timeout=60)
            for s in submitted
        }
        # Throw away the in-order copies waiting for intake and queue reversed duplicates
        # instead: the only deliveries intake will see are out of order.
        queue = consumer_topology(suite.settings, "intake").queue
        connection, ch = channel(suite.settings)
        ch.queue_purge(queue)
        connection.close()
        _publish(
            suite,
            [("", queue, tapped[s.case_id][t]) for s in submitted for t in order for _ in (1, 2)],
        )
    finally:
        if not triage.alive():
            triage.start()
        intake.start()
    report = await_pipeline(suite, submitted, timeout=90, settle=5)
    print(report.summary())
    assert report.lost == 0, report.summary()
    assert report.duplicated == 0, report.summary()
    for s in submitted:
        case = suite.case(s.full_reader, s.case_id)
        assert case["triage"]["category"], case["triage"]
        assert case["triage"]["assignee"], case["triage"]
