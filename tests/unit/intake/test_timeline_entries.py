"""The timeline entries intake writes for triage's events keep the codes a reader words them
from (category, priority, who was assigned, the kind of link), beside their summary."""

from __future__ import annotations

from services.intake.cases.timeline import (
    assigned_change,
    duplicate_detected_change,
    triaged_change,
)
from shared import ladder_steps
from shared.contracts import CaseAssigned, CaseDuplicateDetected, CaseTriaged, Recipient

CASE = "6b13c0ffee0000000000abcd"


def _triaged(**overrides: object) -> CaseTriaged:
    fields: dict[str, object] = {
        "case_id": CASE,
        "decision_id": "d-1",
        "category": "MEDSOS",
        "confidence": 0.8,
        "needs_review": True,
        "sanction_level": "sedang",
        "priority": "high",
        "explanation": "x",
        "rules_version": "r1",
    }
    return CaseTriaged.model_validate({**fields, **overrides})


def test_a_triage_decision_keeps_its_codes_and_an_override_its_author_and_reason() -> None:
    entry, _ = triaged_change(_triaged())
    assert {k: entry[k] for k in ("category", "priority", "needs_review")} == {
        "category": "MEDSOS",
        "priority": "high",
        "needs_review": True,
    }
    assert "actor" not in entry
    assert "override" not in entry
    overridden, _ = triaged_change(_triaged(decided_by="Sari", override_reason="Hoaks"))
    assert (overridden["actor"], overridden["reason"], overridden["override"]) == (
        "Sari",
        "Hoaks",
        True,
    )


def _assigned(reason: str = "") -> CaseAssigned:
    return CaseAssigned(
        case_id=CASE,
        decision_id="d-1",
        tracking_code="K7QM-3XPA-9D2F-HT6W",
        title="t",
        category="MEDSOS",
        priority="high",
        unit="BKPSDM",
        assignee=Recipient(officer_id="karo-1", name="Sari"),
        reason=reason,
    )


def test_an_assignment_keeps_the_officers_name_the_unit_and_the_province() -> None:
    event = _assigned()
    entry, _ = assigned_change(event)
    assert (entry["assignee_id"], entry["assignee_name"], entry["unit"]) == (
        "karo-1",
        "Sari",
        "BKPSDM",
    )
    assert entry["to_province"] is False
    nobody, _ = assigned_change(event.model_copy(update={"assignee": None, "to_province": True}))
    assert (nobody["assignee_name"], nobody["to_province"]) == (None, True)
    assert "resend" not in entry


def test_a_resent_assignment_keeps_which_resend_it_is() -> None:
    entry, _ = assigned_change(_assigned(ladder_steps.resend_reason(3)))
    assert entry["resend"] == 3
    # Any other reason (an assignment by a person, say) is no resend.
    other, _ = assigned_change(_assigned("Dialihkan oleh Kabid"))
    assert "resend" not in other


def test_a_found_link_keeps_whether_it_is_a_repeat_or_only_related() -> None:
    event = CaseDuplicateDetected(case_id=CASE, duplicate_of="a" * 24, kind="related", score=0.5)
    entry, fields = duplicate_detected_change(event)
    assert (entry["related_case"], entry["match"], fields) == ("a" * 24, "related", None)
