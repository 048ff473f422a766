"""Mailing a person their one-time sign-in link (an invitation, a password reset), once.

Intake issues the link and its ``account.link_issued`` event in one write; this sends the
mail through the same ledger as alerts (claimed before sending, every attempt recorded), so a
redelivered event does not mail the link twice. The ledger keeps who, when and the subject,
never the link: it is a password in all but name for its 30 minutes. A link that expired
before it could be sent is not mailed (it would only lead to an "expired" page); the person
asks for a new one. No ``notification.sent`` follows: there is no case to put it on.
"""

from __future__ import annotations

import logging
from typing import Any

from services.notify.channels.base import (
    Outgoing,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from services.notify.delivery import NotifyDeps
from services.notify.ledger import attempt_entry, claim, insert_final, notification_key, record
from services.notify.metrics import NOTIFICATIONS
from services.notify.recipients import Profile
from services.notify.rendering import RenderError
from shared import correlation
from shared.broker.consumer import PermanentError
from shared.contracts import Envelope, SignInLinkIssued

log = logging.getLogger(__name__)

KIND = "sign_in_link"
CHANNEL = "email"


def link_key(envelope: Envelope, event: SignInLinkIssued) -> str:
    """The ledger key of the link's mail: one per issued link and person."""
    return notification_key(KIND, str(envelope.id), event.officer_id, CHANNEL)


def _fields(envelope: Envelope, event: SignInLinkIssued) -> dict[str, Any]:
    return {
        "kind": KIND,
        "case_id": None,
        "tenant": envelope.tenant,
        "correlation_id": envelope.correlation_id,
        "source_event_id": str(envelope.id),
        "event_type": envelope.type,
        "purpose": event.purpose,
        "recipient_id": event.officer_id,
        "recipient_name": event.recipient.name,
        "channel": CHANNEL,
    }


def handle_link_issued(envelope: Envelope, event: SignInLinkIssued, deps: NotifyDeps) -> None:
    """Mail the link to its person unless the ledger says it was mailed already."""
    now = deps.clock()
    key = link_key(envelope, event)
    fields = _fields(envelope, event)
    channel = deps.channel(CHANNEL)
    if channel is None or not event.recipient.email:
        reason = "no e-mail channel" if channel is None else "the person has no e-mail address"
        entry = attempt_entry(now, CHANNEL, "failed", error=reason)
        if insert_final(deps.deliveries, key, {**fields, "reason": reason}, "failed", entry, now):
            NOTIFICATIONS.labels(channel=CHANNEL, result="failed").inc()
            log.warning("sign-in link cannot be mailed", extra={"reason": reason})
        return
    if event.expires_at <= now:
        reason = "the link expired before it could be mailed"
        entry = attempt_entry(now, CHANNEL, "skipped", answer=reason)
        if insert_final(deps.deliveries, key, {**fields, "reason": reason}, "skipped", entry, now):
            NOTIFICATIONS.labels(channel=CHANNEL, result="skipped").inc()
        return
    profile = Profile(
        officer_id=event.officer_id,
        name=event.recipient.name,
        email=event.recipient.email,
        language=event.recipient.language,
        timezone=event.recipient.timezone,
        tenant=envelope.tenant,
    )
    try:
        message = deps.renderer.render_link(event, profile)
    except RenderError as exc:
        raise PermanentError(str(exc)) from exc
    claimed, _status = claim(
        deps.deliveries, key, {**fields, "subject": message.subject}, now, deps.lease
    )
    if not claimed:
        NOTIFICATIONS.labels(channel=CHANNEL, result="duplicate").inc()
        return
    attempt = correlation.current_attempt()
    try:
        answer = channel.send(
            Outgoing(
                key=key, recipient=profile, message=message, correlation_id=envelope.correlation_id
            )
        )
    except PermanentDeliveryError as exc:
        entry = attempt_entry(now, CHANNEL, "failed", error=str(exc), attempt=attempt)
        record(deps.deliveries, key, "failed", entry, now, extra={"reason": str(exc)[:300]})
        NOTIFICATIONS.labels(channel=CHANNEL, result="failed").inc()
        log.warning("sign-in link refused by the mail server", extra={"error": str(exc)})
        return
    except Exception as exc:
        # Retried through the broker with growing delay, parked after the last attempt.
        parked = attempt >= deps.max_attempts
        result = "parked" if parked else "retry"
        entry = attempt_entry(now, CHANNEL, result, error=str(exc), attempt=attempt)
        record(deps.deliveries, key, "parked" if parked else "pending", entry, now)
        NOTIFICATIONS.labels(channel=CHANNEL, result=result).inc()
        if isinstance(exc, TransientDeliveryError):
            raise
        raise TransientDeliveryError(repr(exc)) from exc
    entry = attempt_entry(now, CHANNEL, "sent", answer=answer, attempt=attempt)
    record(deps.deliveries, key, "sent", entry, now)
    NOTIFICATIONS.labels(channel=CHANNEL, result="sent").inc()
