"""Intake's timeline on the real database: a sent alert is recorded once, and the case's first
alert is measured from its submission from what the update itself answers; a batch of
events writes what the single handlers write, once, and says what to do with each."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId
from pymongo import MongoClient

from services.cli.infra import MongoServer
from services.intake.cases.timeline import (
    CHANGES,
    Cases,
    apply_event,
    apply_events,
    record_notification_sent,
)
from shared.broker.consumer import PermanentError
from shared.contracts import (
    CaseAssigned,
    CaseTriaged,
    Envelope,
    NotificationSent,
    Recipient,
    new_envelope,
)
from shared.metrics import PIPELINE_LATENCY

CHANNEL = "uji-timeline"
SUBMITTED = datetime(2024, 11, 8, 10, 0, tzinfo=UTC)


@pytest.fixture
def cases(mongo_server: MongoServer) -> Iterator[Cases]:
    client: MongoClient[dict[str, object]] = MongoClient(mongo_server.url, tz_aware=True)
    name = f"timeline_{uuid.uuid4().hex[:8]}"
    yield client[name]["cases"]
    client.drop_database(name)
    client.close()


def _sent(case_id: str, after: timedelta) -> tuple[Envelope, NotificationSent]:
    event = NotificationSent(
        case_id=case_id,
        notification_key=uuid.uuid4().hex,
        source_event_id=str(uuid.uuid4()),
        recipient_id="officer-1",
        channel=CHANNEL,
        sent_at=SUBMITTED + after,
    )
    return new_envelope(event, tenant="12.06", correlation_id=f"corr-{case_id}"), event


def _observed() -> tuple[float, float]:
    """Count and sum of the first-alert histogram for the test's channel."""
    count = total = 0.0
    for metric in PIPELINE_LATENCY.collect():
        for sample in metric.samples:
            if sample.labels.get("channel") != CHANNEL:
                continue
            if sample.name.endswith("_count"):
                count = sample.value
            elif sample.name.endswith("_sum"):
                total = sample.value
    return count, total


def test_a_sent_alert_is_recorded_once_and_only_the_first_is_measured(cases: Cases) -> None:
    case_id = str(
        cases.insert_one(
            {"tenant": "12.06", "submitted_at": SUBMITTED, "timeline": [], "processed_events": []}
        ).inserted_id
    )
    count, total = _observed()
    envelope, first = _sent(case_id, timedelta(seconds=2))
    assert record_notification_sent(envelope, first, cases)
    assert _observed() == (count + 1, total + 2.0)
    assert not record_notification_sent(envelope, first, cases)
    envelope, second = _sent(case_id, timedelta(minutes=5))
    assert record_notification_sent(envelope, second, cases)
    assert _observed() == (count + 1, total + 2.0)  # a later alert is not the pipeline
    stored = cases.find_one({})
    assert stored is not None
    assert [e["kind"] for e in stored["timeline"]] == ["notified", "notified"]


def test_an_alert_for_a_case_intake_does_not_have_is_refused(cases: Cases) -> None:
    envelope, event = _sent("6751a0f0c3c3c3c3c3c3c3c3", timedelta(seconds=1))
    with pytest.raises(PermanentError):
        record_notification_sent(envelope, event, cases)


def _triaged(case_id: str) -> tuple[Envelope, CaseTriaged]:
    event = CaseTriaged(
        case_id=case_id,
        decision_id="d-1",
        category="MEDSOS",
        confidence=0.9,
        needs_review=False,
        sanction_level="sedang",
        priority="high",
        due_at=SUBMITTED + timedelta(days=3),
        explanation="kata kunci",
        rules_version="2026.11-1",
    )
    return new_envelope(event, tenant="12.06", correlation_id=f"corr-{case_id}"), event


