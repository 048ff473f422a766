"""Notify's worker follows the officers' profiles (``shared.followed``): an officer alerted
again is not read again, and every way a profile changes reaches the next alert: the
event's own newer contact data, the directory's entry, a change written by another process.
On the real database and a real SMTP server."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator

import pytest
from pymongo import MongoClient

from services.cli.mailbox import MailSink
from services.notify.delivery import NotifyDeps, handle
from services.notify.handlers import handle_officer_changed
from shared.contracts import OfficerChanged, new_envelope
from shared.followed import FollowedDocuments
from shared.settings import Settings
from tests.integration.test_notify_delivery import assigned, notify_deps_for, officer
from tests.support.commands import CommandCounter
from tests.support.waiting import eventually

Document = dict[str, object]
OFFICER = "karo-bkpsdm-1"


@pytest.fixture
def followed(
    settings: Settings, mail_sink: MailSink
) -> Iterator[tuple[NotifyDeps, CommandCounter]]:
    built = notify_deps_for(settings.model_copy(update={"smtp_port": mail_sink.port}))
    reads = CommandCounter(built.recipients.name)
    client: MongoClient[Document] = MongoClient(settings.mongo_url, event_listeners=[reads])
    profiles = FollowedDocuments(client[built.recipients.database.name][built.recipients.name])
    stop = threading.Event()
    thread = threading.Thread(target=profiles.run, args=(stop,), daemon=True)
    thread.start()
    eventually(profiles.following.is_set, timeout=10)
    yield dataclasses.replace(built, profiles=profiles), reads
    stop.set()
    thread.join(5)
    client.close()


def _alert(deps: NotifyDeps, case: str, email: str) -> None:
    envelope, event = assigned(officer(email=email), case_id=case)
    handle(envelope, event, deps)


def test_a_followed_profile_is_read_once_and_each_change_reaches_the_next_alert(
    settings: Settings, followed: tuple[NotifyDeps, CommandCounter], mail_sink: MailSink
) -> None:
    deps, reads = followed
    _alert(deps, "65f0c0ffee0000000000a001", "joni@karo.example")
    # The first alert stored the profile (a write, which drops it); the stream may report
    # that write after the next read, so wait until a read is kept.
    eventually(lambda: _kept(deps, reads), timeout=10)
    before = reads.count
    for n in range(3):
        _alert(deps, f"65f0c0ffee0000000000a01{n}", "joni@karo.example")
    assert reads.count == before, "an unchanged profile was read again"
    assert [m["To"] for m in mail_sink.wait_for(4, timeout=10)] == ["joni@karo.example"] * 4

    # The event carries newer contact data: written, and the very next alert uses it.
    _alert(deps, "65f0c0ffee0000000000a020", "joni.baru@karo.example")
    assert mail_sink.wait_for(5, timeout=10)[-1]["To"] == "joni.baru@karo.example"

    # The directory's entry takes over at once in the worker that applied it.
    change = OfficerChanged(
        officer_id=OFFICER,
        region="12.06",
        name="Joni Sitepu",
        unit="BKPSDM",
        role="officer",
        email="joni.sitepu@bkpsdm.karo.example",
        version=1,
    )
    assert handle_officer_changed(
        new_envelope(change, tenant="12.06", correlation_id="corr-dir"), change, deps
    )
    _alert(deps, "65f0c0ffee0000000000a030", "joni@karo.example")
    assert mail_sink.wait_for(6, timeout=10)[-1]["To"] == "joni.sitepu@bkpsdm.karo.example"

    # Another process (the HTTP app, say) changes the profile: seen through the stream.
    other: MongoClient[Document] = MongoClient(settings.mongo_url)
    try:
        other[deps.recipients.database.name][deps.recipients.name].update_one(
            {"_id": OFFICER}, {"$set": {"email": "joni.lain@karo.example"}}
        )
    finally:
        other.close()
    profiles = deps.profiles
    assert profiles is not None
    eventually(
        lambda: (profiles.read(OFFICER) or {}).get("email") == "joni.lain@karo.example",
        timeout=10,
    )
    _alert(deps, "65f0c0ffee0000000000a040", "joni@karo.example")
    assert mail_sink.wait_for(7, timeout=10)[-1]["To"] == "joni.lain@karo.example"


def _kept(deps: NotifyDeps, reads: CommandCounter) -> bool:
    assert deps.profiles is not None
    deps.profiles.read(OFFICER)
    before = reads.count
    deps.profiles.read(OFFICER)
    return reads.count == before
