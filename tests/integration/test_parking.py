"""Operator tools over parking queues, on the real broker with messages the consumer parked."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime

import pika
import pytest

from services.cli.infra import add_vhost, free_port
from shared import correlation
from shared.broker.consumer import Consumer, PermanentError
from shared.broker.parking import REPLAYED_BY_HEADER, ParkingError, ParkingQueue
from shared.contracts import CaseStatusChanged, Envelope, Event, encode, new_envelope
from shared.settings import Settings
from tests.support.broker import channel, depth, drain, publish_raw, running
from tests.support.vhosts import FINISHED
from tests.support.waiting import eventually


def _status_event(case_id: str) -> bytes:
    event = CaseStatusChanged(
        case_id=case_id, from_status="received", to_status="verified", actor="x"
    )
    return encode(new_envelope(event, tenant="12.06", correlation_id=f"corr-{case_id}"))


def _park_directly(settings: Settings, queue: str, body: bytes, headers: dict[str, object]) -> None:
    connection, ch = channel(settings)
    ch.basic_publish(
        exchange="",
        routing_key=queue,
        body=body,
        properties=pika.BasicProperties(delivery_mode=2, headers=headers),
    )
    connection.close()


def test_operator_lists_replays_and_purges_what_the_consumer_parked(settings: Settings) -> None:
    fixed = threading.Event()
    handled: list[tuple[str, int]] = []

    def handler(envelope: Envelope, event: Event) -> None:
        case_id = event.case_id  # type: ignore[attr-defined]
        if case_id == "broken" and not fixed.is_set():
            raise PermanentError("the case names an officer nobody knows")
        handled.append((case_id, correlation.current_attempt()))

    consumer = Consumer(settings, "triage", {"case.status_changed": handler})
    parking = ParkingQueue(settings, "triage")
    with running(consumer):
        publish_raw(settings, "case.status_changed", b"\x00not json")
        publish_raw(settings, "case.status_changed", _status_event("broken"))
        publish_raw(settings, "case.status_changed", _status_event("fine"))
        eventually(lambda: depth(settings, "pantau.triage.parking") == 2, timeout=15)

        first, again = parking.browse(), parking.browse()
        assert [m.id for m in first] == [m.id for m in again]
        assert parking.depth() == 2, "looking must not remove anything"
        (broken,) = [m for m in first if m.case_id == "broken"]
        (invalid,) = [m for m in first if m.case_id is None]
        assert broken.reason == "permanent: the case names an officer nobody knows"
        assert broken.type == "case.status_changed"
        assert broken.tenant == "12.06"
        assert broken.correlation_id == "corr-broken"
        assert broken.attempts == 1
        assert broken.parked_at is not None
        assert invalid.reason.startswith("invalid: ")
        assert invalid.id.startswith("sha-")
        found = parking.find(broken.id)
        assert found is not None
        assert (found.id, found.reason, found.body) == (broken.id, broken.reason, broken.body)
        assert parking.find("no-such-id") is None

        # The cause is fixed: the replayed event is handled as a first attempt.
        fixed.set()
        replayed = parking.replay([broken.id], actor="test operator")
        assert [m.id for m in replayed] == [broken.id]
        eventually(lambda: ("broken", 1) in handled, timeout=15)
        assert parking.depth() == 1

    # Purge drops exactly what the operator saw and confirmed, not what was parked since.
    confirmed = [m.id for m in parking.browse()]
    assert confirmed == [invalid.id]
    _park_directly(settings, parking.name, b"parked after the listing", {})
    purged = parking.purge(confirmed)
    assert [m.id for m in purged] == [invalid.id]
    (left,) = parking.browse()
    assert left.body == b"parked after the listing"
    assert left.reason == "unknown (no reason recorded)"


def test_a_message_the_broker_dead_lettered_is_explained_and_replayed_clean(
    settings: Settings,
) -> None:
    died = datetime(2024, 11, 4, 3, 0, tzinfo=UTC)
    _park_directly(
        settings,
        "pantau.notify.parking",
        _status_event("crashing"),
        {
            "x-death": [
                {"reason": "delivery_limit", "queue": "pantau.notify", "count": 1, "time": died}
            ],
            "x-first-death-reason": "delivery_limit",
            "x-pantau-attempt": 3,
        },
    )
    parking = ParkingQueue(settings, "notify")
    (message,) = parking.browse()
    assert message.reason == "dead-lettered by the broker: delivery_limit (from pantau.notify)"
    assert message.parked_at == died
    assert message.attempts == 3

    assert [m.id for m in parking.replay(None, actor="ops")] == [message.id]
    assert parking.depth() == 0
    ((properties, body),) = drain(settings, "pantau.notify")
    assert body == message.body
    headers = properties.headers
    assert headers[REPLAYED_BY_HEADER] == "ops"
    for gone in ("x-death", "x-first-death-reason", "x-pantau-attempt"):
        assert gone not in headers, gone


def test_parking_tools_say_what_is_wrong_with_the_broker(settings: Settings) -> None:
    unreachable = settings.model_copy(
        update={"amqp_url": f"amqp://guest:guest@127.0.0.1:{free_port()}/%2F"}
    )
    with pytest.raises(ParkingError, match="cannot reach the broker"):
        ParkingQueue(unreachable, "intake").browse()

    empty_vhost = f"pantau-test-{uuid.uuid4().hex[:12]}"
    add_vhost(empty_vhost)
    FINISHED.append(empty_vhost)  # deleted when the next vhost is created
    undeclared = settings.model_copy(
        update={"amqp_url": f"amqp://guest:guest@127.0.0.1:5672/{empty_vhost}"}
    )
    with pytest.raises(ParkingError, match=r"no queue pantau\.intake\.parking"):
        ParkingQueue(undeclared, "intake").depth()
