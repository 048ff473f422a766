"""The documents triage stores and the events it announces, built from its decisions.

Every event is built from the stored document it travels with, so what an officer reads in
the decision history and what other services receive never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from bson import ObjectId

from services.triage.decide import CaseInput, Decision
from services.triage.domain.dedup import Match
from services.triage.domain.ladder import AssignmentState
from services.triage.domain.routing import RoutingDecision
from services.triage.domain.sla import Clock
from services.triage.storage.config import TenantConfig
from services.triage.storage.state_codec import Assignment, assignment_to_doc, clock_to_doc
from shared import outbox
from shared.contracts import (
    CaseAssigned,
    CaseDeadlineMoved,
    CaseDuplicateDetected,
    CaseEscalated,
    CaseTriaged,
    Envelope,
    Event,
    Recipient,
    new_envelope,
)
from shared.regions import province_of

Document = dict[str, Any]

# What the case state keeps of its decision in force, to build alerts without a second read.
SUMMARY_FIELDS = (
    "category",
    "secondary",
    "confidence",
    "needs_review",
    "sanction_level",
    "priority",
    "rules_version",
)
MAX_PROCESSED_EVENTS = 200


def province_assignee(config: TenantConfig) -> str:
    """The id a case assigned to the province is recorded under."""
    desk = config.province_desk
    return desk.officer_id if desk is not None else f"provinsi-{province_of(config.tenant)}"


def new_assignment(
    config: TenantConfig,
    routing: RoutingDecision,
    now: datetime,
    *,
    sequence: int = 1,
    tried: Sequence[str] = (),
) -> tuple[Assignment, Recipient | None]:
    """The assignment a routing decision makes, and who is told."""
    if routing.to_province or routing.officer_id is None:
        officer_id, contact = province_assignee(config), config.province_desk
    else:
        officer_id, contact = routing.officer_id, config.contact(routing.officer_id)
    state = AssignmentState(
        assigned_at=now, acknowledged_at=None, officer_id=officer_id, sequence=sequence
    )
    return Assignment(state, routing.unit, routing.to_province, tuple(tried)), contact


def decision_doc(
    decision_id: ObjectId,
    case: CaseInput,
    *,
    source_event_id: str,
    kind: str,
    decision: Decision,
    config: TenantConfig,
    assignment: Assignment | None,
    now: datetime,
    previous_id: ObjectId | None = None,
) -> Document:
    """The stored record of an automatic decision."""
    c, w = decision.classification, decision.weight
    routing = decision.routing
    return {
        "_id": decision_id,
        "case_id": case.case_id,
        "tenant": case.tenant,
        "source_event_id": source_event_id,
        "kind": kind,
        "applied": True,
        "previous_decision_id": previous_id,
        "category": c.category,
        "secondary": list(c.secondary),
        "confidence": c.confidence,
        "needs_review": c.needs_review,
        "flags": list(c.flags),
        "reasons": [
            {
                "category": r.category,
                "phrase": r.phrase,
                "matched": r.matched,
                "field": r.field,
                "weight": r.weight,
            }
            for r in c.reasons
        ],
        "sanction_level": w.sanction_level,
        "priority": w.priority,
        "priority_score": w.score,
        "priority_reasons": list(w.reasons),
        "due_at": decision.clock.deadline,
        "stage": decision.clock.stage,
        "late_filing": decision.late_filing,
        "duplicate_of": decision.duplicate_of,
        "related": [match_doc(m) for m in decision.related],
        "unit": assignment.unit if assignment else (routing.unit if routing else None),
        "assignee_id": assignment.state.officer_id if assignment else None,
        "to_province": assignment.to_province if assignment else False,
        "recusals": [
            {"officer_id": r.officer_id, "reason": r.reason}
            for r in (routing.recusals if routing else ())
        ],
        "routing_reasons": list(routing.reasons) if routing else [],
        "explanation": decision.explanation(),
        "rules_version": c.rules_version,
        "model_version": c.model_version or None,
        "config_versions": config.version_record(),
        "decided_by": None,
        "override_reason": None,
        "created_at": now,
    }


def carried_doc(
    previous: Mapping[str, Any],
    *,
    decision_id: ObjectId,
    source_event_id: str,
    kind: str,
    now: datetime,
    changes: Mapping[str, Any],
) -> Document:
    """A new decision that keeps the previous one except for ``changes`` (a moved deadline,
    an officer's override)."""
    doc = {k: v for k, v in previous.items() if k != "_id" and k not in outbox.FIELDS}
    doc.update(
        _id=decision_id,
        source_event_id=source_event_id,
        kind=kind,
        applied=True,
        previous_decision_id=previous["_id"],
        created_at=now,
    )
    doc.update(changes)
    return doc


def match_doc(match: Match) -> Document:
    return {
        "case_id": match.case_id,
        "kind": match.kind,
        "score": match.score,
        "reasons": list(match.reasons),
    }


def summary(doc: Mapping[str, Any]) -> Document:
    return {k: doc.get(k) for k in SUMMARY_FIELDS}


def state_doc(
    case: CaseInput,
    decision_doc_: Mapping[str, Any],
    clock: Clock,
    assignment: Assignment | None,
    *,
    duplicate_of: str | None,
    links: Iterable[Document],
    next_wakeup: datetime | None,
    now: datetime,
    source_event_id: str,
    correlation_id: str,
) -> Document:
    """The case-state document of a newly triaged case."""
    return {
        "_id": case.case_id,
        "tenant": case.tenant,
        # Alerts the ladder sends later carry the case's own correlation id into the logs.
        "correlation_id": correlation_id,
        "province": province_of(case.tenant),
        "case": case.as_doc(),
        "status": "received",
        "open": True,
        "decision_id": decision_doc_["_id"],
        "decision": summary(decision_doc_),
        "override": None,
        "late_filing": decision_doc_.get("late_filing", False),
        "clock": clock_to_doc(clock),
        "past_clocks": [],
        "assignment": assignment_to_doc(assignment) if assignment else None,
        "duplicate_of": duplicate_of,
        "links": list(links),
        "fired_steps": [],
        "next_wakeup": next_wakeup,
        "processed_events": [source_event_id],
        "created_at": now,
        "updated_at": now,
    }


# --- events --------------------------------------------------------------------------------


def triaged_event(doc: Mapping[str, Any]) -> CaseTriaged:
    return CaseTriaged(
        case_id=doc["case_id"],
        decision_id=str(doc["_id"]),
        category=doc["category"],
        secondary=list(doc.get("secondary") or []),
        confidence=doc["confidence"],
        needs_review=bool(doc["needs_review"]),
        sanction_level=doc["sanction_level"],
        priority=doc["priority"],
        due_at=doc.get("due_at"),
        explanation=doc["explanation"],
        rules_version=doc["rules_version"],
        duplicate_of=doc.get("duplicate_of"),
        late_filing=bool(doc.get("late_filing", False)),
        decided_by=doc.get("decided_by"),
        override_reason=doc.get("override_reason"),
    )


def assigned_event(
    state_case: Mapping[str, Any],
    case_id: str,
    decision_id: ObjectId | str,
    decision: Mapping[str, Any],
    due_at: datetime | None,
    assignment: Assignment,
    assignee: Recipient | None,
    reason: str,
) -> CaseAssigned:
    return CaseAssigned(
        case_id=case_id,
        decision_id=str(decision_id),
        tracking_code=str(state_case.get("tracking_code", "")),
        title=str(state_case.get("title", "")),
        category=decision["category"],
        priority=decision["priority"],
        due_at=due_at,
        unit=assignment.unit,
        assignee=assignee,
        to_province=assignment.to_province,
        reason=reason,
    )


def escalated_event(
    state_case: Mapping[str, Any],
    case_id: str,
    decision: Mapping[str, Any],
    due_at: datetime | None,
    step: str,
    recipient: Recipient | None,
    reason: str,
) -> CaseEscalated:
    return CaseEscalated(
        case_id=case_id,
        step=step,
        title=str(state_case.get("title", "")),
        category=decision["category"],
        priority=decision["priority"],
        due_at=due_at,
        recipient=recipient,
        reason=reason,
    )


def deadline_moved_event(
    state: Mapping[str, Any],
    decision: Mapping[str, Any],
    due_at: datetime,
    previous_due_at: datetime | None,
    stage: str,
    recipient: Recipient | None,
    reason: str,
) -> CaseDeadlineMoved:
    case = state.get("case") or {}
    return CaseDeadlineMoved(
        case_id=str(state["_id"]),
        decision_id=str(decision["_id"]),
        tracking_code=str(case.get("tracking_code", "")),
        title=str(case.get("title", "")),
        category=decision["category"],
        priority=decision["priority"],
        due_at=due_at,
        previous_due_at=previous_due_at,
        stage=stage,
        recipient=recipient,
        reason=reason,
    )


def duplicate_event(
    case_id: str, match: Match, duplicate_of: str | None = None
) -> CaseDuplicateDetected:
    return CaseDuplicateDetected(
        case_id=case_id,
        duplicate_of=duplicate_of or match.case_id,
        kind=match.kind,
        score=match.score,
        reasons=list(match.reasons),
    )


def envelopes(
    events: Iterable[Event], *, tenant: str, correlation_id: str, now: datetime
) -> list[Envelope]:
    return [
        new_envelope(e, tenant=tenant, correlation_id=correlation_id, occurred_at=now)
        for e in events
    ]
