"""A poison message and a flood of malformed ones reach the exchange while cases flow.

Whatever lands on the exchange, a worker must park what it can never process and go on: the
queue never blocks, no worker dies, and a real case filed in the middle of the flood is
delivered like any other.
"""

from __future__ import annotations

import json
import uuid

import pika
import pytest

from shared.broker.parking import ParkingQueue
from shared.broker.topology import SUBSCRIPTIONS
from tests.support.broker import channel
from tests.support.pipeline_checker import await_pipeline, distinct_cases, submit_all
from tests.support.suite import Suite
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

FLOOD = 500
# Bodies a broken or hostile publisher could send: not JSON, JSON but no envelope, an envelope
# of an unknown type, and a known type whose payload is invalid.
_KINDS = ("garbage", "not-envelope", "unknown-type", "bad-payload")
_ROUTING_KEYS = ("case.submitted", "case.assigned", "case.updated", "case.escalated")


def _malformed(i: int, routing_key: str) -> bytes:
    kind = _KINDS[i % len(_KINDS)]
    if kind == "garbage":
        return b"\xff\xfe not json at all " + str(i).encode()
    if kind == "not-envelope":
        return json.dumps({"hello": "world", "i": i}).encode()
    envelope = {
        "id": str(uuid.uuid4()),
        "type": "case.teleported" if kind == "unknown-type" else routing_key,
        "version": 1,
        "occurred_at": "2026-11-20T10:00:00+00:00",
        "tenant": "12.06",
        "correlation_id": f"flood-{i}",
        "data": {"case_id": 12345, "title": None},
    }
    return json.dumps(envelope).encode()


def _parked(suite: Suite) -> dict[str, int]:
    return {svc: ParkingQueue(suite.settings, svc).depth() for svc in SUBSCRIPTIONS}


def test_poison_and_flood_are_parked_and_a_case_still_gets_through(suite: Suite) -> None:
    expected = {svc: 0 for svc in SUBSCRIPTIONS}
    connection, ch = channel(suite.settings)
    ch.confirm_delivery()
    cases = distinct_cases(10, tag="flood")
    submitted = submit_all(suite, cases[:5])
    try:
        # The poison: a huge, valid-looking case.submitted whose payload is nonsense.
        poison = json.dumps(
            {
                "id": str(uuid.uuid4()),
                "type": "case.submitted",
                "version": 1,
                "occurred_at": "2026-11-20T10:00:00+00:00",
                "tenant": "12.06",
                "correlation_id": "poison",
                "data": {"case_id": ["x"] * 10000},
            }
        ).encode()
        messages = [("case.submitted", poison)]
        for i in range(FLOOD):
            key = _ROUTING_KEYS[i % len(_ROUTING_KEYS)]
            messages.append((key, _malformed(i, key)))
        for i, (key, body) in enumerate(messages):
            ch.basic_publish(
                exchange=suite.settings.exchange,
                routing_key=key,
                body=body,
                properties=pika.BasicProperties(delivery_mode=2, message_id=f"flood-{i}"),
            )
            for svc, types in SUBSCRIPTIONS.items():
                if key in types:
                    expected[svc] += 1
            if i == FLOOD // 2:
                # A real case filed while the queues are full of junk.
                submitted += submit_all(suite, cases[5:])
    finally:
        connection.close()

    eventually(lambda: _parked(suite) == expected, timeout=90)
    report = await_pipeline(suite, submitted, timeout=90)
    print(report.summary())
    print(f"parked: {_parked(suite)} (expected {expected})")
    assert report.lost == 0, report.summary()
    assert report.duplicated == 0, report.summary()
    assert all(child.alive() for child in suite.children.values())
    # Nothing junk produced an effect: the only mails are the real cases' alerts.
    assert len(suite.mail.messages) == report.mails
