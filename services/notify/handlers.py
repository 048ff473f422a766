"""Notify's handler for each event type it subscribes to (``SUBSCRIPTIONS["notify"]``).

Assignments, escalations and reassignments become alerts (``delivery``); the directory's
changes update the recipients (``directory_sync``); one-time sign-in links are mailed
(``sign_in_links``).
"""

from __future__ import annotations

from services.notify import delivery
from services.notify.delivery import NotifyDeps
from services.notify.directory_sync import apply_officer_changed
from services.notify.sign_in_links import handle_link_issued
from shared.broker.consumer import Handler, handler_table, handles
from shared.contracts import (
    CaseAssigned,
    CaseEscalated,
    CaseReassigned,
    CaseStatusChanged,
    Envelope,
    OfficerChanged,
    SignInLinkIssued,
)


def handle_officer_changed(envelope: Envelope, event: OfficerChanged, deps: NotifyDeps) -> bool:
    """Take the directory's contact data for the officer; False when the event is older."""
    return apply_officer_changed(deps.recipients, event, deps.clock())


def handle_status_changed(envelope: Envelope, event: CaseStatusChanged, deps: NotifyDeps) -> None:
    """Nothing yet: a status change alerts nobody, and intake records it on the timeline."""


def event_handlers(deps: NotifyDeps) -> dict[str, Handler]:
    """The table the worker consumes with, bound to notify's dependencies."""
    return handler_table(
        handles(CaseAssigned, delivery.handle, deps),
        handles(CaseEscalated, delivery.handle, deps),
        handles(CaseReassigned, delivery.handle, deps),
        handles(CaseStatusChanged, handle_status_changed, deps),
        handles(OfficerChanged, handle_officer_changed, deps),
        handles(SignInLinkIssued, handle_link_issued, deps),
    )
