"""Mailing one-time sign-in links (``account.link_issued``): an invitation or a password reset.

A link is unlike an alert. It goes by e-mail only (an SMS or a chat history would keep a
working credential where others read it), at once (no quiet hours, no rate limit: it lives
30 minutes), and exactly once, through the same ledger claim as alerts, keyed by the event.
The link itself is kept nowhere: the ledger records that a link was mailed, to whom and for
what, never its address, and no log line or metric carries it. A link whose 30 minutes ran
out before it could be sent (the mail server was down) is not sent at all: it no longer works.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from services.notify.channels.base import Outgoing, PermanentDeliveryError, TransientDeliveryError
from services.notify.delivery import NotifyDeps
from services.notify.ledger import attempt_entry, claim, insert_final, record
from services.notify.metrics import NOTIFICATIONS
from services.notify.recipients import Profile
from services.notify.rendering import RenderError
from shared import correlation
from shared.broker.consumer import PermanentError
from shared.contracts import Envelope, SignInLinkIssued

log = logging.getLogger(__name__)

Document = dict[str, Any]
CHANNEL = "email"


def link_key(event_id: str, officer_id: str) -> str:
    """The ledger key of one link mail: one per issued link (its event) and person."""
    return hashlib.sha256(f"sign-in-link|{event_id}|{officer_id}".encode()).hexdigest()[:40]


def _fields(envelope: Envelope, event: SignInLinkIssued, profile: Profile) -> Document:
    # Deliberately without the link: the ledger says a link was mailed, never which.
    return {
        "kind": "sign_in_link",
        "case_id": None,
        "purpose": event.purpose,
        "tenant": envelope.tenant,
        "correlation_id": envelope.correlation_id,
        "source_event_id": str(envelope.id),
        "event_type": envelope.type,
        "recipient_id": profile.officer_id,
        "recipient_name": profile.name,
        "channel": CHANNEL,
        "expires_at": event.expires_at,
    }


def handle_link_issued(envelope: Envelope, event: SignInLinkIssued, deps: NotifyDeps) -> str:
    """Mail the link once; what happened (sent, duplicate, expired, no_address, failed).

    A passing failure of the mail server is raised, so the broker retries the event.
    """
    recipient = event.recipient
    profile = Profile(
        officer_id=recipient.officer_id,
        name=recipient.name,
        email=recipient.email,
        language=recipient.language,
        timezone=recipient.timezone,
        tenant=envelope.tenant,
    )
    key = link_key(str(envelope.id), profile.officer_id)
    now = deps.clock()
    fields = _fields(envelope, event, profile)
    channel = deps.channel(CHANNEL)
    if channel is None or not channel.address_of(profile):
        entry = attempt_entry(now, CHANNEL, "failed", error="no e-mail address")
        insert_final(deps.deliveries, key, fields, "failed", entry, now)
        NOTIFICATIONS.labels(channel=CHANNEL, result="link_no_address").inc()
        log.warning(
            "sign-in link for a person without e-mail", extra={"recipient": profile.officer_id}
        )
        return "no_address"
    if event.expires_at <= now:
        entry = attempt_entry(now, CHANNEL, "skipped", answer="expired before it could be sent")
        insert_final(deps.deliveries, key, fields, "skipped", entry, now)
        NOTIFICATIONS.labels(channel=CHANNEL, result="link_expired").inc()
        return "expired"
    try:
        message = deps.renderer.render_link(event, profile)
    except RenderError as exc:
        NOTIFICATIONS.labels(channel=CHANNEL, result="template_error").inc()
        raise PermanentError(str(exc)) from exc
    claimed, _ = claim(
        deps.deliveries, key, {**fields, "subject": message.subject}, now, deps.lease
    )
    if not claimed:
        NOTIFICATIONS.labels(channel=CHANNEL, result="duplicate").inc()
        return "duplicate"
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
    except PermanentDeliveryError as exc:
        entry = attempt_entry(now, CHANNEL, "failed", error=str(exc), attempt=attempt)
        record(deps.deliveries, key, "failed", entry, now, extra={"reason": str(exc)[:300]})
        NOTIFICATIONS.labels(channel=CHANNEL, result="link_failed").inc()
        log.warning("sign-in link refused for good", extra={"error": str(exc)[:300]})
        return "failed"
    except Exception as exc:
        error = (
            exc if isinstance(exc, TransientDeliveryError) else TransientDeliveryError(repr(exc))
        )
        final = attempt >= deps.max_attempts
        entry = attempt_entry(
            now, CHANNEL, "parked" if final else "retry", error=str(error), attempt=attempt
        )
        record(deps.deliveries, key, "parked" if final else "pending", entry, now)
        NOTIFICATIONS.labels(channel=CHANNEL, result="link_parked" if final else "retry").inc()
        raise error from exc
    entry = attempt_entry(now, CHANNEL, "sent", answer=answer, attempt=attempt)
    record(deps.deliveries, key, "sent", entry, now)
    NOTIFICATIONS.labels(channel=CHANNEL, result="link_sent").inc()
    return "sent"
