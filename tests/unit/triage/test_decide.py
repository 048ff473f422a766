"""Putting one decision together from the pure parts, with the shipped rules and roster."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cache
from types import MappingProxyType
from typing import Any

import pytest
from bson import ObjectId

from services.triage.decide import (
    Candidate,
    CaseInput,
    Decision,
    decide,
    dedup_facts,
    late_filing,
    propose_route,
    with_load,
)
from services.triage.domain.calendar import CalendarEntry, WorkingCalendar, build_calendar
from services.triage.domain.sla import DEFAULT_RULES, LAPOR_ANSWER, start_clock
from services.triage.roster import load_roster
from services.triage.rules_files import load_default_rules
from services.triage.storage.config import TenantConfig
from services.triage.storage.records import decision_doc, triaged_event
from shared.regions import province_of, timezone_for
from tests.unit.triage.builders import (
    HOAX_TEXT,
    HOAX_TITLE,
    KARO,
    KUTAI_KARTANEGARA,
    KUTAI_TIMUR,
    MONDAY,
    accused,
    submitted,
)


@cache
def config(tenant: str = KARO) -> TenantConfig:
    """A regency's configuration as shipped, built without any database."""
    roster = load_roster()
    officers = tuple(o for o in roster.officers if o.tenant == tenant)
    return TenantConfig(
        tenant=tenant,
        rules=load_default_rules(),
        table=roster.tables.get(tenant),
        officers=officers,
        contacts=MappingProxyType({o.officer_id: roster.contacts[o.officer_id] for o in officers}),
        province_desk=roster.province_desks.get(province_of(tenant)),
        calendar_entries=tuple(
            CalendarEntry("collective_leave", d) for d in roster.collective_leave.get(tenant, ())
        ),
        versions=MappingProxyType({"rules": 0, "routing": 0, "roster": 0, "calendar": 0}),
    )


@cache
def calendar(tenant: str = KARO) -> WorkingCalendar:
    return build_calendar(timezone_for(tenant), [2023, 2024, 2025])


def case(tenant: str = KARO, **changes: Any) -> CaseInput:
    return CaseInput.from_submitted(submitted(**changes), tenant)


def run(
    c: CaseInput, candidates: tuple[Candidate, ...] = (), load: dict[str, int] | None = None
) -> Decision:
    cfg = config(c.tenant)
    return decide(
        c,
        config=cfg,
        officers=with_load(cfg.officers, load or {}),
        calendar=calendar(c.tenant),
        now=MONDAY,
        candidates=candidates,
    )


def test_a_clear_case_is_classified_weighed_clocked_and_routed() -> None:
    decision = run(case())
    assert decision.classification.category == "MEDSOS"
    assert decision.routing is not None
    assert decision.routing.unit == "BKPSDM"
    assert decision.routing.officer_id == "karo-bkpsdm-1"
    # Three working days from Monday 10:00 WIB: the end of Thursday, in UTC.
    assert decision.clock.deadline == datetime(2024, 11, 7, 16, 59, 59, 999999, tzinfo=UTC)
    text = decision.explanation()
    assert "MEDSOS" in text
    assert "Penugasan: kategori MEDSOS ditangani unit BKPSDM" in text


def test_the_least_loaded_officer_gets_the_case() -> None:
    decision = run(case(), load={"karo-bkpsdm-1": 4, "karo-bkpsdm-2": 1})
    assert decision.routing is not None
    assert decision.routing.officer_id == "karo-bkpsdm-2"


def test_an_exact_duplicate_points_at_the_first_report_and_is_not_routed() -> None:
    first = case()
    second = case(at=MONDAY + timedelta(hours=1))
    chain = case(at=MONDAY + timedelta(hours=2))
    # The candidate found is itself a duplicate of the first report.
    candidates = (Candidate(dedup_facts(second, "MEDSOS"), duplicate_of=first.case_id),)
    decision = run(chain, candidates)
    assert decision.duplicate_of == first.case_id
    assert decision.routing is None
    assert "Duplikat dari kasus" in decision.explanation()


