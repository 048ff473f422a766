"""Triage and notify applying ``officer.changed`` on the real database: the directory's word
on an officer reaches routing and alerts, newer versions only, however often it arrives."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from services.cli.infra import MongoServer
from services.cli.mailbox import MailSink
from services.notify.delivery import NotifyDeps
from services.notify.handlers import event_handlers as notify_handlers
from services.notify.recipients import load
from services.triage.bootstrap import bootstrap, ensure_indexes
from services.triage.deps import TriageDeps, build
from services.triage.handlers import event_handlers
from services.triage.new_cases import handle_case_submitted
from shared.contracts import AccusedRef, OfficerChanged, Recipient, new_envelope
from shared.settings import Settings
from tests.integration.test_notify_delivery import assigned, ledger, notify_deps_for, officer
from tests.support.broker import dispatching
from tests.unit.triage.builders import (
    KARO,
    FakeClock,
    accused,
    database_only_settings,
    envelope_of,
    submitted,
)


def changed(officer_id: str, version: int, **fields: Any) -> OfficerChanged:
    data: dict[str, Any] = {
        "officer_id": officer_id,
        "region": KARO,
        "name": "Joni Sitepu",
        "unit": "BKPSDM",
        "role": "officer",
        "email": "joni.baru@karo.example",
        "phone": "+6281260000099",
        "language": "id",
        "timezone": "Asia/Jakarta",
        "conflicts": [],
        "active": True,
        "version": version,
    }
    data.update(fields)
    return OfficerChanged(**data)


def deliver(handler: Any, event: OfficerChanged) -> None:
    handler(new_envelope(event, tenant=event.region, correlation_id="corr-dir"), event)


# --- triage ----------------------------------------------------------------------------------


@pytest.fixture
def triage(mongo_server: MongoServer) -> Iterator[TriageDeps]:
    for settings in database_only_settings(mongo_server.url):
        bootstrap(settings)
        ensure_indexes()
        d = build(settings)
        d.clock = FakeClock()
        yield d


def triage_case(triage: TriageDeps, *people: AccusedRef) -> dict[str, Any]:
    # MEDSOS: unit BKPSDM; the accused is Rudi Ginting unless others are named.
    event = submitted(people=list(people) or None)
    assert handle_case_submitted(envelope_of(event), event, triage)
    decision = triage.decisions.find_one({"case_id": event.case_id})
    assert decision is not None
    return decision


def assignee_of(decision: dict[str, Any]) -> dict[str, Any]:
    body = next(
        json.loads(item["body"]) for item in decision["outbox"] if item["type"] == "case.assigned"
    )
    found: dict[str, Any] = body["data"]["assignee"]
    return found


def test_deactivated_and_conflicted_officers_are_not_routed_to(triage: TriageDeps) -> None:
    handler = dispatching(event_handlers(triage))
    deliver(handler, changed("karo-bkpsdm-1", 2, active=False))
    deliver(
        handler,
        changed("karo-bkpsdm-2", 2, name="Maria Br Ginting", conflicts=["Drs. Rudi Ginting"]),
    )
    decision = triage_case(triage)
    # Joni is gone, Maria steps back: the unit's supervisor takes it.
    assert decision["assignee_id"] == "karo-supervisor"
    assert [r["officer_id"] for r in decision["recusals"]] == ["karo-bkpsdm-2"]


def test_a_new_directory_officer_is_routed_to_with_the_directorys_contact(
    triage: TriageDeps,
) -> None:
    handler = dispatching(event_handlers(triage))
    deliver(handler, changed("karo-bkpsdm-1", 2, active=False))
    deliver(handler, changed("karo-bkpsdm-2", 2, active=False))
    deliver(handler, changed("karo-bkpsdm-9", 1, name="Rehulina", email="rehulina@karo.example"))
    decision = triage_case(triage)
    assert decision["assignee_id"] == "karo-bkpsdm-9"
    assignee = assignee_of(decision)
    assert assignee["email"] == "rehulina@karo.example"
    assert assignee["phone"] == "+6281260000099"


def test_an_older_or_repeated_version_changes_nothing(triage: TriageDeps) -> None:
    handler = dispatching(event_handlers(triage))
    deliver(handler, changed("karo-bkpsdm-1", 3, active=False))
    deliver(handler, changed("karo-bkpsdm-2", 3, active=False))
    stamp = (triage.config.heads.find_one({"_id": KARO}) or {}).get("directory")
    # A late version 2 (still active) and a redelivered version 3.
    deliver(handler, changed("karo-bkpsdm-1", 2))
    deliver(handler, changed("karo-bkpsdm-1", 3, active=False))
    assert (triage.config.heads.find_one({"_id": KARO}) or {}).get("directory") == stamp
    copy = triage.config.directory.find_one({"_id": "karo-bkpsdm-1"})  # type: ignore[union-attr]
    assert copy is not None
    assert (copy["version"], copy["active"]) == (3, False)
    assert triage_case(triage)["assignee_id"] == "karo-supervisor"
    # Reactivated (a newer version): routed to again.
    deliver(handler, changed("karo-bkpsdm-1", 4))
    # (Another accused: the same report again would be a duplicate, assigned to nobody.)
    other = accused(name="Budi Santoso", nip="197901012005011002")
    assert triage_case(triage, other)["assignee_id"] == "karo-bkpsdm-1"


def test_an_officer_who_moved_away_leaves_the_old_regency(triage: TriageDeps) -> None:
    handler = dispatching(event_handlers(triage))
    deliver(handler, changed("karo-bkpsdm-1", 2, region="17.71"))
    deliver(handler, changed("karo-bkpsdm-2", 2, active=False))
    assert triage_case(triage)["assignee_id"] == "karo-supervisor"
    bengkulu = triage.config.current("17.71")
    assert "karo-bkpsdm-1" in {o.officer_id for o in bengkulu.officers}


# --- notify ----------------------------------------------------------------------------------


@pytest.fixture
def notify(settings: Settings, mail_sink: MailSink) -> NotifyDeps:
    return notify_deps_for(settings.model_copy(update={"smtp_port": mail_sink.port}))


def test_notify_takes_the_directorys_contact_data_over_the_events(
    notify: NotifyDeps, mail_sink: MailSink
) -> None:
    handler = dispatching(notify_handlers(notify))
    deliver(handler, changed("karo-bkpsdm-1", 2, language="en", timezone="Asia/Makassar"))
    # Triage's copy in the alert event is older: the directory's address wins.
    envelope, event = assigned(officer(email="joni.sitepu@karo.example"))
    handler(envelope, event)
    [mail] = mail_sink.wait_for(1, timeout=5)
    assert mail["To"] == "joni.baru@karo.example"
    profile = load(notify.recipients, "karo-bkpsdm-1")
    assert profile is not None
    assert (profile.language, profile.timezone, profile.tenant) == ("en", "Asia/Makassar", KARO)


def test_notify_ignores_older_versions_and_alerts_no_deactivated_officer(
    notify: NotifyDeps, mail_sink: MailSink
) -> None:
    handler = dispatching(notify_handlers(notify))
    deliver(handler, changed("karo-bkpsdm-1", 3, active=False))
    deliver(handler, changed("karo-bkpsdm-1", 2, email="lama@karo.example"))  # late, older
    deliver(handler, changed("karo-bkpsdm-1", 3, active=False))  # redelivered
    profile = load(notify.recipients, "karo-bkpsdm-1")
    assert profile is not None
    assert not profile.active
    assert profile.email == "joni.baru@karo.example"

    envelope, event = assigned(Recipient(officer_id="karo-bkpsdm-1", name="Joni Sitepu"))
    for _ in range(2):
        handler(envelope, event)
    [doc] = ledger()
    assert (doc["status"], doc["channel"]) == ("skipped", "none")
    assert doc["reason"] == "officer deactivated in the directory"
    assert mail_sink.wait_for(1, timeout=1) == []

    # Reactivated: alerts again.
    deliver(handler, changed("karo-bkpsdm-1", 4))
    envelope, event = assigned(Recipient(officer_id="karo-bkpsdm-1", name="Joni Sitepu"))
    handler(envelope, event)
    assert len(mail_sink.wait_for(1, timeout=5)) == 1


def test_a_key_linked_to_the_officer_is_self_for_their_preferences(
    settings: Settings, notify: NotifyDeps
) -> None:
    from services.notify.app import create_app
    from shared.auth import Principal

    principals = {
        # A person's key, named as people name them, linked to their directory entry.
        "linked": Principal("k1", "Joni Sitepu", KARO, "officer", officer_id="karo-bkpsdm-1"),
        "linked-other": Principal("k2", "karo-bkpsdm-1", KARO, "officer", officer_id="x-2"),
        # Keys from before the directory: named with the officer id.
        "named": Principal("k3", "karo-bkpsdm-1", KARO, "officer"),
    }
    app = create_app({"TESTING": True, "PANTAU_AUTHENTICATE": principals.get}, settings=settings)
    deliver(dispatching(notify_handlers(notify)), changed("karo-bkpsdm-1", 2))
    client = app.test_client()
    url = "/v1/recipients/karo-bkpsdm-1/preferences"

    def status(token: str) -> int:
        return client.get(url, headers={"Authorization": f"Bearer {token}"}).status_code

    assert status("linked") == 200
    assert status("named") == 200
    # A linked key is its officer's only: its name no longer counts.
    assert status("linked-other") == 403
