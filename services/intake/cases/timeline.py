"""Keeping each case's timeline and triage block in step with triage and notify events.

Each event is applied at most once: its envelope id is recorded on the case in the same
update that applies it, so a redelivered event matches nothing and is acknowledged. The
worker writes the events in batches (:func:`apply_events`): the broker hands a busy worker
several at once, and one bulk write costs the database and the worker about what one update
does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from bson import ObjectId
from bson.errors import InvalidId
from pymongo import ReturnDocument, UpdateOne
from pymongo.collection import Collection
from pymongo.errors import BulkWriteError, PyMongoError

from services.intake.cases.ordering import queue_keys
from shared import ladder_steps
from shared.broker.consumer import PermanentError
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
from shared.metrics import observe_first_alert, observe_pipeline_latency

log = logging.getLogger(__name__)

Cases = Collection[dict[str, Any]]
# A timeline entry and the fields the event sets on the case (None: only the entry).
Change = tuple[dict[str, Any], dict[str, Any] | None]


def triaged_change(event: CaseTriaged) -> Change:
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
    # The codes are kept beside the summary so that a reader words the entry in its own
    # language; the summary stays for readers that do not.
    entry = {
        "kind": "triaged",
        "summary": f"Diklasifikasikan {event.category}, prioritas {event.priority}",
        "category": event.category,
        "priority": event.priority,
        "needs_review": event.needs_review,
        "due_at": event.due_at,
    }
    if event.decided_by:
        # An officer's override: who decided, and why, as for their own actions.
        entry.update(actor=event.decided_by, reason=event.override_reason, override=True)
    fields = {f"triage.{k}": v for k, v in triage.items()}
    fields.update(queue_keys(event.due_at, event.priority))
    return entry, fields


def record_triaged(envelope: Envelope, event: CaseTriaged, cases: Cases) -> bool:
    """Triage's decision on the timeline and in the case's triage block."""
    return apply_event(cases, envelope, event.case_id, *triaged_change(event))


def assigned_change(event: CaseAssigned) -> Change:
    """The assignment on the timeline, and who holds the case in its triage block."""
    assignee = (
        {"officer_id": event.assignee.officer_id, "name": event.assignee.name}
        if event.assignee
        else None
    )
    who = event.assignee.name if event.assignee else "provinsi"
    entry: dict[str, Any] = {
        "kind": "assigned",
        "summary": f"Ditugaskan ke {who} ({event.unit})",
        "assignee_id": event.assignee.officer_id if event.assignee else None,
        "assignee_name": event.assignee.name if event.assignee else None,
        "unit": event.unit,
        "to_province": event.to_province,
    }
    # A resend (triage's reminder of an unacknowledged assignment) says which one it is.
    resend = ladder_steps.resend_count(event.reason)
    if resend is not None:
        entry["resend"] = resend
    fields = {
        "triage.unit": event.unit,
        "triage.assignee": assignee,
        "triage.to_province": event.to_province,
    }
    return entry, fields


def record_assigned(envelope: Envelope, event: CaseAssigned, cases: Cases) -> bool:
    """The assignment on the timeline, and who holds the case in its triage block."""
    return apply_event(cases, envelope, event.case_id, *assigned_change(event))


def escalated_change(event: CaseEscalated) -> Change:
    """An escalation step on the timeline."""
    entry = {"kind": "escalated", "summary": f"Eskalasi: {event.reason}", "step": event.step}
    return entry, None


def record_escalated(envelope: Envelope, event: CaseEscalated, cases: Cases) -> bool:
    """An escalation step on the timeline."""
    return apply_event(cases, envelope, event.case_id, *escalated_change(event))


def duplicate_detected_change(event: CaseDuplicateDetected) -> Change:
    """A possible duplicate or related case on the timeline."""
    entry = {
        "kind": "duplicate_detected",
        "summary": f"Kemungkinan {event.kind} dari kasus {event.duplicate_of}",
        "related_case": event.duplicate_of,
        "match": event.kind,
    }
    return entry, None


def record_duplicate_detected(
    envelope: Envelope, event: CaseDuplicateDetected, cases: Cases
) -> bool:
    """A possible duplicate or related case on the timeline."""
    return apply_event(cases, envelope, event.case_id, *duplicate_detected_change(event))


def notification_sent_change(event: NotificationSent) -> Change:
    """A sent alert on the timeline."""
    entry = {
        "kind": "notified",
        "summary": f"Pemberitahuan terkirim lewat {event.channel}",
        "channel": event.channel,
        "recipient_id": event.recipient_id,
    }
    return entry, None


def record_notification_sent(envelope: Envelope, event: NotificationSent, cases: Cases) -> bool:
    """A sent alert on the timeline; the case's first alert is measured from its submission."""
    entry, _ = notification_sent_change(event)
    # The update hands back what the latency metric needs: no second read of the case.
    case = applied_event(
        cases, envelope, event.case_id, entry, projection={"submitted_at": 1, "timeline.kind": 1}
    )
    if case is not None:
        observe_first_alert(case, event.sent_at, event.channel)
    return case is not None


def notification_failed_change(event: NotificationFailed) -> Change:
    """An alert that could not be delivered on the timeline."""
    entry = {
        "kind": "notification_failed",
        "summary": f"Pemberitahuan lewat {event.channel} gagal",
        "channel": event.channel,
        "recipient_id": event.recipient_id,
        "final": event.final,
    }
    return entry, None


