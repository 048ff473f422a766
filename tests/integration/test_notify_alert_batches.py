"""Alerts handled in batches (``alert_batches``): each alert is still claimed before it is
sent and sent once; the records of the batch's attempts go to the database in one write;
a record that cannot be written fails its own event and no other."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.collection import Collection

from services.cli.mailbox import MailSink
from services.notify.alert_batches import RecordBuffer, handle_alerts
from services.notify.delivery import DeliveryInProgress, NotifyDeps
from services.notify.handlers import event_handlers, worker_table
from services.notify.ledger import attempt_entry, notification_key, record_update
from shared import correlation
from shared.settings import Settings
from tests.integration.test_notify_delivery import (
    assigned,
    escalated,
    ledger,
    notify_deps_for,
    officer,
    outbox_events,
)
from tests.support.commands import CommandCounter

Document = dict[str, Any]


@pytest.fixture
def notify_deps(settings: Settings, mail_sink: MailSink) -> NotifyDeps:
    return notify_deps_for(settings.model_copy(update={"smtp_port": mail_sink.port}))


@pytest.fixture
def updates() -> CommandCounter:
    return CommandCounter("deliveries", name="update")


@pytest.fixture
def listened(
    settings: Settings, mail_sink: MailSink, updates: CommandCounter
) -> Iterator[NotifyDeps]:
    """Notify whose ledger writes go through a client the test listens to."""
    built = notify_deps_for(settings.model_copy(update={"smtp_port": mail_sink.port}))
    client: MongoClient[Document] = MongoClient(settings.mongo_url, event_listeners=[updates])
    deliveries = client[built.deliveries.database.name][built.deliveries.name]
    yield dataclasses.replace(built, deliveries=deliveries)
    client.close()


def _officers(count: int) -> list[Any]:
    return [
        assigned(officer(f"karo-{n}", email=f"petugas{n}@karo.example"), case_id=f"{n:024x}")
        for n in range(1, count + 1)
    ]


def test_a_batch_sends_each_alert_once_and_writes_its_records_in_one_command(
    listened: NotifyDeps, mail_sink: MailSink, updates: CommandCounter
) -> None:
    items = _officers(6)
    assert handle_alerts(items, listened, event_handlers) == [None] * 6
    mails = mail_sink.wait_for(6, timeout=10)
    assert sorted(m["To"] for m in mails) == sorted(f"petugas{n}@karo.example" for n in range(1, 7))
    assert updates.count == 1  # six records, one bulk write
    docs = ledger()
    assert [d["status"] for d in docs] == ["sent"] * 6
    for doc in docs:
        assert [a["result"] for a in doc["attempts"]] == ["sent"]
        assert [e.TYPE for e in outbox_events(doc)] == ["notification.sent"]
        assert doc["lease_until"] is None


def test_a_batch_leaves_the_ledger_as_the_same_events_handled_one_by_one(
    settings: Settings, mail_sink: MailSink
) -> None:
    notify = notify_deps_for(settings.model_copy(update={"smtp_port": mail_sink.port}))
    items = [*_officers(3), escalated(officer("karo-9", email="kepala@karo.example"))]
    handle_alerts(items, notify, event_handlers)
    batched = {d["_id"]: d for d in ledger()}
    notify.deliveries.delete_many({})
    for envelope, event in items:
        event_handlers(notify)[envelope.type](envelope, event)
    alone = {d["_id"]: d for d in ledger()}

    def shape(doc: Document) -> tuple[Any, ...]:
        follow_ups = [(e.TYPE, e.recipient_id) for e in outbox_events(doc)]
        results = [a["result"] for a in doc["attempts"]]
        return doc["status"], doc["recipient_id"], doc["subject"], results, follow_ups

    assert batched.keys() == alone.keys()
    assert {k: shape(d) for k, d in batched.items()} == {k: shape(d) for k, d in alone.items()}


def test_an_event_twice_in_one_batch_is_sent_once_and_the_copy_defers(
    listened: NotifyDeps, mail_sink: MailSink
) -> None:
    item = assigned()
    errors = handle_alerts([item, item], listened, event_handlers)
    # The copy finds the first one's claim live (its record waits for the batch's end): it is
    # deferred, and handled again it finds the alert sent.
    assert errors[0] is None
    assert isinstance(errors[1], DeliveryInProgress)
    assert handle_alerts([item], listened, event_handlers) == [None]
    assert len(mail_sink.wait_for(1, timeout=5)) == 1
    assert [d["status"] for d in ledger()] == ["sent"]


def test_each_event_of_a_batch_knows_its_own_attempt(settings: Settings) -> None:
    """The consumer binds the batch's attempt numbers: an event on its last attempt gives up
    (parked, with its failure event), one on its first is retried."""
    down = notify_deps_for(settings.model_copy(update={"smtp_port": 9, "smtp_timeout_s": 1.0}))
    first, last = _officers(2)
    attempts = {str(first[0].id): 1, str(last[0].id): down.max_attempts}
    with correlation.batch_bound(attempts):
        errors = handle_alerts([first, last], down, event_handlers)
    assert all(e is not None for e in errors)
    by_case = {d["case_id"]: d for d in ledger()}
    assert by_case[first[1].case_id]["status"] == "pending"
    assert by_case[last[1].case_id]["status"] == "parked"
    assert [e.TYPE for e in outbox_events(by_case[last[1].case_id])] == ["notification.failed"]


def test_the_worker_table_handles_alerts_in_batches_and_the_rest_alone(
    notify_deps: NotifyDeps, mail_sink: MailSink
) -> None:
    single, batch = worker_table(notify_deps)
    assert {"case.assigned", "case.escalated"} <= batch.types
    assert not batch.types & set(single)
    assert "officer.changed" in single
    assert list(batch.handle(_officers(2))) == [None, None]
    assert len(mail_sink.wait_for(2, timeout=5)) == 2


# --- the records' buffer ------------------------------------------------------------------------


@pytest.fixture
def strict(settings: Settings, notify_deps: NotifyDeps) -> Iterator[Collection[Document]]:
    """A ledger that refuses any record saying ``sent``: a write the database rejects."""
    database = notify_deps.deliveries.database
    database.drop_collection("strict_deliveries")
    database.create_collection(
        "strict_deliveries", validator={"status": {"$ne": "sent"}}, validationAction="error"
    )
    yield database["strict_deliveries"]
    database.drop_collection("strict_deliveries")


def _claimed(deliveries: Collection[Document], *keys: str) -> None:
    deliveries.insert_many([{"_id": key, "status": "sending", "attempts": []} for key in keys])


def _update(status: str) -> Document:
    now = datetime.now(UTC)
    return record_update(status, attempt_entry(now, "email", status), now)


def test_a_record_the_database_refuses_fails_its_own_event_only(
    strict: Collection[Document],
) -> None:
    _claimed(strict, "a", "b", "c")
    buffer = RecordBuffer(strict)
    for item, (key, status) in enumerate([("a", "pending"), ("b", "sent"), ("c", "failed")]):
        buffer.item = item
        buffer.add(key, _update(status))
    buffer.flush()
    assert set(buffer.failures) == {1}
    statuses = {d["_id"]: d["status"] for d in strict.find()}
    assert statuses == {"a": "pending", "b": "sending", "c": "failed"}


def test_records_written_again_change_nothing(notify_deps: NotifyDeps) -> None:
    """The fall-back writes each record alone after a bulk write that failed part-way: one
    already applied must not be pushed into the history (or the outbox) twice."""
    key = notification_key("c1", "e1", "karo-1", "email")
    _claimed(notify_deps.deliveries, key)
    buffer = RecordBuffer(notify_deps.deliveries)
    update = _update("sent")
    for _ in range(2):
        buffer.add(key, update)
        buffer.flush()
    [doc] = ledger(key)
    assert doc["status"] == "sent"
    assert len(doc["attempts"]) == 1
    assert buffer.failures == {}


def test_records_waiting_too_long_are_written_before_the_batch_ends(
    notify_deps: NotifyDeps,
) -> None:
    """A slow send must not keep earlier records unwritten until their claims' leases run out."""
    now = [0.0]
    _claimed(notify_deps.deliveries, "k1", "k2", "k3")
    buffer = RecordBuffer(notify_deps.deliveries, clock=lambda: now[0], max_wait_s=1.0)
    buffer.add("k1", _update("sent"))
    now[0] = 0.5
    buffer.add("k2", _update("sent"))
    assert {d["_id"]: d["status"] for d in ledger()}["k1"] == "sending"  # still waiting
    now[0] = 1.2  # the third send took long: what waited goes out with it
    buffer.add("k3", _update("sent"))
    assert {d["_id"]: d["status"] for d in ledger()} == {"k1": "sent", "k2": "sent", "k3": "sent"}
