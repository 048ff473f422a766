"""Statutory clocks and assignments as stored in a case-state document, and back.

MongoDB keeps datetimes to the millisecond: a deadline ending at 23:59:59.999999 comes back
as 23:59:59.999. That is still the same local day, which is all the clock and the ladder
keys depend on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from services.triage.domain.ladder import AssignmentState
from services.triage.domain.sla import Clock, ClockEvent, EventKind, Unit
from shared import dates

Document = dict[str, Any]


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return dates.in_utc(value)


def _required(value: datetime | None) -> datetime:
    moment = _utc(value)
    if moment is None:
        raise ValueError("a stored clock or assignment lacks a required time")
    return moment


def clock_to_doc(clock: Clock) -> Document:
    return {
        "stage": clock.stage,
        "unit": clock.unit,
        "zone": clock.zone,
        "started_at": clock.started_at,
        "deadline": clock.deadline,
        "paused_at": clock.paused_at,
        "stopped_at": clock.stopped_at,
        "history": [
            {
                "kind": e.kind,
                "at": e.at,
                "deadline": e.deadline,
                "reason": e.reason,
                "credited_days": e.credited_days,
            }
            for e in clock.history
        ],
    }


def clock_from_doc(doc: Document) -> Clock:
    return Clock(
        stage=str(doc["stage"]),
        unit=cast(Unit, doc["unit"]),
        zone=str(doc["zone"]),
        started_at=_required(doc["started_at"]),
        deadline=_required(doc["deadline"]),
        history=tuple(
            ClockEvent(
                kind=cast(EventKind, e["kind"]),
                at=_required(e["at"]),
                deadline=_required(e["deadline"]),
                reason=e.get("reason", ""),
                credited_days=int(e.get("credited_days", 0)),
            )
            for e in doc.get("history", ())
        ),
        paused_at=_utc(doc.get("paused_at")),
        stopped_at=_utc(doc.get("stopped_at")),
    )


@dataclass(frozen=True)
class Assignment:
    """Who a case is assigned to now, and who it was assigned to before (never again)."""

    state: AssignmentState
    unit: str
    to_province: bool
    tried: tuple[str, ...] = field(default_factory=tuple)


def assignment_to_doc(assignment: Assignment) -> Document:
    s = assignment.state
    return {
        "officer_id": s.officer_id,
        "assigned_at": s.assigned_at,
        "acknowledged_at": s.acknowledged_at,
        "resends_done": s.resends_done,
        "sequence": s.sequence,
        "last_action_at": s.last_action_at,
        "unit": assignment.unit,
        "to_province": assignment.to_province,
        "tried": list(assignment.tried),
    }


def assignment_from_doc(doc: Document | None) -> Assignment | None:
    if not doc:
        return None
    state = AssignmentState(
        assigned_at=_required(doc["assigned_at"]),
        acknowledged_at=_utc(doc.get("acknowledged_at")),
        officer_id=str(doc["officer_id"]),
        resends_done=int(doc.get("resends_done", 0)),
        sequence=int(doc.get("sequence", 1)),
        last_action_at=_utc(doc.get("last_action_at")),
    )
    return Assignment(
        state=state,
        unit=str(doc.get("unit", "")),
        to_province=bool(doc.get("to_province", False)),
        tried=tuple(doc.get("tried", ())),
    )
