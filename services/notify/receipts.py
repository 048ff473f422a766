"""The receipt of a tracking code, sent to the address a citizen gave with their report.

Sent at most once per channel through the same ledger as officers' alerts (keyed by case,
event, ``reporter`` and channel), by e-mail and, when a gateway is configured, by SMS. The
ledger records that a receipt went out, never where to: the address would tell officers
reading the delivery history who a confidential reporter is. The address reaches notify
sealed (``shared/sealed_contacts.py``) and is opened here, in memory, for the send. A receipt
that cannot be delivered is recorded as failed and not parked (the reporter has the code on
their screen); one whose contact does not open (notify has no receipt key, or another one) is
parked, still sealed, for operators to send again once the key is right.
"""

from __future__ import annotations

import logging
from typing import Final

from services.notify.channels.base import Outgoing, PermanentDeliveryError
from services.notify.delivery import NotifyDeps
from services.notify.ledger import (
    DeliveryInProgress,
    attempt_entry,
    claim,
    notification_key,
    record,
)
from services.notify.metrics import NOTIFICATIONS
from services.notify.recipients import Profile
from services.notify.rendering import RenderError
from shared import correlation
from shared.broker.consumer import PermanentError
from shared.contracts import Envelope, NotificationSent, ReceiptRequested, new_envelope
from shared.sealed_contacts import Contact, SealError

log = logging.getLogger(__name__)

RECIPIENT: Final = "reporter"
# Channels that reach an address the reporter typed (chat reaches officers' own accounts).
CHANNELS: Final = ("email", "sms")


def track_url(deps: NotifyDeps, code: str) -> str:
    return f"{deps.console_url.rstrip('/')}/lacak/{code}"


def contact_of(event: ReceiptRequested, deps: NotifyDeps) -> Contact:
    """The reporter's contact, opened; PermanentError (parked, still sealed) if it cannot be."""
    if event.contact is None:  # written before contacts were sealed
        return Contact(email=event.email, phone=event.phone)
    if deps.receipts is None:
        raise PermanentError("a sealed receipt contact, and no PANTAU_RECEIPT_KEY to open it")
    try:
        return deps.receipts.open(event.contact, event.case_id)
    except SealError as exc:
        raise PermanentError(str(exc)) from exc


def handle(envelope: Envelope, event: ReceiptRequested, deps: NotifyDeps) -> None:
    """Send the receipt on every channel the reporter can be reached on, once each."""
    contact = contact_of(event, deps)
    profile = Profile(
        officer_id=RECIPIENT,
        name="Pelapor",
        email=contact.email,
        phone=contact.phone,
        language=event.language,
        tenant=envelope.tenant,
    )
    try:
        message = deps.renderer.render_receipt(
            event.tracking_code, event.language, track_url(deps, event.tracking_code)
        )
    except RenderError:
        NOTIFICATIONS.labels(channel="none", result="template_error").inc()
        log.exception("receipt cannot be rendered", extra={"case_id": event.case_id})
        return
    retry: Exception | None = None
    for channel in deps.channels:
        if channel.name not in CHANNELS or not channel.address_of(profile):
            continue
        key = notification_key(event.case_id, str(envelope.id), RECIPIENT, channel.name)
        now = deps.clock()
        fields = {
            "kind": "receipt",
            "case_id": event.case_id,
            "tenant": envelope.tenant,
            "correlation_id": envelope.correlation_id,
            "source_event_id": str(envelope.id),
            "event_type": envelope.type,
            "priority": "normal",
            "recipient_id": RECIPIENT,
            "recipient_name": "Pelapor",
            "channel": channel.name,
            "subject": message.subject,
        }
        try:
            claimed, _ = claim(deps.deliveries, key, fields, now, deps.lease)
        except DeliveryInProgress as exc:
            retry = retry or exc
            continue
        if not claimed:
            continue
        attempt = correlation.current_attempt()
        try:
            answer = channel.send(
                Outgoing(
                    key=key,
                    recipient=profile,
                    message=message,
                    correlation_id=envelope.correlation_id,
                )
            )
        except Exception as exc:
            final = isinstance(exc, PermanentDeliveryError) or attempt >= deps.max_attempts
            status = "failed" if final else "pending"
            # The class of the failure only: a server's words often quote the address.
            error = type(exc).__name__
            entry = attempt_entry(now, channel.name, status, error=error, attempt=attempt)
            record(deps.deliveries, key, status, entry, now)
            NOTIFICATIONS.labels(channel=channel.name, result=f"receipt_{status}").inc()
            log.warning("receipt not delivered", extra={"channel": channel.name, "final": final})
            if not final:
                retry = retry or exc
            continue
        sent = NotificationSent(
            case_id=event.case_id,
            notification_key=key,
            source_event_id=str(envelope.id),
            recipient_id=RECIPIENT,
            channel=channel.name,
            sent_at=now,
        )
        follow = new_envelope(
            sent, tenant=envelope.tenant, correlation_id=envelope.correlation_id, occurred_at=now
        )
        entry = attempt_entry(now, channel.name, "sent", answer=answer, attempt=attempt)
        record(deps.deliveries, key, "sent", entry, now, [follow])
        NOTIFICATIONS.labels(channel=channel.name, result="receipt_sent").inc()
    if retry is not None:
        # Another attempt through the broker's retry queues; what was sent is not sent again.
        raise retry
