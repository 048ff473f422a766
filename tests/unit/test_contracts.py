"""The envelope and the event catalogue."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from shared.broker.topology import SUBSCRIPTIONS
from shared.contracts import (
    CaseStatusChanged,
    InvalidMessage,
    decode,
    encode,
    event_types,
    new_envelope,
)


def _envelope() -> bytes:
    event = CaseStatusChanged(case_id="c", from_status="received", to_status="verified", actor="a")
    return encode(new_envelope(event, tenant="64.08", correlation_id="corr"))


def test_round_trip_keeps_type_tenant_and_payload() -> None:
    envelope, event = decode(_envelope())
    assert envelope.type == "case.status_changed"
    assert envelope.tenant == "64.08"
    assert envelope.occurred_at.tzinfo is not None
    assert isinstance(event, CaseStatusChanged)
    assert event.to_status == "verified"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(type="case.unknown"), "unknown event type"),
        (lambda d: d.update(version=9), "unknown event type"),
        (lambda d: d.update(tenant="1206"), "invalid envelope"),
        (lambda d: d["data"].pop("actor"), "invalid case.status_changed payload"),
        (lambda d: d["data"].update(extra="x"), "invalid case.status_changed payload"),
        (lambda d: d.update(occurred_at="2024-11-27T10:00:00"), "invalid envelope"),
    ],
)
def test_bad_messages_are_invalid_not_crashes(mutate, message) -> None:  # type: ignore[no-untyped-def]
    raw = json.loads(_envelope())
    mutate(raw)
    with pytest.raises(InvalidMessage, match=message):
        decode(json.dumps(raw).encode())


@pytest.mark.parametrize("body", [b"", b"\xff\xfe", b"[]", b"null", b'{"id": 1}'])
def test_garbage_is_invalid(body: bytes) -> None:
    with pytest.raises(InvalidMessage):
        decode(body)


def test_every_subscription_names_a_known_event_type() -> None:
    known = set(event_types())
    for service, types in SUBSCRIPTIONS.items():
        assert set(types) <= known, service


def test_envelope_time_defaults_to_now_in_utc() -> None:
    before = datetime.now(UTC)
    envelope = new_envelope(
        CaseStatusChanged(case_id="c", from_status="a", to_status="b", actor="x"),
        tenant="12",
        correlation_id="c",
    )
    assert before <= envelope.occurred_at <= datetime.now(UTC)
