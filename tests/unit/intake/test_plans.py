"""What each officer action plans to change on a case, and why it refuses, on plain documents.

The HTTP answers to these refusals are pinned by ``tests/integration/test_case_lifecycle.py``;
here each rule is checked without a database, a request or a clock.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from typing import Any, Literal

import pytest

from services.intake.actions import errors, plans
from services.intake.actions.status_machine import Change
from shared.contracts import (
    CaseCommentAdded,
    CaseReassigned,
    CaseStatusChanged,
    CaseTransferred,
    Recipient,
)

NOW = datetime(2024, 11, 4, 3, 0, tzinfo=UTC)
CASE_ID = "65a1f0c2e4b0a1b2c3d4e5f6"
OTHER_ID = "65a1f0c2e4b0a1b2c3d4e5f7"


def case(**fields: Any) -> dict[str, Any]:
    """A stored case as the transaction reads it; ``fields`` replace the defaults."""
    doc: dict[str, Any] = {
        "_id": CASE_ID,
        "tenant": "12.06",
        "tracking_code": "PTU-7K3M-Q9XD",
        "title": "Camat mengajak memilih calon tertentu",
        "status": "received",
        "accused": [{"name": "Budi Santoso", "nip": "198001012005011001"}],
        "triage": {
            "category": "NETRALITAS_ASN",
            "priority": "high",
            "unit": "Inspektorat",
            "assignee": {"officer_id": "off-1", "name": "Rina"},
        },
    }
    doc.update(fields)
    return doc


def closed_case(**fields: Any) -> dict[str, Any]:
    return case(
        status="withdrawn",
        lifecycle={"paused_from": None, "was_verified": True},
        closed_at=NOW,
        closure={"status": "withdrawn", "reason": "Pelapor mencabut"},
        **fields,
    )


OFFICER = {"_id": "off-2", "name": "Sari", "region": "12.06", "unit": "BKPSDM", "conflicts": []}
RECIPIENT = Recipient(officer_id="off-2", name="Sari", email="sari@example.go.id")
ALICE = {"name": "Alya", "role": "officer", "key_prefix": "pk_abc"}


# --- what the status machine needs of a stored case ------------------------------------------


def test_state_of_reads_status_pause_verification_and_finding() -> None:
    state = plans.state_of(
        case(
            status="awaiting_info",
            lifecycle={"paused_from": "under_examination", "was_verified": True},
            recommendation={"finding": "proven"},
        )
    )
    assert (state.status, state.paused_from, state.was_verified, state.finding) == (
        "awaiting_info",
        "under_examination",
        True,
        "proven",
    )


def test_a_case_without_status_or_lifecycle_reads_as_just_received() -> None:
    doc = case()
    del doc["status"]
    state = plans.state_of(doc)
    assert (state.status, state.paused_from, state.was_verified) == ("received", None, False)
    assert plans.allowed(doc) == ["verified", "rejected", "awaiting_info", "duplicate", "withdrawn"]


# --- status changes -----------------------------------------------------------------------


def test_a_status_change_sets_the_status_and_emits_the_change() -> None:
    plan = plans.status_change(case(), Change("verified"), actor="Alya", note=None, now=NOW)
    assert plan.action == "status_changed"
    assert plan.summary == "Status: diverifikasi"
    assert plan.sets == {
        "status": "verified",
        "lifecycle": {"paused_from": None, "was_verified": True},
    }
    assert list(plan.unsets) == []
    assert plan.events == (
        CaseStatusChanged(
            case_id=CASE_ID, from_status="received", to_status="verified", actor="Alya"
        ),
    )
    assert plan.timeline == {"from_status": "received", "to_status": "verified", "reason": None}


def test_closing_a_case_records_when_and_why() -> None:
    plan = plans.status_change(
        case(), Change("rejected", reason="Bukan kewenangan"), actor="Alya", note=None, now=NOW
    )
    assert plan.sets["closed_at"] == NOW
    assert plan.sets["closure"] == {"status": "rejected", "reason": "Bukan kewenangan"}
    event = plan.events[0]
    assert isinstance(event, CaseStatusChanged)
    assert event.reason == "Bukan kewenangan"


def test_the_event_carries_at_most_500_characters_of_the_reason() -> None:
    reason = "x" * 800
    plan = plans.status_change(
        case(), Change("withdrawn", reason=reason), actor="Alya", note=None, now=NOW
    )
    event = plan.events[0]
    assert isinstance(event, CaseStatusChanged)
    assert event.reason == reason[:500]
    assert plan.timeline["reason"] == reason  # the timeline keeps all of it


def test_a_recommendation_records_finding_sanction_summary_and_who() -> None:
    examined = case(
        status="under_examination", lifecycle={"paused_from": None, "was_verified": True}
    )
    change = Change("recommendation_issued", finding="proven", sanction_level="sedang")
    plan = plans.status_change(examined, change, actor="Alya", note="Terbukti", now=NOW)
    assert plan.sets["recommendation"] == {
        "finding": "proven",
        "sanction_level": "sedang",
        "summary": "Terbukti",
        "issued_at": NOW,
        "by": "Alya",
    }
    assert plan.timeline["reason"] == "Terbukti"  # the note stands in for a missing reason


def test_an_imposed_sanction_records_level_and_decision_letter() -> None:
    waiting = case(
        status="awaiting_ppk",
        lifecycle={"paused_from": None, "was_verified": True},
        recommendation={"finding": "proven"},
    )
    change = Change("sanction_imposed", sanction_level="berat", decision_ref="800/12/2024")
    plan = plans.status_change(waiting, change, actor="Alya", note=None, now=NOW)
    assert plan.sets["sanction"] == {
        "level": "berat",
        "decision_ref": "800/12/2024",
        "imposed_at": NOW,
    }
    assert plan.sets["closure"] == {"status": "sanction_imposed", "reason": None}


def test_a_duplicate_names_the_original_once() -> None:
    change = Change("duplicate", duplicate_of=OTHER_ID)
    plan = plans.status_change(
        case(duplicates=[OTHER_ID]), change, actor="Alya", note=None, now=NOW
    )
    assert plan.sets["duplicate_of"] == OTHER_ID
    assert plan.sets["duplicates"] == [OTHER_ID]
    fresh = plans.status_change(case(), change, actor="Alya", note=None, now=NOW)
    assert fresh.sets["duplicates"] == [OTHER_ID]


def test_an_illegal_transition_is_refused_with_what_is_allowed() -> None:
    with pytest.raises(errors.IllegalTransition) as refused:
        plans.status_change(case(), Change("sanction_imposed"), actor="Alya", note=None, now=NOW)
    assert (refused.value.status, refused.value.to) == ("received", "sanction_imposed")
    assert refused.value.allowed == (
        "verified",
        "rejected",
        "awaiting_info",
        "duplicate",
        "withdrawn",
    )


def test_a_change_missing_what_its_target_needs_is_refused_field_by_field() -> None:
    with pytest.raises(errors.MissingFields) as missing:
        plans.status_change(case(), Change("rejected"), actor="Alya", note=None, now=NOW)
    assert [f for f, _ in missing.value.errors] == ["reason"]


# --- reopen ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("was_verified", "target", "words"),
    [(True, "under_examination", "dalam pemeriksaan"), (False, "received", "dibuka kembali")],
)
def test_a_reopen_resumes_where_work_stands_and_clears_the_closure(
    was_verified: bool, target: str, words: str
) -> None:
    doc = closed_case()
    doc["lifecycle"] = {"paused_from": None, "was_verified": was_verified}
    plan = plans.reopen(doc, reason="Bukti baru", actor="Kepala", now=NOW)
    assert plan.action == "reopen"
    assert plan.summary == f"Kasus dibuka kembali ({words})"
    assert plan.sets["status"] == target
    assert list(plan.unsets) == ["closed_at", "closure"]
    assert plan.timeline == {
        "from_status": "withdrawn",
        "to_status": target,
        "reason": "Bukti baru",
    }


def test_an_open_case_cannot_be_reopened() -> None:
    with pytest.raises(errors.CaseOpen) as refused:
        plans.reopen(case(status="verified"), reason="Bukti baru", actor="Kepala", now=NOW)
    assert refused.value.status == "verified"
    assert refused.value.allowed == (
        "under_examination",
        "rejected",
        "awaiting_info",
        "duplicate",
        "withdrawn",
    )


def test_a_reopen_needs_a_reason() -> None:
    with pytest.raises(errors.MissingFields) as missing:
        plans.reopen(closed_case(), reason=" ", actor="Kepala", now=NOW)
    assert [f for f, _ in missing.value.errors] == ["reason"]


# --- acknowledgement --------------------------------------------------------------------------


def test_an_acknowledgement_keeps_the_status_and_names_who() -> None:
    plan = plans.acknowledge(case(status="verified"), actor="Rina", now=NOW)
    assert plan.action == "acknowledged"
    assert plan.summary == "Diterima oleh Rina"
    assert plan.sets == {"acknowledged_at": NOW, "acknowledged_by": "Rina"}
    assert plan.events == (
        CaseStatusChanged(
            case_id=CASE_ID,
            from_status="verified",
            to_status="verified",
            actor="Rina",
            reason="acknowledged",
        ),
    )


def test_an_acknowledgement_for_the_team_keeps_its_reason_for_the_audit_and_timeline() -> None:
    plan = plans.acknowledge(
        case(status="received"), actor="Kepala", now=NOW, reason="Diterima atas nama tim"
    )
    assert plan.sets == {
        "acknowledged_at": NOW,
        "acknowledged_by": "Kepala",
        "acknowledged_reason": "Diterima atas nama tim",
    }
    assert plan.timeline == {"reason": "Diterima atas nama tim"}
    # Triage still hears the word that means an acknowledgement, not the person's sentence.
    assert plan.events == (
        CaseStatusChanged(
            case_id=CASE_ID,
            from_status="received",
            to_status="received",
            actor="Kepala",
            reason="acknowledged",
        ),
    )


def test_an_acknowledgement_without_a_reason_records_none() -> None:
    plan = plans.acknowledge(case(), actor="Rina", now=NOW, reason=None)
    assert "acknowledged_reason" not in plan.sets
    assert plan.timeline == {}


def test_a_case_is_acknowledged_once() -> None:
    with pytest.raises(errors.AlreadyAcknowledged):
        plans.acknowledge(case(acknowledged_at=NOW), actor="Rina", now=NOW)


def test_a_closed_case_needs_no_acknowledgement() -> None:
    with pytest.raises(errors.CaseClosed) as refused:
        plans.acknowledge(closed_case(), actor="Rina", now=NOW)
    assert (refused.value.action, refused.value.status) == ("acknowledge", "withdrawn")
    assert refused.value.allowed == ("under_examination",)


# --- comments and questions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("visibility", "words"), [("internal", "internal"), ("reporter", "untuk pelapor")]
)
def test_a_comment_is_appended_with_who_and_when(
    visibility: Literal["internal", "reporter"], words: str
) -> None:
    plan = plans.comment(case(), text="Sudah dicek", visibility=visibility, actor=ALICE, now=NOW)
    item = plan.appends["comments"]
    assert isinstance(item, dict)
    assert len(item["id"]) == 32
    assert item == {
        "id": item["id"],
        "at": NOW,
        "kind": "comment",
        "text": "Sudah dicek",
        "visibility": visibility,
        "actor": ALICE,
    }
    assert plan.action == "comment_added"
    assert plan.summary == f"Catatan {words} ditambahkan"
    assert plan.sets == {}
    assert plan.events == (
        CaseCommentAdded(
            case_id=CASE_ID, comment_id=item["id"], actor="Alya", visibility=visibility
        ),
    )
    assert plan.timeline == {"comment_id": item["id"], "visibility": visibility}


def test_each_comment_gets_its_own_id() -> None:
    ids = {
        plans.comment(case(), text="x", visibility="internal", actor=ALICE, now=NOW).timeline[
            "comment_id"
        ]
        for _ in range(3)
    }
    assert len(ids) == 3


def test_a_request_for_information_pauses_the_case_and_asks_the_reporter() -> None:
    question = "Mohon kirim tangkapan layar asli"
    plan = plans.request_information(
        case(status="verified"), question=question, actor=ALICE, now=NOW
    )
    assert plan.action == "information_requested"
    assert plan.sets["status"] == "awaiting_info"
    assert plan.sets["lifecycle"] == {"paused_from": "verified", "was_verified": False}
    item = plan.appends["comments"]
    assert isinstance(item, dict)
    assert (item["kind"], item["visibility"], item["text"]) == ("question", "reporter", question)
    assert [type(e) for e in plan.events] == [CaseStatusChanged, CaseCommentAdded]
    assert plan.timeline == {
        "from_status": "verified",
        "to_status": "awaiting_info",
        "reason": question,
        "comment_id": item["id"],
        "visibility": "reporter",
    }


def test_no_information_is_requested_once_a_finding_exists() -> None:
    waiting = case(status="awaiting_ppk", recommendation={"finding": "proven"})
    with pytest.raises(errors.IllegalTransition) as refused:
        plans.request_information(waiting, question="Ada lagi?", actor=ALICE, now=NOW)
    assert refused.value.to == "awaiting_info"


# --- reassignment -----------------------------------------------------------------------------


def test_a_reassignment_names_the_new_officer_and_clears_the_acknowledgement() -> None:
    doc = case(acknowledged_at=NOW, acknowledged_by="Rina")
    plan = plans.reassign(
        doc, officer=OFFICER, recipient=RECIPIENT, reason="Beban kerja", actor="Kepala"
    )
    assert plan.action == "reassigned"
    assert plan.summary == "Ditugaskan ulang ke Sari (BKPSDM)"
    assert plan.sets == {
        "triage.assignee": {"officer_id": "off-2", "name": "Sari"},
        "triage.unit": "BKPSDM",
    }
    assert list(plan.unsets) == ["acknowledged_at", "acknowledged_by", "acknowledged_reason"]
    assert plan.events == (
        CaseReassigned(
            case_id=CASE_ID,
            tracking_code="PTU-7K3M-Q9XD",
            title="Camat mengajak memilih calon tertentu",
            category="NETRALITAS_ASN",
            priority="high",
            unit="BKPSDM",
            assignee=RECIPIENT,
            previous_officer_id="off-1",
            actor="Kepala",
            reason="Beban kerja",
        ),
    )
    assert plan.timeline == {
        "officer_id": "off-2",
        "officer_name": RECIPIENT.name,
        "unit": "BKPSDM",
        "previous_officer_id": "off-1",
        "reason": "Beban kerja",
    }


def test_an_officer_without_a_unit_keeps_the_cases_unit() -> None:
    officer = {**OFFICER, "unit": None}
    plan = plans.reassign(case(), officer=officer, recipient=RECIPIENT, reason="r", actor="K")
    assert plan.sets["triage.unit"] == "Inspektorat"


def test_a_closed_case_cannot_be_reassigned() -> None:
    with pytest.raises(errors.CaseClosed) as refused:
        plans.reassign(closed_case(), officer=OFFICER, recipient=RECIPIENT, reason="r", actor="K")
    assert refused.value.action == "reassign"


def test_an_officer_of_another_region_is_refused() -> None:
    officer = {**OFFICER, "region": "12.07"}
    with pytest.raises(errors.OtherRegion) as refused:
        plans.reassign(case(), officer=officer, recipient=RECIPIENT, reason="r", actor="K")
    assert (refused.value.officer_id, refused.value.officer_region, refused.value.tenant) == (
        "off-2",
        "12.07",
        "12.06",
    )


@pytest.mark.parametrize("declared", ["  budi santoso ", "198001012005011001"])
def test_an_officer_who_declared_a_conflict_is_refused(declared: str) -> None:
    officer = {**OFFICER, "conflicts": [declared, ""]}
    assert plans.conflicts_with(officer, case()) == ["Budi Santoso"]
    with pytest.raises(errors.ConflictOfInterest) as refused:
        plans.reassign(case(), officer=officer, recipient=RECIPIENT, reason="r", actor="K")
    assert refused.value.people == ["Budi Santoso"]


def test_the_officer_who_has_the_case_is_not_assigned_again() -> None:
    officer = {**OFFICER, "_id": "off-1"}
    with pytest.raises(errors.AlreadyAssigned) as refused:
        plans.reassign(case(), officer=officer, recipient=RECIPIENT, reason="r", actor="K")
    assert refused.value.officer_id == "off-1"


# --- transfer ---------------------------------------------------------------------------------


def test_a_transfer_moves_the_case_keeps_its_history_and_unassigns_it() -> None:
    earlier = {"from": "12.07", "to": "12.06", "at": NOW, "by": "X", "reason": "salah alamat"}
    plan = plans.transfer(
        case(transfers=[earlier]), to_tenant="12", reason="Naik ke provinsi", actor="K", now=NOW
    )
    assert plan.action == "transferred"
    assert plan.summary == "Dialihkan dari 12.06 ke 12"
    assert plan.tenant == "12"
    assert plan.sets == {
        "tenant": "12",
        "transfers": [
            earlier,
            {"from": "12.06", "to": "12", "at": NOW, "by": "K", "reason": "Naik ke provinsi"},
        ],
        "triage.assignee": None,
    }
    assert list(plan.unsets) == ["acknowledged_at", "acknowledged_by", "acknowledged_reason"]
    assert plan.events == (
        CaseTransferred(
            case_id=CASE_ID,
            from_tenant="12.06",
            to_tenant="12",
            actor="K",
            reason="Naik ke provinsi",
        ),
    )


def test_a_closed_case_cannot_be_transferred() -> None:
    with pytest.raises(errors.CaseClosed) as refused:
        plans.transfer(closed_case(), to_tenant="12", reason="r", actor="K", now=NOW)
    assert refused.value.action == "transfer"


def test_a_transfer_to_the_cases_own_region_is_refused() -> None:
    with pytest.raises(errors.SameRegion) as refused:
        plans.transfer(case(), to_tenant="12.06", reason="r", actor="K", now=NOW)
    assert refused.value.tenant == "12.06"


# --- duplicate links --------------------------------------------------------------------------


def test_linking_a_duplicate_adds_it_to_the_list() -> None:
    third = "65a1f0c2e4b0a1b2c3d4e5f8"
    plan = plans.link_duplicate(case(duplicates=[third]), OTHER_ID)
    assert plan.action == "duplicate_linked"
    assert plan.sets == {"duplicates": [third, OTHER_ID]}
    assert plan.timeline == {"related_case": OTHER_ID}
    assert plan.events == ()


def test_a_case_cannot_duplicate_itself() -> None:
    with pytest.raises(errors.SelfDuplicate):
        plans.link_duplicate(case(), CASE_ID)


def test_cases_already_linked_are_not_linked_again() -> None:
    with pytest.raises(errors.AlreadyLinked) as refused:
        plans.link_duplicate(case(duplicates=[OTHER_ID]), OTHER_ID)
    assert refused.value.other_id == OTHER_ID


def test_unlinking_removes_only_that_case() -> None:
    third = "65a1f0c2e4b0a1b2c3d4e5f8"
    plan = plans.unlink_duplicate(case(duplicates=[OTHER_ID, third]), OTHER_ID)
    assert plan.action == "duplicate_unlinked"
    assert plan.sets == {"duplicates": [third]}
    assert plan.timeline == {"related_case": OTHER_ID}


def test_a_case_that_is_not_linked_cannot_be_unlinked() -> None:
    with pytest.raises(errors.NotLinked) as refused:
        plans.unlink_duplicate(case(), OTHER_ID)
    assert refused.value.other_id == OTHER_ID


# --- purity -----------------------------------------------------------------------------------


def test_the_plans_load_no_web_or_database_library() -> None:
    # A fresh interpreter: this one has long loaded Flask and pymongo for other tests.
    probe = (
        "import sys, services.intake.actions.plans; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'flask', 'werkzeug', 'pymongo', 'bson', 'mongoengine', 'gridfs', 'pika'}))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"
