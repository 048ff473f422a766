"""Intake's handler for each event type it subscribes to (``SUBSCRIPTIONS["intake"]``).

Every one records what triage or notify did on the case's timeline (``cases/timeline.py``).
The worker writes them in batches (:func:`worker_table`); the table of single handlers says the
same thing one event at a time.
"""

from __future__ import annotations

from collections.abc import Sequence

from services.intake.cases.timeline import (
    CHANGES,
    Cases,
    apply_events,
    record_assigned,
    record_duplicate_detected,
    record_escalated,
    record_notification_failed,
    record_notification_sent,
    record_triaged,
)
from shared.broker.consumer import Batch, Handler, handler_table, handles
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


def event_handlers(cases: Cases) -> dict[str, Handler]:
    """The table the worker consumes with, bound to intake's cases collection."""
    return handler_table(
        handles(CaseTriaged, record_triaged, cases),
        handles(CaseAssigned, record_assigned, cases),
        handles(CaseEscalated, record_escalated, cases),
        handles(CaseDuplicateDetected, record_duplicate_detected, cases),
        handles(NotificationSent, record_notification_sent, cases),
        handles(NotificationFailed, record_notification_failed, cases),
    )


def worker_table(cases: Cases) -> tuple[dict[str, Handler], Batch]:
    """What the worker consumes with: every timeline entry in batches (the single handlers
    of types not batched, should there be any, one by one)."""

    def batch(items: Sequence[tuple[Envelope, Event]]) -> list[Exception | None]:
        return apply_events(cases, items)

    single = {t: h for t, h in event_handlers(cases).items() if t not in CHANGES}
    return single, Batch(frozenset(CHANGES), batch)
