"""Filters of lists, exports and statistics turned into MongoDB queries (no database)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from services.intake.cases.filters import CLOSED_STATUSES, CaseFilters, build_criteria
from services.intake.exports.jobs import ExportRequest
from services.intake.exports.statistics import (
    UNCLASSIFIED,
    StatisticsQuery,
    period_stage,
    scope_stage,
)
from shared.auth import Principal
from shared.problems import Problem

NOW = datetime(2024, 11, 25, 3, 0, tzinfo=UTC)
KARO = Principal("k1", "Karo", "12.06", "officer")
SUMUT = Principal("p1", "Sumut", "12", "operator")


def test_no_filters_keep_a_regency_key_in_its_tenant() -> None:
    assert build_criteria(CaseFilters(), KARO, now=NOW) == {"tenant": "12.06"}


def test_a_provincial_key_sees_its_regencies_and_the_province_itself() -> None:
    scope = build_criteria(CaseFilters(), SUMUT, now=NOW)["tenant"]["$regex"]
    assert [bool(re.match(scope, t)) for t in ("12.06", "12", "13.01", "120")] == [
        True,
        True,
        False,
        False,
    ]


def test_a_region_outside_the_area_is_refused() -> None:
    with pytest.raises(Problem) as caught:
        build_criteria(CaseFilters(region_code="12.07"), KARO, now=NOW)
    assert caught.value.status == 422
    assert caught.value.errors[0]["field"] == "region_code"
    assert build_criteria(CaseFilters(region_code="12.07"), SUMUT, now=NOW)["tenant"] == "12.07"


def test_every_filter_lands_on_its_field() -> None:
    after, before = NOW - timedelta(days=3), NOW + timedelta(days=3)
    criteria = build_criteria(
        CaseFilters(
            q="kampanye pemilu",
            status="verified",
            category="MEDSOS",
            priority="high",
            source="public_report",
            officer="karo-insp-01",
            unit="INSPEKTORAT",
            due_after=after,
            due_before=before,
            submitted_from=after,
        ),
        KARO,
        now=NOW,
    )
    assert criteria == {
        "tenant": "12.06",
        "triage.category": "MEDSOS",
        "triage.priority": "high",
        "source": "public_report",
        "triage.assignee.officer_id": "karo-insp-01",
        "triage.unit": "INSPEKTORAT",
        "status": {"$eq": "verified"},
        "triage.due_at": {"$gte": after, "$lt": before},
        "submitted_at": {"$gte": after},
        "$text": {"$search": "kampanye pemilu"},
    }


def test_overdue_means_deadline_passed_and_not_closed() -> None:
    criteria = build_criteria(CaseFilters(overdue=True), KARO, now=NOW)
    assert criteria["triage.due_at"] == {"$lt": NOW}
    assert criteria["status"] == {"$nin": list(CLOSED_STATUSES)}


def test_overdue_with_an_earlier_due_before_keeps_the_earlier_bound() -> None:
    earlier = NOW - timedelta(days=1)
    criteria = build_criteria(CaseFilters(overdue=True, due_before=earlier), KARO, now=NOW)
    assert criteria["triage.due_at"] == {"$lt": earlier}
    later = build_criteria(
        CaseFilters(overdue=True, due_before=NOW + timedelta(days=1)), KARO, now=NOW
    )
    assert later["triage.due_at"] == {"$lt": NOW}


def test_not_overdue_excludes_exactly_the_overdue_ones() -> None:
    criteria = build_criteria(CaseFilters(overdue=False, status="verified"), KARO, now=NOW)
    assert criteria["$nor"] == [
        {"triage.due_at": {"$lt": NOW}, "status": {"$nin": list(CLOSED_STATUSES)}}
    ]
    assert criteria["status"] == {"$eq": "verified"}


@pytest.mark.parametrize(
    "args",
    [
        {"q": ""},
        {"q": "x" * 201},
        {"officer": "o" * 65},
        {"unit": "u" * 101},
        {"due_before": "2024-11-20T10:00:00"},  # no offset: ambiguous
        {"overdue": "perhaps"},
        {"sort": "title"},
    ],
)
def test_bad_filters_are_refused(args: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        CaseFilters.model_validate(args)


def test_an_export_with_reporters_needs_a_reason() -> None:
    with pytest.raises(ValidationError) as caught:
        ExportRequest.model_validate({"include_reporter": True})
    assert caught.value.errors()[0]["type"] == "reason_required"
    ok = ExportRequest.model_validate({"include_reporter": True, "reason": "klarifikasi pelapor"})
    assert ok.include_reporter


def test_statistics_match_the_area_and_the_period() -> None:
    query = StatisticsQuery.model_validate({"from": "2024-11-01T00:00:00+07:00"})
    assert period_stage(query) == {"submitted_at": {"$gte": query.from_}}
    assert "$regex" in scope_stage(query, SUMUT)["tenant"]
    assert period_stage(StatisticsQuery()) == {}
    with pytest.raises(ValidationError):
        StatisticsQuery.model_validate({"region": "12.06"})


def test_statistics_narrow_to_one_category_or_the_unclassified() -> None:
    hoax = scope_stage(StatisticsQuery(category="HOAKS"), KARO)
    assert hoax == {"tenant": "12.06", "triage.category": "HOAKS"}
    waiting = scope_stage(StatisticsQuery(category=UNCLASSIFIED), KARO)
    assert waiting["triage.category"] is None