def test_the_same_hoax_in_another_regency_is_only_related() -> None:
    kukar = case(KUTAI_KARTANEGARA, title=HOAX_TITLE, description=HOAX_TEXT, evidence_urls=[])
    kutim = case(KUTAI_TIMUR, title=HOAX_TITLE, description=HOAX_TEXT, evidence_urls=[])
    decision = run(kutim, (Candidate(dedup_facts(kukar, "HOAKS")),))
    assert decision.duplicate_of is None
    assert [m.case_id for m in decision.related] == [kukar.case_id]
    assert decision.routing is not None
    assert decision.routing.unit == "DISKOMINFO"


def test_an_earlier_case_against_the_same_person_raises_priority() -> None:
    earlier = case(
        at=MONDAY - timedelta(days=3),
        title="ASN hadir deklarasi paslon",
        description="Hadir dalam deklarasi.",
        evidence_urls=[],
    )
    alone = run(case())
    repeat = run(case(), (Candidate(dedup_facts(earlier)),))
    assert repeat.weight.score > alone.weight.score
    assert any("kasus sebelumnya" in r for r in repeat.weight.reasons)


def test_a_regency_without_a_routing_table_goes_to_the_province() -> None:
    other = replace(config(), table=None)
    decision = propose_route(other, "MEDSOS", case(), other.officers)
    assert decision.to_province
    assert decision.unit == "PROVINSI"


def test_officers_already_tried_are_passed_over() -> None:
    cfg = config()
    decision = propose_route(
        cfg, "MEDSOS", case(), cfg.officers, exclude=frozenset({"karo-bkpsdm-1"})
    )
    assert decision.officer_id == "karo-bkpsdm-2"
    assert "1 petugas sebelumnya tidak merespons" in decision.reasons


def test_a_mentioned_candidate_recuses_but_the_accused_is_not_a_candidate() -> None:
    cfg = config()
    officers = tuple(
        replace(o, conflicts=frozenset({"Bobby Nasution"}))
        if o.officer_id == "karo-bkpsdm-1"
        else replace(o, conflicts=frozenset({"Rudi Ginting"}))
        if o.officer_id == "karo-bkpsdm-2"
        else o
        for o in cfg.officers
    )
    c = case(description="Rudi Ginting membagikan unggahan paslon Bobby Nasution di Facebook.")
    decision = propose_route(cfg, "MEDSOS", c, officers)
    reasons = {r.officer_id: r.reason for r in decision.recusals}
    assert reasons == {
        "karo-bkpsdm-1": "konflik kepentingan dengan pasangan calon",
        "karo-bkpsdm-2": "konflik kepentingan dengan terlapor",
    }
    # Only the supervisor of the unit is left.
    assert decision.officer_id == "karo-supervisor"


@pytest.mark.parametrize(
    ("known_days_before", "flagged_by_intake", "late"),
    [(2, False, False), (7, False, False), (8.5, False, True), (1, True, True)],
)
def test_late_filing(known_days_before: float, flagged_by_intake: bool, late: bool) -> None:
    c = case(known_days_before=known_days_before, late_filing=flagged_by_intake)
    assert late_filing(c) is late


def test_a_known_date_after_submission_is_not_late() -> None:
    c = replace(case(), known_at=MONDAY + timedelta(days=3))
    assert late_filing(c) is False


def test_a_re_triage_keeps_the_running_clock() -> None:
    c = case()
    cfg = config()
    clock = start_clock(DEFAULT_RULES[LAPOR_ANSWER], MONDAY - timedelta(days=10), calendar())
    decision = decide(
        c, config=cfg, officers=cfg.officers, calendar=calendar(), now=MONDAY, clock=clock
    )
    assert decision.clock is clock
    # A deadline that has passed pushes the priority up.
    assert any("tenggat" in r.lower() for r in decision.weight.reasons)


def test_the_announced_event_carries_what_the_record_says() -> None:
    c = case(known_days_before=10, people=[accused(employment_type="PPPK", nip=None)])
    cfg = config()
    decision = decide(c, config=cfg, officers=cfg.officers, calendar=calendar(), now=MONDAY)
    doc = decision_doc(
        ObjectId(),
        c,
        source_event_id="e1",
        kind="submitted",
        decision=decision,
        config=cfg,
        assignment=None,
        now=MONDAY,
    )
    event = triaged_event(doc)
    assert event.category == doc["category"]
    assert event.late_filing is True
    assert event.explanation == doc["explanation"]
    assert event.rules_version == cfg.rules.version
    assert doc["config_versions"]["rules_version"] == cfg.rules.version
