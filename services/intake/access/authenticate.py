"""Who a bearer token belongs to: an API key or a person's console session."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from services.intake.access import keys, sessions
from services.intake.access.sessions import Lifetimes
from services.intake.access.sign_in_log import log_event
from shared.auth import Principal


def make_authenticator(lifetimes: Lifetimes) -> Callable[[str], Principal | None]:
    """The authenticator intake's app uses for every request."""

    def authenticate(token: str) -> Principal | None:
        if sessions.is_session_token(token):
            return sessions.authenticate(token, lifetimes, datetime.now(UTC), _log_expired)
        return keys.authenticate(token)

    return authenticate


def _log_expired(doc: dict[str, Any], limit: str) -> None:
    person = {"_id": doc["officer_id"], "region": doc["region"]}
    log_event("session_expired", datetime.now(UTC), officer=person, detail=limit)
