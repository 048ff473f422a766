"""Keeping each case's timeline and triage block in step with triage and notify events.

Each event is applied at most once: its envelope id is recorded on the case in the same
update that applies it, so a redelivered event matches nothing and is acknowledged.
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from bson.errors import InvalidId
from pymongo import ReturnDocument
from pymongo.collection import Collection

from services.intake.cases.ordering import queue_keys
from shared.broker.consumer import PermanentError
from shared.contracts import (
    CaseAssigned,
    CaseDuplicateDetected,
    CaseEscalated,
    CaseTriaged,
    Envelope,
    NotificationFailed,
    NotificationSent,
)
from shared.metrics import observe_first_alert

Cases = Collection[dict[str, Any]]


def record_triaged(envelope: Envelope, event: CaseTriaged, cases: Cases) -> bool:
    """Triage's decision on the timeline and in the case's triage block."""
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
    fields = {f"triage.{k}": v for k, v in triage.items()}
    fields.update(queue_keys(event.due_at, event.priority))
    return apply_event(cases, envelope, event.case_id, entry, fields)


def record_assigned(envelope: Envelope, event: CaseAssigned, cases: Cases) -> bool:
    """The assignment on the timeline, and who holds the case in its triage block."""
    assignee = (
        {"officer_id": event.assignee.officer_id, "name": event.assignee.name}
        if event.assignee
        else None
    )
    who = event.assignee.name if event.assignee else "provinsi"
    entry = {"kind": "assigned", "summary": f"Ditugaskan ke {who} ({event.unit})"}
    fields = {
        "triage.unit": event.unit,
        "triage.assignee": assignee,
        "triage.to_province": event.to_province,
    }
    return apply_event(cases, envelope, event.case_id, entry, fields)


def record_escalated(envelope: Envelope, event: CaseEscalated, cases: Cases) -> bool:
    """An escalation step on the timeline."""
    entry = {"kind": "escalated", "summary": f"Eskalasi: {event.reason}", "step": event.step}
    return apply_event(cases, envelope, event.case_id, entry)


def record_duplicate_detected(
    envelope: Envelope, event: CaseDuplicateDetected, cases: Cases
) -> bool:
    """A possible duplicate or related case on the timeline."""
    entry = {
        "kind": "duplicate_detected",
        "summary": f"Kemungkinan {event.kind} dari kasus {event.duplicate_of}",
        "related_case": event.duplicate_of,
    }
    return apply_event(cases, envelope, event.case_id, entry)


def record_notification_sent(envelope: Envelope, event: NotificationSent, cases: Cases) -> bool:
    """A sent alert on the timeline; the case's first alert is measured from its submission."""
    entry = {
        "kind": "notified",
        "summary": f"Pemberitahuan terkirim lewat {event.channel}",
        "channel": event.channel,
        "recipient_id": event.recipient_id,
    }
    # The update hands back what the latency metric needs: no second read of the case.
    case = applied_event(
        cases, envelope, event.case_id, entry, projection={"submitted_at": 1, "timeline.kind": 1}
    )
    if case is not None:
        observe_first_alert(case, event.sent_at, event.channel)
    return case is not None


def record_notification_failed(envelope: Envelope, event: NotificationFailed, cases: Cases) -> bool:
    """An alert that could not be delivered on the timeline."""
    entry = {
        "kind": "notification_failed",
        "summary": f"Pemberitahuan lewat {event.channel} gagal",
        "channel": event.channel,
        "recipient_id": event.recipient_id,
        "final": event.final,
    }
    return apply_event(cases, envelope, event.case_id, entry)


def apply_event(
    cases: Cases,
    envelope: Envelope,
    case_id: str,
    entry: dict[str, Any],
    fields: dict[str, Any] | None = None,
) -> bool:
    """Add ``entry`` to the case's timeline and set ``fields`` on it, once per envelope;
    False when this envelope had already been applied."""
    return applied_event(cases, envelope, case_id, entry, fields) is not None


def applied_event(
    cases: Cases,
    envelope: Envelope,
    case_id: str,
    entry: dict[str, Any],
    fields: dict[str, Any] | None = None,
    *,
    projection: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """:func:`apply_event`, answering with the updated case's ``projection`` fields (only
    ``_id`` without one); None when this envelope had already been applied."""
    try:
        oid = ObjectId(case_id)
    except (InvalidId, TypeError) as exc:
        raise PermanentError(f"event names no valid case id: {case_id!r}") from exc
    entry = {
        "at": envelope.occurred_at,
        "event_id": str(envelope.id),
        "event_type": envelope.type,
        **entry,
    }
    # An event sent before the case moved to another region still belongs to it.
    mine = {"_id": oid, "$or": [{"tenant": envelope.tenant}, {"transfers.from": envelope.tenant}]}
    query = {**mine, "processed_events": {"$ne": str(envelope.id)}}
    update = {
        "$push": {"timeline": entry, "processed_events": str(envelope.id)},
        # $max: events may arrive out of order; the case was last updated by the newest.
        "$max": {"updated_at": envelope.occurred_at},
        **({"$set": fields} if fields else {}),
    }
    if projection is None:
        if cases.update_one(query, update).modified_count:
            return {"_id": oid}
    else:
        updated = cases.find_one_and_update(
            query, update, projection=projection, return_document=ReturnDocument.AFTER
        )
        if updated is not None:
            return updated
    if cases.count_documents(mine, limit=1) == 0:
        raise PermanentError(f"no case {case_id} in tenant {envelope.tenant}")
    return None
