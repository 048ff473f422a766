"""Notify's handler for each event type it subscribes to (``SUBSCRIPTIONS["notify"]``).

Assignments, escalations, reassignments, moved deadlines and reporters' answers become alerts
(``delivery``); receipts of tracking codes go to the citizens who asked (``receipts``); the
directory's changes update the recipients (``directory_sync``); a person's one-time sign-in
link is mailed to them (``sign_in_links``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from services.notify import delivery, receipts
from services.notify.alert_batches import handle_alerts
from services.notify.delivery import NotifyDeps
from services.notify.directory_sync import apply_officer_changed
from services.notify.recipients import Profile, load
from services.notify.sign_in_links import handle_link_issued
from shared.broker.consumer import Batch, Handler, handler_table, handles
from shared.contracts import (
    CaseAssigned,
    CaseDeadlineMoved,
    CaseEscalated,
    CaseInformationReceived,
    CaseReassigned,
    CaseStatusChanged,
    Envelope,
    Event,
    OfficerChanged,
    ReceiptRequested,
    Recipient,
    SignInLinkIssued,
)


def handle_officer_changed(envelope: Envelope, event: OfficerChanged, deps: NotifyDeps) -> bool:
    """Take the directory's contact data for the officer; False when the event is older."""
    applied = apply_officer_changed(deps.recipients, event, deps.clock())
    if applied:
        deps.profiles.forget(event.officer_id)  # the next alert reads the new contact data
    return applied


def handle_status_changed(envelope: Envelope, event: CaseStatusChanged, deps: NotifyDeps) -> None:
    """Nothing yet: a status change alerts nobody, and intake records it on the timeline."""


def handle_information_received(
    envelope: Envelope, event: CaseInformationReceived, deps: NotifyDeps
) -> None:
    """Alert the case's officer that the reporter answered, linking to the console's case
    page, where the answer is (the alert does not carry it)."""
    base = deps.console_url.rstrip("/")
    to_console = replace(deps, case_url=lambda case_id: f"{base}/kasus/{case_id}")
    if event.recipient is None and event.officer_id:
        # An officer of triage's roster whom intake's directory does not list: notify knows
        # their contact from the assignment it alerted them of.
        known = load(deps.recipients, event.officer_id)
        if known is not None:
            event = event.model_copy(update={"recipient": as_recipient(known)})
    delivery.handle(envelope, event, to_console)


def as_recipient(profile: Profile) -> Recipient:
    """A stored profile as the contact an event names."""
    return Recipient(
        officer_id=profile.officer_id,
        name=profile.name,
        email=profile.email,
        phone=profile.phone,
        language="en" if profile.language == "en" else "id",
        timezone=profile.timezone,
    )


def event_handlers(deps: NotifyDeps) -> dict[str, Handler]:
    """The table the worker consumes with, bound to notify's dependencies."""
    return handler_table(
        handles(CaseAssigned, delivery.handle, deps),
        handles(CaseEscalated, delivery.handle, deps),
        handles(CaseReassigned, delivery.handle, deps),
        handles(CaseDeadlineMoved, delivery.handle, deps),
        handles(CaseInformationReceived, handle_information_received, deps),
        handles(ReceiptRequested, receipts.handle, deps),
        handles(CaseStatusChanged, handle_status_changed, deps),
        handles(OfficerChanged, handle_officer_changed, deps),
        handles(SignInLinkIssued, handle_link_issued, deps),
    )


# The alerts: handled in batches, their records written together (``alert_batches``).
ALERTS = frozenset(
    {
        CaseAssigned.TYPE,
        CaseEscalated.TYPE,
        CaseReassigned.TYPE,
        CaseDeadlineMoved.TYPE,
        CaseInformationReceived.TYPE,
    }
)


def worker_table(deps: NotifyDeps) -> tuple[dict[str, Handler], Batch]:
    """What the worker consumes with: the alerts in batches, the rest one by one."""

    def batch(items: Sequence[tuple[Envelope, Event]]) -> list[Exception | None]:
        return handle_alerts(items, deps, event_handlers)

    single = {t: h for t, h in event_handlers(deps).items() if t not in ALERTS}
    return single, Batch(ALERTS, batch)
