"""What each role reads of a case (cases/readers.py), on a plain stored case."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId

from services.intake.cases.answers import FiledCase
from services.intake.cases.filters import CaseFilters, build_criteria
from services.intake.cases.readers import (
    case_view,
    filed_case,
    may_hear_of,
    may_read,
    readable,
    refused_filters,
)
from shared.auth import ROLES, Principal

AT = datetime(2024, 11, 4, 3, 0, tzinfo=UTC)
NIP = "198609262015051001"
WITNESS_PHONE = "+6281260001234"
INTERNAL = "Catatan internal: terlapor kerabat camat"
OFFICER = "Rehulina Tarigan"


def principal(role: str, prefix: str = "pk_filer", region: str = "12.06") -> Principal:
    return Principal(key_prefix=prefix, name=f"{role} uji", region=region, role=role)


def stored_case(filed_by: str = "pk_filer") -> dict[str, Any]:
    return {
        "_id": ObjectId("6720f0a1b2c3d4e5f6a7b8c9"),
        "tenant": "12.06",
        "tracking_code": "K7QM-3XPA-9D2F-HT6W",
        "source": "monitoring",
        "source_ref": "medsos-2024-0042",
        "title": f"ASN NIP {NIP} unggah foto paslon",
        "description": "Kepala dinas mengunggah foto bersama paslon.",
        "status": "awaiting_info",
        "submitted_at": AT,
        "updated_at": AT,
        "late_filing": False,
        "accused": [{"name": "Budi Ginting", "nip": NIP, "employment_type": "PNS"}],
        "witnesses": [{"name": "Sari", "phone": WITNESS_PHONE}],
        "reporter": {"anonymous": False, "confidential": True, "pseudonym": "Pelapor-7Q"},
        "submitted_by": {"key": filed_by, "name": "Diskominfo Karo"},
        "triage": {
            "category": "FOTO_POSE",
            "priority": "high",
            "due_at": datetime(2024, 11, 7, 10, 0, tzinfo=UTC),
            "assignee": {"officer_id": "karo-bkpsdm-1", "name": OFFICER},
        },
        "timeline": [
            {"at": AT, "kind": "submitted", "summary": "Kasus diterima", "actor": "Diskominfo"},
            {"at": AT, "kind": "assigned", "summary": f"Ditugaskan ke {OFFICER} (BKPSDM)"},
            {
                "at": AT,
                "kind": "status_changed",
                "to_status": "awaiting_info",
                "summary": "Status diubah",
                "actor": OFFICER,
                "reason": "Mohon tautan unggahan asli",
            },
        ],
        "comments": [
            {
                "at": AT,
                "kind": "comment",
                "text": INTERNAL,
                "visibility": "internal",
                "actor": {"name": OFFICER},
            },
            {
                "at": AT,
                "kind": "question",
                "text": "Mohon kirim tautan unggahan asli.",
                "visibility": "reporter",
                "actor": {"name": OFFICER},
            },
        ],
        "outbox": [{"id": "x"}],
    }


def test_a_filer_reads_what_the_reporter_reads_and_nothing_of_the_people() -> None:
    view = filed_case(stored_case())
    text = json.dumps(view)
    for secret in (NIP, WITNESS_PHONE, INTERNAL, OFFICER, "Budi Ginting", "FOTO_POSE"):
        assert secret not in text, secret
    assert "Kepala dinas" not in text  # the description stays with the officers
    assert view["status"] == "awaiting_info"
    assert view["awaiting_reporter"] is True
    assert view["tracking_code"] == "K7QM-3XPA-9D2F-HT6W"
    assert view["source_ref"] == "medsos-2024-0042"
    assert view["due_at"] == "2024-11-07T10:00:00+00:00"
    assert view["steps"] == [
        {"at": AT.isoformat(), "status": "received"},
        {"at": AT.isoformat(), "status": "awaiting_info"},
    ]
    assert view["messages"] == [
        {
            "at": AT.isoformat(),
            "text": "Mohon kirim tautan unggahan asli.",
            "from": "officer",
            "kind": "question",
        }
    ]
    FiledCase.model_validate(view)  # the documented shape, with no field beyond it


def test_a_filers_list_item_has_no_steps_or_messages() -> None:
    doc = {k: v for k, v in stored_case().items() if k not in ("timeline", "comments")}
    view = filed_case(doc)
    assert "steps" not in view
    assert "messages" not in view
    FiledCase.model_validate(view)


def test_an_untriaged_case_has_no_deadline_yet() -> None:
    doc = stored_case()
    doc["triage"] = {}
    assert filed_case(doc)["due_at"] is None


def test_those_who_work_cases_read_them_whole() -> None:
    for role in ("officer", "supervisor", "operator", "auditor"):
        view = case_view(
            principal(role, region="12" if role in ("operator", "auditor") else "12.06"),
            stored_case(),
        )
        assert view["accused"][0]["nip"] == NIP, role
        assert "outbox" not in view
    submitter_view = case_view(principal("submitter"), stored_case())
    assert "accused" not in submitter_view


def test_a_submitter_reads_only_what_its_own_key_filed() -> None:
    own = principal("submitter")
    neighbour = principal("submitter", prefix="pk_neighbour")
    assert may_read(own, stored_case())
    assert not may_read(neighbour, stored_case())
    assert not may_read(own, {**stored_case(), "submitted_by": {}})  # nobody's
    assert not may_read(principal("submitter", region="64.02"), stored_case())
    # Every other role reads its area's cases, whoever filed them.
    assert may_read(principal("officer", prefix="pk_other"), stored_case())
    assert not may_read(principal("officer", region="64.02"), stored_case())


def test_readable_cuts_the_stored_case_for_a_filer_only() -> None:
    assert "accused" not in readable(principal("submitter"), stored_case())
    assert readable(principal("supervisor"), stored_case())["accused"]


def test_a_natural_key_match_of_another_filer_is_not_answered() -> None:
    assert may_hear_of(principal("submitter"), stored_case())
    assert not may_hear_of(principal("submitter", prefix="pk_neighbour"), stored_case())
    assert may_hear_of(principal("supervisor", prefix="pk_sup"), stored_case())


def test_a_submitters_list_criteria_hold_only_its_own_filings() -> None:
    criteria = build_criteria(CaseFilters(), principal("submitter"), now=AT)
    assert criteria == {"tenant": "12.06", "submitted_by.key": "pk_filer"}
    staff = build_criteria(CaseFilters(), principal("supervisor"), now=AT)
    assert staff == {"tenant": "12.06"}


def test_a_submitter_filters_only_on_what_its_view_shows() -> None:
    filer = principal("submitter")
    given = {"status": "received", "category": "MEDSOS", "officer": "x", "q": "paslon"}
    assert refused_filters(filer, given) == ["category", "officer", "q"]
    assert refused_filters(filer, {"sort": "priority"}) == ["sort"]
    assert refused_filters(filer, {"sort": "due", "overdue": "true", "limit": "5"}) == []
    for role in ROLES:
        if role != "submitter":
            assert refused_filters(principal(role), given) == [], role
