"""Issuing one-time links to people: stored with the event that mails them, in one write.

The link document carries its ``account.link_issued`` event in its own outbox (as a case
carries ``case.submitted``), so a link is mailed exactly when it exists; the intake worker
relays it and notify sends the mail. The relay removes the event once published, so the
token itself stays in the database only for the seconds before it is mailed.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from services.intake.access import links
from services.intake.access.links import Purpose
from services.intake.access.sign_in_log import log_event
from services.intake.directory.officers import as_recipient
from shared import outbox
from shared.contracts import SignInLinkIssued, new_envelope


def issue_link(
    officer: Mapping[str, Any],
    purpose: Purpose,
    *,
    issued_by: Mapping[str, Any],
    console_url: str,
    now: datetime,
    send: bool,
    correlation_id: str | None = None,
) -> str:
    """Issue a link for ``officer`` (voiding their older ones) and return its URL; ``send``
    also has it e-mailed to them."""
    links.void_older(str(officer["_id"]), now)
    token, doc = links.new_link(officer, purpose, issued_by, now)
    url = links.url(console_url, token)
    if send:
        event = SignInLinkIssued(
            officer_id=str(officer["_id"]),
            recipient=as_recipient(dict(officer)),
            purpose=purpose,
            url=url,
            expires_at=doc["expires_at"],
            invited_by=_inviter(purpose, issued_by),
        )
        envelope = new_envelope(
            event,
            tenant=officer["region"],
            correlation_id=correlation_id or f"link-{uuid.uuid4().hex}",
            occurred_at=now,
        )
        doc.update(outbox.fields([envelope], now))
    links.collection().insert_one(doc)
    log_event(f"{purpose}_issued", now, officer=officer, by=issued_by)
    return url


def _inviter(purpose: Purpose, issued_by: Mapping[str, Any]) -> str | None:
    """The name an invitation mail gives as its sender; a reset is asked for by the person."""
    if purpose != "invitation" or issued_by.get("role") == "self":
        return None
    name = str(issued_by.get("name") or "").strip()
    return name or None