def _assigned(case_id: str) -> tuple[Envelope, CaseAssigned]:
    event = CaseAssigned(
        case_id=case_id,
        decision_id="d-1",
        tracking_code="K7QM-3XPA-9D2F-HT6W",
        title="ASN membagikan unggahan paslon",
        category="MEDSOS",
        priority="high",
        due_at=SUBMITTED + timedelta(days=3),
        unit="BKPSDM",
        assignee=Recipient(officer_id="officer-1", name="Joni Sitepu", email="j@karo.example"),
    )
    return new_envelope(event, tenant="12.06", correlation_id=f"corr-{case_id}"), event


def _new_case(cases: Cases) -> str:
    return str(
        cases.insert_one(
            {"tenant": "12.06", "submitted_at": SUBMITTED, "timeline": [], "processed_events": []}
        ).inserted_id
    )


def _without_ids(case: dict[str, Any] | None) -> dict[str, Any]:
    assert case is not None
    return {k: v for k, v in case.items() if k not in ("_id",)}


def test_a_batch_writes_what_the_single_handlers_write_and_says_what_to_do_with_each(
    cases: Cases,
) -> None:
    batched, single = _new_case(cases), _new_case(cases)
    triaged, assigned = _triaged(batched), _assigned(batched)
    unknown = _triaged("6751a0f0c3c3c3c3c3c3c3c3")
    invalid = _triaged("not-an-id")
    items = [triaged, unknown, assigned, invalid, triaged]
    errors = apply_events(cases, items)
    # Applied, parked (no such case), applied, parked (no case id), already applied.
    assert [type(e).__name__ if e else None for e in errors] == [
        None,
        "PermanentError",
        None,
        "PermanentError",
        None,
    ]
    # The same events one by one, with the same envelopes, give the same case.
    for envelope, event in (triaged, assigned):
        assert apply_event(cases, envelope, single, *CHANGES[envelope.type](event))
    one, other = (
        cases.find_one({"_id": ObjectId(batched)}),
        cases.find_one({"_id": ObjectId(single)}),
    )
    assert _without_ids(one) == _without_ids(other)
    assert [e["kind"] for e in _without_ids(one)["timeline"]] == ["triaged", "assigned"]

    # Delivered again, the whole batch changes nothing and is acknowledged.
    assert apply_events(cases, [triaged, assigned]) == [None, None]
    assert _without_ids(cases.find_one({"_id": ObjectId(batched)})) == _without_ids(one)


def test_a_batch_measures_each_case_s_first_alert_once(cases: Cases) -> None:
    one, other = _new_case(cases), _new_case(cases)
    count, total = _observed()
    first = _sent(one, timedelta(seconds=2))
    second = _sent(one, timedelta(seconds=3))  # the same case's other channel
    elsewhere = _sent(other, timedelta(seconds=5))
    assert apply_events(cases, [_triaged(one), first, second, elsewhere]) == [None] * 4
    assert _observed() == (count + 2, total + 2.0 + 5.0)
    # Delivered again, nothing is written and nothing measured.
    assert apply_events(cases, [first, elsewhere]) == [None, None]
    assert _observed() == (count + 2, total + 7.0)
    case = cases.find_one({"_id": ObjectId(one)})
    assert case is not None
    assert [e["kind"] for e in case["timeline"]] == ["triaged", "notified", "notified"]
    # A later alert of a case already alerted is not the pipeline.
    assert apply_events(cases, [_sent(other, timedelta(minutes=5))]) == [None]
    assert _observed() == (count + 2, total + 7.0)


def test_a_batch_that_meets_an_applied_event_measures_none_of_its_alerts(cases: Cases) -> None:
    one, other = _new_case(cases), _new_case(cases)
    applied = _sent(one, timedelta(seconds=2))
    assert apply_events(cases, [applied]) == [None]
    count, total = _observed()
    assert apply_events(cases, [applied, _sent(other, timedelta(seconds=4))]) == [None, None]
    assert _observed() == (count, total)
    case = cases.find_one({"_id": ObjectId(other)})
    assert case is not None
    assert [e["kind"] for e in case["timeline"]] == ["notified"]
