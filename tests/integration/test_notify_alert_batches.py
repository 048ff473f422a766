"""Alerts handled in batches (``alert_batches``): each alert is still claimed before it is
sent and sent once; each record goes to the database with the next claim, so an alert is
never sent while an earlier one's record waits; a record that cannot be written fails its
own event and no other."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.collection import Collection

from services.cli.mailbox import MailSink
from services.notify.alert_batches import RecordBuffer, handle_alerts
from services.notify.channels.base import Channel, Outgoing
from services.notify.delivery import NotifyDeps
from services.notify.handlers import event_handlers, worker_table
from services.notify.ledger import attempt_entry, notification_key, record_update
from services.notify.recipients import Profile
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
def inserts() -> CommandCounter:
    return CommandCounter("deliveries", name="insert")


@pytest.fixture
def listened(
    settings: Settings, mail_sink: MailSink, updates: CommandCounter, inserts: CommandCounter
) -> Iterator[NotifyDeps]:
    """Notify whose ledger writes go through a client the test listens to."""
    built = notify_deps_for(settings.model_copy(update={"smtp_port": mail_sink.port}))
    client: MongoClient[Document] = MongoClient(
        settings.mongo_url, event_listeners=[updates, inserts]
    )
    deliveries = client[built.deliveries.database.name][built.deliveries.name]
    yield dataclasses.replace(built, deliveries=deliveries)
    client.close()


def _officers(count: int) -> list[Any]:
    return [
        assigned(officer(f"karo-{n}", email=f"petugas{n}@karo.example"), case_id=f"{n:024x}")
        for n in range(1, count + 1)
    ]


def test_a_batch_sends_each_alert_once_with_one_write_per_alert(
    listened: NotifyDeps, mail_sink: MailSink, updates: CommandCounter, inserts: CommandCounter
) -> None:
    items = _officers(6)
    assert handle_alerts(items, listened, event_handlers) == [None] * 6
    mails = mail_sink.wait_for(6, timeout=10)
    assert sorted(m["To"] for m in mails) == sorted(f"petugas{n}@karo.example" for n in range(1, 7))
    # Six claims, the first five carrying the record before them; the last record at the end.
    assert (updates.count, inserts.count) == (7, 0)
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


def test_an_event_twice_in_one_batch_is_sent_once(
    listened: NotifyDeps, mail_sink: MailSink
) -> None:
    item = assigned()
    # The copy's claim goes out after the first one's record, in the same command: it finds
    # the alert sent.
    assert handle_alerts([item, item], listened, event_handlers) == [None, None]
    assert handle_alerts([item], listened, event_handlers) == [None]
    assert len(mail_sink.wait_for(1, timeout=5)) == 1
    assert [d["status"] for d in ledger()] == ["sent"]


@dataclasses.dataclass
class MarkWatcher:
    """A channel that, before handing each alert to the real one, reads what the ledger
    says of the alerts it sent before: what a worker killed at that moment would leave."""

    inner: Channel
    deliveries: Collection[Document]
    sent: list[str] = dataclasses.field(default_factory=list)
    unmarked: list[list[str]] = dataclasses.field(default_factory=list)
    name: str = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        self.name = self.inner.name

    def address_of(self, recipient: Profile) -> str | None:
        return self.inner.address_of(recipient)

    def send(self, outgoing: Outgoing) -> str:
        marked = {d["_id"] for d in self.deliveries.find({"status": "sent"}, {"_id": 1})}
        self.unmarked.append([k for k in self.sent if k not in marked])
        answer = self.inner.send(outgoing)
        self.sent.append(outgoing.key)
        return answer


def test_no_alert_is_sent_while_an_earlier_one_is_unmarked(
    notify_deps: NotifyDeps, mail_sink: MailSink
) -> None:
    """A worker killed at any moment of a batch leaves at most the alert it was sending
    unmarked (sent again after the lease), never the batch's earlier ones."""
    [email] = [c for c in notify_deps.channels if c.name == "email"]
    watcher = MarkWatcher(email, notify_deps.deliveries)
    watched = dataclasses.replace(notify_deps, channels=[watcher])
    assert handle_alerts(_officers(5), watched, event_handlers) == [None] * 5
    assert len(mail_sink.wait_for(5, timeout=10)) == 5
    assert len(watcher.sent) == 5
    assert watcher.unmarked == [[]] * 5


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


def test_a_record_refused_in_a_claims_command_fails_its_own_event_and_the_claim_stands(
    strict: Collection[Document],
) -> None:
    _claimed(strict, "a", "b", "c")
    buffer = RecordBuffer(strict)
    for item, (key, status) in enumerate([("a", "pending"), ("b", "sent"), ("c", "failed")]):
        buffer.item = item
        buffer.add(key, _update(status))
    now = datetime.now(UTC)
    assert buffer.claim("d", {"kind": "alert"}, now, timedelta(seconds=30)) == (True, "new")
    assert set(buffer.failures) == {1}
    statuses = {d["_id"]: d["status"] for d in strict.find()}
    assert statuses == {"a": "pending", "b": "sending", "c": "failed", "d": "sending"}
