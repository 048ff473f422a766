"""Intake's handler for each event type it subscribes to (``SUBSCRIPTIONS["intake"]``).

Every one records what triage or notify did on the case's timeline (``cases/timeline.py``).
"""

from __future__ import annotations

from services.intake.cases.timeline import (
    Cases,
    record_assigned,
    record_duplicate_detected,
    record_escalated,
    record_notification_failed,
    record_notification_sent,
    record_triaged,
)
from shared.broker.consumer import Handler, handler_table, handles
from shared.contracts import (
    CaseAssigned,
    CaseDuplicateDetected,
    CaseEscalated,
    CaseTriaged,
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
