"""The pure parts of the public doors into intake: what a citizen's report may be, the case
it becomes, the answer that resumes a paused case, and what the tracking page shows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from bson import ObjectId
from pydantic import ValidationError

from services.intake.public.answering import NoQuestionOpen, answer_plan
from services.intake.public.filing import as_submission, employment_of, receipt_for
from services.intake.public.schemas import PublicPerson, PublicReport, validation_context
from services.intake.public.tracking_view import messages, steps
from shared.contracts import CaseInformationReceived, CaseStatusChanged, CaseUpdated
from shared.sealed_contacts import Contact, ContactSeal

# 23:30 WIB on 28 November is already 29 November in WITA (Kutai Kartanegara).
NOW = datetime(2024, 11, 28, 16, 30, tzinfo=UTC)


def report(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "region_code": "12.06",
        "description": "Akun anonim menyebarkan video editan debat pasangan calon bupati.",
        "occurred_on": "2024-11-25",
        "known_on": "2024-11-26",
        "location": {"text": "Grup Facebook Karo Bersatu"},
        "reporter": {"anonymous": True},
    }
    body.update(overrides)
    return body


def valid(**overrides: Any) -> PublicReport:
    return PublicReport.model_validate(report(**overrides), context=validation_context(NOW))


def fields_of(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return {".".join(str(p) for p in e["loc"]) for e in exc.value.errors()}


def test_a_hoax_report_names_nobody_and_gets_its_title_from_the_description() -> None:
    sub = as_submission(valid(), NOW)
    assert sub.source == "public_report"  # stored as the public pages' own "public"
    assert sub.accused == []
    assert sub.title == "Akun anonim menyebarkan video editan debat pasangan calon bupati."
    assert sub.occurred_at == datetime(2024, 11, 24, 17, 0, tzinfo=UTC)  # midnight WIB
    assert sub.reporter is not None
    assert sub.reporter.anonymous


def test_only_the_deployments_regencies_are_taken() -> None:
    with pytest.raises(ValidationError) as refused:
        valid(region_code="12.07")
    assert fields_of(refused) == {"region_code"}


def test_days_are_read_in_the_regencys_calendar() -> None:
    assert valid(region_code="64.02", occurred_on="2024-11-29", known_on="2024-11-29")
    with pytest.raises(ValidationError) as early:
        valid(occurred_on="2024-11-29", known_on="2024-11-29")  # still the 28th in Karo
    assert fields_of(early) == {"occurred_on", "known_on"}
    with pytest.raises(ValidationError) as backwards:
        valid(known_on="2024-11-20")
    assert fields_of(backwards) == {"known_on"}
    with pytest.raises(ValidationError) as timestamp:
        valid(occurred_on=1732000000)
    assert fields_of(timestamp) == {"occurred_on"}


def test_a_person_may_be_unknown_in_every_part_but_not_in_all() -> None:
    with pytest.raises(ValidationError) as empty:
        valid(people=[{}])
    assert fields_of(empty) == {"people.0"}
    context = validation_context(NOW)
    office = PublicPerson.model_validate({"agency": "Kantor Camat"}, context=context)
    assert employment_of(office, NOW.date()) == "PNS"
    pns = PublicPerson.model_validate({"nip": "19860926 201505 1 001"}, context=context)
    assert pns.nip == "198609262015051001"
    assert employment_of(pns, NOW.date()) == "PNS"
    pppk = PublicPerson.model_validate({"nip": "202407140000000001"}, context=context)
    assert employment_of(pppk, NOW.date()) == "PPPK"
    with pytest.raises(ValidationError):
        PublicPerson.model_validate({"nip": "1234"}, context=context)
    people = as_submission(valid(people=[{"agency": "Kantor Camat"}]), NOW).accused
    assert people[0].model_dump()["name"] == ""


def test_a_receipt_goes_only_to_a_reporter_who_gave_an_address() -> None:
    seal = ContactSeal(bytes(range(32)))
    assert receipt_for(valid(), "c1", "K7QM-3XPA-9D2F-HT6W", seal) is None
    named = valid(
        reporter={"anonymous": False, "name": "Siti", "email": "siti@contoh.id"}, language="en"
    )
    receipt = receipt_for(named, "c1", "K7QM-3XPA-9D2F-HT6W", seal)
    assert receipt is not None
    assert receipt.language == "en"
    # The address travels sealed for notify, never readable in the event.
    assert receipt.contact is not None
    assert (receipt.email, receipt.phone) == (None, None)
    assert "siti" not in receipt.model_dump_json()
    assert seal.open(receipt.contact, "c1") == Contact(email="siti@contoh.id")
    # A server without a receipt key shows the code and sends nothing.
    assert receipt_for(named, "c1", "K7QM-3XPA-9D2F-HT6W", None) is None


def case(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "_id": ObjectId(),
        "tenant": "12.06",
        "tracking_code": "K7QM-3XPA-9D2F-HT6W",
        "title": "Camat memakai mobil dinas",
        "description": "Camat memakai mobil dinas untuk kampanye.",
        "status": "awaiting_info",
        "lifecycle": {"paused_from": "verified", "was_verified": True},
        "triage": {
            "category": "FASILITAS",
            "priority": "high",
            "assignee": {"officer_id": "karo-insp-1", "name": "Edi Purba"},
        },
        "accused": [{"name": "", "employment_type": "PNS", "agency": "Kantor Camat"}],
    }
    doc.update(overrides)
    return doc


def test_an_answer_takes_the_case_back_where_it_paused_and_names_its_officer() -> None:
    entry = {"id": "e1"}
    plan = answer_plan(case(), text="Pukul 10 pagi.", entries=[entry], recipient=None, now=NOW)
    assert plan.sets["status"] == "verified"
    assert plan.appends["comments"]["actor"] == {  # type: ignore[call-overload]
        "name": "Pelapor",
        "role": "public",
        "kind": "reporter",
    }
    assert plan.appends["evidence"] == [entry]
    kinds = [type(e) for e in plan.events]
    assert kinds == [CaseStatusChanged, CaseUpdated, CaseInformationReceived]
    moved, _, told = plan.events
    assert isinstance(moved, CaseStatusChanged)
    assert (moved.from_status, moved.to_status, moved.actor) == (
        "awaiting_info",
        "verified",
        "Pelapor",
    )
    assert isinstance(told, CaseInformationReceived)
    assert (told.officer_id, told.files, told.priority) == ("karo-insp-1", 1, "high")
    assert plan.timeline["text"] == "Pukul 10 pagi."


def test_a_case_not_waiting_for_the_reporter_takes_no_answer() -> None:
    with pytest.raises(NoQuestionOpen):
        answer_plan(case(status="verified"), text="x", entries=[], recipient=None, now=NOW)


def test_the_tracking_page_shows_status_moves_and_the_reporters_thread_only() -> None:
    at = datetime(2024, 11, 26, 3, 0, tzinfo=UTC)
    timeline = [
        {"at": at, "kind": "submitted", "actor": "Pelapor"},
        {"at": at, "kind": "triaged", "summary": "Diklasifikasikan FASILITAS"},
        {"at": at, "kind": "assigned", "summary": "Ditugaskan ke Edi Purba"},
        {"at": at, "kind": "acknowledged", "actor": "Edi Purba"},
        {"at": at, "kind": "information_requested", "to_status": "awaiting_info"},
        {"at": at, "kind": "information_received", "to_status": "received"},
    ]
    shown = steps(timeline)
    assert [s["status"] for s in shown] == ["received", "awaiting_info", "received"]
    assert "Edi" not in str(shown)
    thread = messages(
        [
            {"at": at, "kind": "comment", "text": "catatan internal", "visibility": "internal"},
            {"at": at, "kind": "question", "text": "Jam berapa?", "visibility": "reporter"},
            {"at": at, "kind": "answer", "text": "Jam 10.", "visibility": "reporter"},
            {"at": at, "kind": "comment", "text": "Sedang diperiksa.", "visibility": "reporter"},
        ]
    )
    assert [(m["dari"], m["jenis"], m["isi"]) for m in thread] == [
        ("petugas", "pertanyaan", "Jam berapa?"),
        ("pelapor", "jawaban", "Jam 10."),
        ("petugas", "pesan", "Sedang diperiksa."),
    ]


def test_validation_needs_the_moment_it_is_done_at() -> None:
    with pytest.raises(RuntimeError):
        PublicReport.model_validate(report())
    assert date(2024, 11, 25) == valid().occurred_on
