"""Keeping each case's timeline and triage block in step with triage and notify events.

Each event is applied at most once: its envelope id is recorded on the case in the same
update that applies it, so a redelivered event matches nothing and is acknowledged.
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from bson.errors import InvalidId
from pymongo.collection import Collection

from shared.broker.consumer import Handler, PermanentError
from shared.contracts import (
    CaseAssigned,
    CaseDuplicateDetected,
    CaseEscalated,
    CaseTriaged,
    Envelope,
    Event,
    NotificationFailed,
    NotificationSent,
)
from shared.metrics import observe_first_alert


def _changes(event: Event) -> tuple[dict[str, Any], dict[str, Any]]:
    """The timeline entry and the fields to set for one event."""
    entry: dict[str, Any]
    if isinstance(event, CaseTriaged):
        triage = {
            "decision_id": event.decision_id,
            "category": event.category,
            "secondary": event.secondary,
            "confidence": event.confidence,
            "needs_review": event.needs_review,
            "sanction_level": event.sanction_level,
            "priority": event.priority,
            "due_at": event.due_at,
            "explanation": event.explanation,
            "rules_version": event.rules_version,
            "duplicate_of": event.duplicate_of,
        }
        entry = {
            "kind": "triaged",
            "summary": f"Diklasifikasikan {event.category}, prioritas {event.priority}",
        }
        return entry, {f"triage.{k}": v for k, v in triage.items()}
    if isinstance(event, CaseAssigned):
        assignee = (
            {"officer_id": event.assignee.officer_id, "name": event.assignee.name}
            if event.assignee
            else None
        )
        who = event.assignee.name if event.assignee else "provinsi"
        entry = {"kind": "assigned", "summary": f"Ditugaskan ke {who} ({event.unit})"}
        return entry, {
            "triage.unit": event.unit,
            "triage.assignee": assignee,
            "triage.to_province": event.to_province,
        }
    if isinstance(event, CaseEscalated):
        return {"kind": "escalated", "summary": f"Eskalasi: {event.reason}", "step": event.step}, {}
    if isinstance(event, CaseDuplicateDetected):
        entry = {
            "kind": "duplicate_detected",
            "summary": f"Kemungkinan {event.kind} dari kasus {event.duplicate_of}",
            "related_case": event.duplicate_of,
        }
        return entry, {}
    if isinstance(event, NotificationSent):
        entry = {
            "kind": "notified",
            "summary": f"Pemberitahuan terkirim lewat {event.channel}",
            "channel": event.channel,
            "recipient_id": event.recipient_id,
        }
        return entry, {}
    if isinstance(event, NotificationFailed):
        entry = {
            "kind": "notification_failed",
            "summary": f"Pemberitahuan lewat {event.channel} gagal",
            "channel": event.channel,
            "recipient_id": event.recipient_id,
            "final": event.final,
        }
        return entry, {}
    raise PermanentError(f"intake does not record {event.TYPE}")


def apply_event(cases: Collection[dict[str, Any]], envelope: Envelope, event: Event) -> bool:
    """Apply one event to its case; False when it had already been applied."""
    case_id = getattr(event, "case_id", None)
    try:
        oid = ObjectId(case_id)
    except (InvalidId, TypeError) as exc:
        raise PermanentError(f"event names no valid case id: {case_id!r}") from exc
    entry, fields = _changes(event)
    entry = {
        "at": envelope.occurred_at,
        "event_id": str(envelope.id),
        "event_type": envelope.type,
        **entry,
    }
    # An event sent before the case moved to another region still belongs to it.
    mine = {"_id": oid, "$or": [{"tenant": envelope.tenant}, {"transfers.from": envelope.tenant}]}
    result = cases.update_one(
        {**mine, "processed_events": {"$ne": str(envelope.id)}},
        {
            "$push": {"timeline": entry, "processed_events": str(envelope.id)},
            # $max: events may arrive out of order; the case was last updated by the newest.
            "$max": {"updated_at": envelope.occurred_at},
            **({"$set": fields} if fields else {}),
        },
    )
    if result.modified_count:
        return True
    if cases.count_documents(mine, limit=1) == 0:
        raise PermanentError(f"no case {case_id} in tenant {envelope.tenant}")
    return False


def make_handler(cases: Collection[dict[str, Any]]) -> Handler:
    """The consumer handler bound to intake's cases collection."""

    def handle(envelope: Envelope, event: Event) -> None:
        if apply_event(cases, envelope, event) and isinstance(event, NotificationSent):
            projection = {"submitted_at": 1, "timeline.kind": 1}
            case = cases.find_one({"_id": ObjectId(event.case_id)}, projection)
            observe_first_alert(case, event.sent_at, event.channel)

    return handle
