"""The sign-in log: what happened at the door, for auditors.

Every sign-in, failure, throttled attempt, second-factor step, link issued or spent, password
set and session ended is one entry, with the person (when known), the client's address and
browser, and who acted when it was someone else (a supervisor ending a session).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from services.intake.access.account_models import SignInLogEntry
from services.intake.access.sessions import Client


def log_event(
    event: str,
    now: datetime,
    *,
    officer: Mapping[str, Any] | None = None,
    client: Client | None = None,
    account_digest: str | None = None,
    by: Mapping[str, Any] | None = None,
    detail: str | None = None,
) -> None:
    """One line of the sign-in log."""
    SignInLogEntry._get_collection().insert_one(
        {
            "at": now,
            "event": event,
            "region": officer["region"] if officer else None,
            "officer_id": officer["_id"] if officer else None,
            "account_digest": account_digest,
            "address": client.address if client else None,
            "agent": ((client.agent or "")[:300] or None) if client else None,
            "by": dict(by) if by else None,
            "detail": detail,
        }
    )