def record_notification_failed(envelope: Envelope, event: NotificationFailed, cases: Cases) -> bool:
    """An alert that could not be delivered on the timeline."""
    return apply_event(cases, envelope, event.case_id, *notification_failed_change(event))


# Every entry, by event type: what the worker writes in batches.
CHANGES: dict[str, Callable[[Any], Change]] = {
    CaseTriaged.TYPE: triaged_change,
    CaseAssigned.TYPE: assigned_change,
    CaseEscalated.TYPE: escalated_change,
    CaseDuplicateDetected.TYPE: duplicate_detected_change,
    NotificationSent.TYPE: notification_sent_change,
    NotificationFailed.TYPE: notification_failed_change,
}


def apply_events(cases: Cases, items: Sequence[tuple[Envelope, Event]]) -> list[Exception | None]:
    """Apply several events of :data:`CHANGES` in one ordered bulk write (a case's events
    keep their order); for each, None when it is applied (now or before) or the error that
    says what to do with it.

    The bulk write's counts say only how many matched: when that is fewer than all, each
    event is checked on its case (a redelivered one is already there; a case that does not
    exist parks its event; one not applied is retried).

    The first alert of each case is measured once the whole batch is applied
    (:func:`_measure_first_alerts`). A batch that met an event already applied measures
    none of its alerts, since it cannot tell which were applied now: after a redelivery the
    histogram may miss a case, and never counts one twice."""
    errors: list[Exception | None] = [None] * len(items)
    writes: list[tuple[int, str, UpdateOne]] = []
    for n, (envelope, event) in enumerate(items):
        case_id = str(getattr(event, "case_id", ""))
        try:
            query, update = timeline_update(envelope, case_id, *CHANGES[envelope.type](event))
        except PermanentError as exc:
            errors[n] = exc
            continue
        writes.append((n, case_id, UpdateOne(query, update)))
    if not writes:
        return errors
    try:
        result = cases.bulk_write([w for _, _, w in writes], ordered=True)
        if result.modified_count == len(writes):
            try:
                _measure_first_alerts(cases, [items[n] for n, _, _ in writes])
            except PyMongoError as exc:
                # The entries are written: a lost measurement is no reason to retry them.
                log.warning("first alerts not measured", extra={"error": repr(exc)})
            return errors
    except BulkWriteError:
        log.warning("timeline batch stopped at a write error; checking each event")
    for n, case_id, _ in writes:
        errors[n] = _applied_or_why(cases, items[n][0], case_id)
    return errors


def _measure_first_alerts(cases: Cases, applied: Sequence[tuple[Envelope, Event]]) -> None:
    """Measure the sent alerts among ``applied`` that are their case's first (one read for
    them all): the pipeline's latency is how long an officer waits to hear of a new case."""
    sent = [(envelope, event) for envelope, event in applied if isinstance(event, NotificationSent)]
    if not sent:
        return
    ids = list({ObjectId(event.case_id) for _, event in sent})
    first: dict[str, tuple[str | None, datetime | None]] = {}
    for case in cases.find(
        {"_id": {"$in": ids}},
        {"submitted_at": 1, "timeline": {"$elemMatch": {"kind": "notified"}}},
    ):
        entries = case.get("timeline") or [{}]
        first[str(case["_id"])] = (entries[0].get("event_id"), case.get("submitted_at"))
    for envelope, event in sent:
        event_id, submitted = first.get(event.case_id, (None, None))
        if event_id == str(envelope.id) and submitted is not None:
            observe_pipeline_latency(submitted, event.sent_at, event.channel)


def _applied_or_why(cases: Cases, envelope: Envelope, case_id: str) -> Exception | None:
    mine = _mine(ObjectId(case_id), envelope)
    if cases.count_documents({**mine, "processed_events": str(envelope.id)}, limit=1):
        return None
    if cases.count_documents(mine, limit=1) == 0:
        return PermanentError(f"no case {case_id} in tenant {envelope.tenant}")
    return RuntimeError(f"event {envelope.id} was not applied to case {case_id}")


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
    query, update = timeline_update(envelope, case_id, entry, fields)
    oid = query["_id"]
    if projection is None:
        if cases.update_one(query, update).modified_count:
            return {"_id": oid}
    else:
        updated = cases.find_one_and_update(
            query, update, projection=projection, return_document=ReturnDocument.AFTER
        )
        if updated is not None:
            return updated
    if cases.count_documents(_mine(oid, envelope), limit=1) == 0:
        raise PermanentError(f"no case {case_id} in tenant {envelope.tenant}")
    return None


def timeline_update(
    envelope: Envelope, case_id: str, entry: dict[str, Any], fields: dict[str, Any] | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The query and update that add ``entry`` to the case's timeline and set ``fields``,
    once per envelope: the envelope's id is recorded in the same update, so a redelivered
    event matches nothing."""
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
    query = {**_mine(oid, envelope), "processed_events": {"$ne": str(envelope.id)}}
    update = {
        "$push": {"timeline": entry, "processed_events": str(envelope.id)},
        # $max: events may arrive out of order; the case was last updated by the newest.
        "$max": {"updated_at": envelope.occurred_at},
        **({"$set": fields} if fields else {}),
    }
    return query, update


def _mine(oid: ObjectId, envelope: Envelope) -> dict[str, Any]:
    # An event sent before the case moved to another region still belongs to it.
    return {"_id": oid, "$or": [{"tenant": envelope.tenant}, {"transfers.from": envelope.tenant}]}
