"""Parked messages over a service's HTTP API: what an operator reads, and replaying one.

The CLI (``pantau parked``) reaches every parking queue through the broker; an operator at the
console has only the services' APIs, so each consuming service answers for its own parking
queue with these helpers (notify adds its parked digests in its own module). The queue is read
without removing anything (``shared.broker.parking``); an operator sees the messages of their
area, and those without a tenant (a body that is no envelope), as notify's list does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from flask import current_app
from pydantic import AwareDatetime, BaseModel, Field

from shared.auth import Principal
from shared.broker import topology
from shared.broker.connection import CONNECTION_ERRORS, open_connection
from shared.broker.parking import ParkedMessage, ParkingError, ParkingQueue
from shared.paging import LimitQuery, limit_field
from shared.problems import Problem
from shared.settings import Settings

MAX_PARKED: Final = 500
_DECLARED: Final = "pantau.parking_declared"


class ParkedQuery(LimitQuery):
    """A parking queue is read in one page: a queue has no stable position to resume from."""

    limit: int = limit_field(100, MAX_PARKED)


class ParkedEvent(BaseModel):
    """A message the worker gave up on, waiting in the service's parking queue."""

    id: str = Field(description="The envelope id, or sha-<hash> of a body that has none")
    type: str | None
    tenant: str | None
    case_id: str | None
    reason: str = Field(description="Why it was parked, as the worker or the broker said")
    parked_at: AwareDatetime | None
    attempts: int
    correlation_id: str | None


class ParkedEvents(BaseModel):
    parked: list[ParkedEvent]
    queue_depth: int = Field(description="Every message in the queue, of any area")


class ReplayedEvent(BaseModel):
    replayed: ParkedEvent


def parking_queue(service: str) -> ParkingQueue:
    """The service's parking queue, its topology declared first on a broker where no worker
    has run yet: an absent queue means nothing is parked, not an error."""
    settings: Settings = current_app.config["PANTAU_SETTINGS"]
    if not current_app.extensions.get(_DECLARED):
        try:
            connection = open_connection(settings.amqp_url, name=f"{service}-declare")
            try:
                topology.declare(connection.channel(), settings)
            finally:
                connection.close()
        except CONNECTION_ERRORS as exc:
            raise Problem(503, "The broker cannot be reached; try again shortly.") from exc
        current_app.extensions[_DECLARED] = True
    return ParkingQueue(settings, service)


def visible(principal: Principal, message: ParkedMessage) -> bool:
    """Whether ``principal`` may see ``message`` (one without a tenant: every operator)."""
    return message.tenant is None or principal.can_see(message.tenant)


def event_json(message: ParkedMessage) -> dict[str, Any]:
    """A parked message as the API shows it (no body: it may hold personal data)."""
    parked_at: datetime | None = message.parked_at
    return {
        "id": message.id,
        "type": message.type,
        "tenant": message.tenant,
        "case_id": message.case_id,
        "reason": message.reason,
        "parked_at": parked_at.isoformat() if parked_at else None,
        "attempts": message.attempts,
        "correlation_id": message.correlation_id,
    }


def listing(service: str, principal: Principal, limit: int) -> dict[str, Any]:
    """The parked messages ``principal`` may see (oldest first, at most ``limit``) and the
    queue's whole depth."""
    parking = parking_queue(service)
    try:
        depth = parking.depth()
        messages = [m for m in parking.browse() if visible(principal, m)][:limit]
    except ParkingError as exc:
        raise Problem(503, f"The parking queue cannot be read: {exc}") from exc
    return {"parked": [event_json(m) for m in messages], "queue_depth": depth}


def replay(service: str, principal: Principal, ident: str) -> dict[str, Any]:
    """Send one parked message back to the service's queue, attempts counted afresh."""
    parking = parking_queue(service)
    try:
        found = parking.find(ident)
        if found is None or not visible(principal, found):
            raise Problem(404, f"No parked message {ident}.")
        replayed = parking.replay([ident], f"{principal.name} ({principal.key_prefix})")
    except ParkingError as exc:
        raise Problem(503, f"The parking queue cannot be used: {exc}") from exc
    if not replayed:
        # Another operator replayed or purged it between the look and the replay.
        raise Problem(404, f"No parked message {ident}.")
    return {"replayed": event_json(replayed[0])}
