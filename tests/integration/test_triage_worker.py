"""The triage worker on the real broker and database: one decision per event, duplicates
linked without a second alert, re-triage with history, clocks moved by status changes."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pytest

from services.cli.infra import MongoServer
from services.triage.bootstrap import bootstrap, ensure_indexes
from services.triage.deps import TriageDeps, build
from services.triage.domain.dedup import facts_from, find_matches
from services.triage.handlers import (
    event_handlers,
    handle_case_updated,
    handle_status_changed,
)
from services.triage.new_cases import handle_case_submitted
from services.triage.storage.dedup_facts import facts_doc, find_candidates
from shared.broker.consumer import PARK_REASON_HEADER, Consumer, Deferred
from shared.broker.publisher import Publisher
from shared.broker.topology import SUBSCRIPTIONS
from shared.contracts import CaseUpdated, Envelope, Event, encode
from shared.outbox import OutboxRelay
from shared.settings import Settings
from tests.support.broker import depth, dispatching, drain, publish_raw, running
from tests.support.concurrency import at_once
from tests.support.waiting import eventually
from tests.unit.triage.builders import (
    HOAX_TEXT,
    HOAX_TITLE,
    KARO,
    KUTAI_KARTANEGARA,
    KUTAI_TIMUR,
    MEDSOS_TEXT,
    FakeClock,
    accused,
    database_only_settings,
    envelope_of,
    status_change,
    submitted,
)


def _deps(settings: Settings) -> TriageDeps:
    bootstrap(settings)
    ensure_indexes()
    d = build(settings)
    d.clock = FakeClock()
    return d


@pytest.fixture
def db_settings(mongo_server: MongoServer) -> Iterator[Settings]:
    yield from database_only_settings(mongo_server.url)


@pytest.fixture
def triage(db_settings: Settings) -> TriageDeps:
    """Triage over its own database, for tests that call the handlers directly."""
    return _deps(db_settings)


@pytest.fixture
def triage_on_broker(settings: Settings) -> TriageDeps:
    """Triage over its own database, in a test that also has its own virtual host."""
    return _deps(settings)


@contextmanager
def relaying(settings: Settings, triage: TriageDeps) -> Iterator[None]:
    """The worker's outbox relay in a thread, publishing to the test's broker."""
    stop = threading.Event()
    relay = OutboxRelay(
        "triage", [triage.decisions, triage.steps], Publisher(settings, name="test-relay")
    )
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(15)


def outbox_types(triage: TriageDeps, case_id: str) -> list[str]:
    return [
        item["type"]
        for doc in triage.decisions.find({"case_id": case_id}).sort("created_at", 1)
        for item in doc.get("outbox", [])
    ]


def message_types(settings: Settings, queue: str) -> list[str]:
    return sorted(json.loads(body)["type"] for _, body in drain(settings, queue))


# --- one decision per event ------------------------------------------------------------------


def test_event_redelivered_after_a_crash_gives_one_decision_and_one_alert(
    settings: Settings, triage_on_broker: TriageDeps
) -> None:
    triage = triage_on_broker
    real = dispatching(event_handlers(triage))
    calls: list[str] = []

    def crash_after_commit(envelope: Envelope, event: Event) -> None:
        # The first delivery commits its decision, then the worker dies before the ack:
        # the broker delivers the same event again.
        real(envelope, event)
        calls.append(envelope.type)
        if len(calls) == 1:
            raise ConnectionError("worker lost its connection before acknowledging")

    consumer = Consumer(
        settings, "triage", {t: crash_after_commit for t in SUBSCRIPTIONS["triage"]}
    )
    event = submitted()
    envelope = envelope_of(event)
    with relaying(settings, triage), running(consumer):
        publish_raw(settings, "case.submitted", encode(envelope), message_id=str(envelope.id))
        # The outbox relay republishes after a crash too: the very same envelope again.
        publish_raw(settings, "case.submitted", encode(envelope), message_id=str(envelope.id))
        eventually(lambda: len(calls) == 3, timeout=20)
        eventually(lambda: depth(settings, "pantau.notify") == 1, timeout=20)
    assert triage.decisions.count_documents({"case_id": event.case_id}) == 1
    assert triage.cases.count_documents({"_id": event.case_id}) == 1
    # Exactly one alert reached notify's queue, and intake got the decision once.
    assert message_types(settings, "pantau.notify") == ["case.assigned"]
    assert message_types(settings, "pantau.intake") == ["case.assigned", "case.triaged"]
    decision = triage.decisions.find_one({"case_id": event.case_id})
    assert decision is not None
    assert decision["category"] == "MEDSOS"
    assert decision["rules_version"] == triage.config.defaults.rules.version
    assert decision["assignee_id"] in {"karo-bkpsdm-1", "karo-bkpsdm-2"}
    assert "akun tim pemenangan" in decision["explanation"]


def test_two_workers_racing_on_one_event_store_one_decision(triage: TriageDeps) -> None:
    event = submitted()
    envelope = envelope_of(event)
    results = at_once(*[partial(handle_case_submitted, envelope, event, triage)] * 4)
    assert sorted(results) == [False, False, False, True]
    assert triage.decisions.count_documents({}) == 1
    assert outbox_types(triage, event.case_id) == ["case.triaged", "case.assigned"]


def test_unknown_region_is_parked_with_a_clear_reason(
    settings: Settings, triage_on_broker: TriageDeps
) -> None:
    triage = triage_on_broker
    consumer = Consumer(settings, "triage", event_handlers(triage))
    event = submitted()
    with running(consumer):
        # Shaped like a region code, but there is no province 99.
        publish_raw(settings, "case.submitted", encode(envelope_of(event, tenant="99.01")))
        eventually(lambda: depth(settings, "pantau.triage.parking") == 1, timeout=15)
    ((properties, _),) = drain(settings, "pantau.triage.parking")
    assert "unknown region '99.01'" in properties.headers[PARK_REASON_HEADER]
    assert triage.decisions.count_documents({}) == 0


@pytest.mark.parametrize(
    ("title", "description", "flag"),
    [
        ("", "   ", "teks_kosong"),
        (
            "Election day moved",
            "The voting day has been moved to next week according to a message that "
            "circulates in many family chat groups; please share it with everyone you know.",
            "bahasa_tidak_dikenali",
        ),
    ],
)
def test_text_that_cannot_be_classified_goes_to_lainnya_for_review(
    triage: TriageDeps, title: str, description: str, flag: str
) -> None:
    event = submitted(title=title, description=description, evidence_urls=[])
    assert handle_case_submitted(envelope_of(event), event, triage)
    decision = triage.decisions.find_one({"case_id": event.case_id})
    assert decision is not None
    assert decision["category"] == "LAINNYA"
    assert decision["needs_review"] is True
    assert decision["confidence"] <= 0.2
    assert flag in decision["flags"]
    # Never dropped: it is still assigned to someone.
    assert outbox_types(triage, event.case_id) == ["case.triaged", "case.assigned"]


def test_huge_text_is_triaged_from_its_beginning(triage: TriageDeps) -> None:
    filler = "Warga yang melihat unggahan itu juga menyimpan tangkapan layarnya. " * 800
    event = submitted(description=MEDSOS_TEXT + " " + filler)
    assert handle_case_submitted(envelope_of(event), event, triage)
    decision = triage.decisions.find_one({"case_id": event.case_id})
    assert decision is not None
    assert "teks_dipotong" in decision["flags"]
    assert decision["category"] == "MEDSOS"


def test_late_filing_is_flagged_on_the_decision(triage: TriageDeps) -> None:
    event = submitted(known_days_before=9)
    handle_case_submitted(envelope_of(event), event, triage)
    decision = triage.decisions.find_one({"case_id": event.case_id})
    assert decision is not None
    assert decision["late_filing"] is True
    assert "Laporan terlambat" in decision["explanation"]
    on_time = submitted(known_days_before=2, evidence_urls=[], people=[accused(nip=None)])
    handle_case_submitted(envelope_of(on_time), on_time, triage)
    other = triage.decisions.find_one({"case_id": on_time.case_id})
    assert other is not None
    assert other["late_filing"] is False


# --- duplicates and related cases ------------------------------------------------------------


def test_exact_duplicate_is_linked_and_not_alerted_again(triage: TriageDeps) -> None:
    first = submitted()
    handle_case_submitted(envelope_of(first), first, triage)
    # The same post, reported again an hour later by someone else.
    triage.clock.advance(hours=1)  # type: ignore[attr-defined]
    again = submitted(
        at=triage.clock(),
        title="Unggahan paslon dibagikan ASN Disdik",
        evidence_urls=["https://m.facebook.com/share/p/abc123"],
    )
    handle_case_submitted(envelope_of(again), again, triage)
    assert outbox_types(triage, again.case_id) == ["case.triaged", "case.duplicate_detected"]
    decision = triage.decisions.find_one({"case_id": again.case_id})
    assert decision is not None
    assert decision["duplicate_of"] == first.case_id
    assert decision["assignee_id"] is None
    duplicate = next(
        json.loads(item["body"])
        for item in decision["outbox"]
        if item["type"] == "case.duplicate_detected"
    )
    assert duplicate["data"]["kind"] == "duplicate"
    assert "tautan bukti sama" in duplicate["data"]["reasons"]
    # The original shows the link to its officer; the duplicate has no ladder of its own.
    original = triage.cases.find_one({"_id": first.case_id})
    assert original is not None
    assert [link["case_id"] for link in original["links"]] == [again.case_id]
    state = triage.cases.find_one({"_id": again.case_id})
    assert state is not None
    assert state["next_wakeup"] is None
    # A third copy points at the first report, not at the second.
    third = submitted(at=triage.clock(), evidence_urls=["https://facebook.com/share/p/abc123"])
    handle_case_submitted(envelope_of(third), third, triage)
    third_decision = triage.decisions.find_one({"case_id": third.case_id})
    assert third_decision is not None
    assert third_decision["duplicate_of"] == first.case_id


def test_same_accused_is_related_and_still_assigned(triage: TriageDeps) -> None:
    first = submitted()
    handle_case_submitted(envelope_of(first), first, triage)
    triage.clock.advance(days=2)  # type: ignore[attr-defined]
    other = submitted(
        at=triage.clock(),
        title="ASN hadir di deklarasi pasangan calon",
        description="Rudi Ginting terlihat hadir dan berorasi dalam deklarasi tim pemenangan.",
        evidence_urls=["https://www.instagram.com/p/XYZ987/"],
    )
    handle_case_submitted(envelope_of(other), other, triage)
    assert outbox_types(triage, other.case_id) == [
        "case.triaged",
        "case.assigned",
        "case.duplicate_detected",
    ]
    decision = triage.decisions.find_one({"case_id": other.case_id})
    assert decision is not None
    assert decision["duplicate_of"] is None
    assert [r["case_id"] for r in decision["related"]] == [first.case_id]
    assert "terlapor sama (NIP)" in decision["related"][0]["reasons"]
    # An earlier case against the same person raises the weight.
    assert any("kasus sebelumnya" in r for r in decision["priority_reasons"])


def test_same_hoax_in_two_regencies_is_related_not_duplicate(triage: TriageDeps) -> None:
    kukar = submitted(title=HOAX_TITLE, description=HOAX_TEXT, evidence_urls=[], people=[])
    handle_case_submitted(envelope_of(kukar, KUTAI_KARTANEGARA), kukar, triage)
    kutim = submitted(title=HOAX_TITLE, description=HOAX_TEXT, evidence_urls=[], people=[])
    handle_case_submitted(envelope_of(kutim, KUTAI_TIMUR), kutim, triage)
    decision = triage.decisions.find_one({"case_id": kutim.case_id})
    assert decision is not None
    assert decision["category"] == "HOAKS"
    assert decision["duplicate_of"] is None  # another regency: its own officers must act
    assert [r["case_id"] for r in decision["related"]] == [kukar.case_id]
    assert outbox_types(triage, kutim.case_id)[:2] == ["case.triaged", "case.assigned"]


def test_candidates_carry_the_text_only_where_matching_compares_it(triage: TriageDeps) -> None:
    at = datetime(2024, 11, 8, 10, 0, tzinfo=UTC)
    template = "Saya melaporkan ASN ikut kampanye paslon nomor 2 di Desa {} bersama warga."
    post = "https://www.instagram.com/p/Sijuk2/"

    def stored(
        case_id: str, people: list[tuple[str, str | None, str | None]], urls: list[str]
    ) -> Any:
        f = facts_from(case_id, "64.02", at, "Laporan", template.format("Sijuk"), urls, people)
        triage.facts.replace_one({"_id": case_id}, facts_doc(f, None), upsert=True)
        return f

    stored("A", [("Zainal Abidin", None, "Camat")], [])
    unnamed = stored("B", [], [])
    same_post = stored("C", [("Zainal Abidin", None, "Camat")], [post])
    new = facts_from(
        "N", "64.02", at, "Laporan", template.format("Sijuk"), [post], [("Marlina", None, "Dinas")]
    )
    found = {c.facts.case_id: c.facts for c in find_candidates(triage.facts, new)}
    # A names someone else and shares only the template's words: never a candidate.
    assert set(found) == {"B", "C"}
    assert found["B"].signature.shingles == unnamed.signature.shingles
    assert found["C"].signature.shingles == frozenset()  # names someone else: never compared
    assert find_matches(new, list(found.values()), triage.dedup) == find_matches(
        new, [unnamed, same_post], triage.dedup
    )
    assert {m.case_id for m in find_matches(new, list(found.values()), triage.dedup)} == {"B", "C"}


# --- re-triage -------------------------------------------------------------------------------


def test_update_re_triages_keeps_the_clock_and_the_history(triage: TriageDeps) -> None:
    event = submitted()
    handle_case_submitted(envelope_of(event), event, triage)
    before = triage.cases.find_one({"_id": event.case_id})
    assert before is not None
    triage.clock.advance(hours=3)  # type: ignore[attr-defined]
    update = CaseUpdated(
        case_id=event.case_id,
        changed=["description"],
        title="Kepala bidang memakai mobil dinas untuk kampanye",
        description="Mobil dinas plat merah dipakai mengantar tim kampanye paslon ke desa.",
    )
    envelope = envelope_of(update)
    assert handle_case_updated(envelope, update, triage)
    assert not handle_case_updated(envelope, update, triage)  # redelivered: nothing new
    history = list(triage.decisions.find({"case_id": event.case_id}).sort("created_at", 1))
    assert [(d["kind"], d["category"]) for d in history] == [
        ("submitted", "MEDSOS"),
        ("updated", "FASILITAS"),
    ]
    assert all(d["rules_version"] for d in history)
    assert history[1]["previous_decision_id"] == history[0]["_id"]
    assert history[1]["due_at"] == history[0]["due_at"]  # the statutory clock runs on
    # FASILITAS belongs to another unit: the case moves there and the new officer is told.
    assert [o["type"] for o in history[1]["outbox"]] == ["case.triaged", "case.assigned"]
    after = triage.cases.find_one({"_id": event.case_id})
    assert after is not None
    assert after["assignment"]["unit"] == "INSPEKTORAT"
    assert after["assignment"]["sequence"] == 2
    assert after["clock"] == before["clock"]


def test_update_before_the_case_is_known_is_deferred(triage: TriageDeps) -> None:
    event = submitted()
    update = CaseUpdated(
        case_id=event.case_id, changed=["title"], title="Judul baru", description=MEDSOS_TEXT
    )
    with pytest.raises(Deferred):
        handle_case_updated(envelope_of(update), update, triage)
    handle_case_submitted(envelope_of(event), event, triage)
    assert handle_case_updated(envelope_of(update), update, triage)


def test_an_update_does_not_undo_an_officers_override(triage: TriageDeps) -> None:
    from services.triage.overrides import Override, apply_override

    event = submitted()
    handle_case_submitted(envelope_of(event), event, triage)
    apply_override(
        triage,
        event.case_id,
        Override(reason="Foto bersama paslon di unggahan", category="FOTO_POSE"),
        by="Drs. Herman Karo-Karo",
        by_key="pk_sup",
        correlation_id="c",
    )
    update = CaseUpdated(
        case_id=event.case_id,
        changed=["description"],
        title="Mobil dinas untuk kampanye",
        description="Mobil dinas plat merah dipakai mengantar tim kampanye paslon.",
    )
    triage.clock.advance(minutes=5)  # type: ignore[attr-defined]
    handle_case_updated(envelope_of(update), update, triage)
    latest = triage.decisions.find_one({"case_id": event.case_id}, sort=[("created_at", -1)])
    assert latest is not None
    assert latest["kind"] == "updated"
    assert latest["applied"] is False
    assert "outbox" not in latest
    state = triage.cases.find_one({"_id": event.case_id})
    assert state is not None
    assert state["decision"]["category"] == "FOTO_POSE"


# --- the statutory clock ---------------------------------------------------------------------


def _state(triage: TriageDeps, case_id: str) -> dict[str, Any]:
    state = triage.cases.find_one({"_id": case_id})
    assert state is not None
    return state


def test_waiting_for_information_pauses_the_clock_and_resuming_moves_the_deadline(
    triage: TriageDeps,
) -> None:
    clock: FakeClock = triage.clock  # type: ignore[assignment]
    event = submitted()  # Monday 4 Nov 10:00 WIB: due end of Thursday 7 Nov
    handle_case_submitted(envelope_of(event), event, triage)
    deadline = _state(triage, event.case_id)["clock"]["deadline"]
    assert deadline.isoformat().startswith("2024-11-07T16:59:59")

    pause = status_change(event.case_id, "awaiting_info")
    assert handle_status_changed(envelope_of(pause, at=clock.advance(hours=2)), pause, triage)
    paused = _state(triage, event.case_id)
    assert paused["clock"]["paused_at"] is not None
    assert paused["next_wakeup"] is None  # no reminders while waiting for the reporter
    assert paused["assignment"]["acknowledged_at"] is not None  # the officer acted

    # Information arrives the next Monday: five working days (Tue-Fri, Mon) were paused.
    resume = status_change(event.case_id, "in_review", from_status="awaiting_info")
    resumed_envelope = envelope_of(resume, at=clock.advance(days=7))
    assert handle_status_changed(resumed_envelope, resume, triage)
    assert not handle_status_changed(resumed_envelope, resume, triage)
    running_again = _state(triage, event.case_id)
    assert running_again["clock"]["paused_at"] is None
    assert running_again["clock"]["deadline"].isoformat().startswith("2024-11-14T16:59:59")
    assert running_again["next_wakeup"] is not None
    # The new deadline is announced as a decision of its own.
    latest = triage.decisions.find_one({"case_id": event.case_id}, sort=[("created_at", -1)])
    assert latest is not None
    assert latest["kind"] == "status"
    assert latest["due_at"] == running_again["clock"]["deadline"]
    # ... and the assigned officer is told the new date, beside the old one.
    assert [o["type"] for o in latest["outbox"]] == ["case.triaged", "case.deadline_moved"]
    moved = json.loads(latest["outbox"][1]["body"])["data"]
    assert moved["recipient"]["officer_id"] == running_again["assignment"]["officer_id"]
    assert moved["due_at"].startswith("2024-11-14T16:59:59")
    assert moved["previous_due_at"].startswith("2024-11-07T16:59:59")


def test_closing_a_case_stops_clock_ladder_and_load(triage: TriageDeps) -> None:
    event = submitted()
    handle_case_submitted(envelope_of(event), event, triage)
    close = status_change(event.case_id, "rejected", from_status="verified")
    handle_status_changed(envelope_of(close, at=triage.clock()), close, triage)
    state = _state(triage, event.case_id)
    assert state["open"] is False
    assert state["clock"]["stopped_at"] is not None
    assert state["next_wakeup"] is None
    assert triage.open_load(KARO) == {}
