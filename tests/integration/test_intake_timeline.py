"""Intake's timeline on the real database: a sent alert is recorded once, and the case's first
alert is measured from its submission from what the update itself answers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pymongo import MongoClient

from services.cli.infra import MongoServer
from services.intake.cases.timeline import Cases, record_notification_sent
from shared.broker.consumer import PermanentError
from shared.contracts import Envelope, NotificationSent, new_envelope
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
