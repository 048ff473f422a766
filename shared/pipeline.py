"""What a service tells its operators about its pipeline: the events waiting in its outbox and
the broker's queues (ready messages and consumers), read live within a short time limit.

The console's health page asks every service for this over HTTP, so it needs neither the
workers' addresses nor a way into a database or the broker. A worker's health shows in what
the broker says of its queue (is anyone consuming it?), and every service reports every
consuming queue, as the workers' queue monitors do: the queues stay visible while one
service's HTTP app is down. The answer holds counts and queue names only, never an event.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final, Literal

import pymongo
from pydantic import AwareDatetime, BaseModel, Field
from pymongo.collection import Collection
from pymongo.errors import PyMongoError

from shared import dates
from shared.broker import topology
from shared.broker.connection import CONNECTION_ERRORS
from shared.settings import Settings
from shared.worker_health import read_levels, short_connection

log = logging.getLogger(__name__)

# Each part gives up after this long, so the whole answer stays within a prober's patience.
CHECK_TIMEOUT_S: Final = 2.0

QueueKind = Literal["main", "retry", "parking"]


class OutboxState(BaseModel):
    """The service's own events not yet handed to the broker."""

    backlog: int = Field(description="Documents holding events not yet published")
    oldest_age_seconds: float | None = Field(
        description="Age of the oldest unpublished event; null when none waits"
    )


class QueueState(BaseModel):
    """One consuming queue as the broker answered."""

    name: str
    service: str = Field(description="The service that consumes it")
    kind: QueueKind
    declared: bool = Field(description="False: the broker has no such queue")
    messages: int | None = Field(description="Messages ready (null when not declared)")
    consumers: int | None = Field(description="Consumers attached (null when not declared)")


class PipelineState(BaseModel):
    """A service's outbox and every consuming queue, as read just now."""

    service: str
    checked_at: AwareDatetime
    outbox: OutboxState | None = Field(
        description="null when the service's database did not answer in time"
    )
    queues: list[QueueState] | None = Field(
        description="Every consuming service's queues; null when the broker did not answer"
    )


def outbox_state(
    collections: Sequence[Collection[dict[str, Any]]],
    now: datetime,
    timeout_s: float = CHECK_TIMEOUT_S,
) -> OutboxState | None:
    """How many documents of ``collections`` hold unpublished events, and the oldest's age;
    None when the database does not answer within ``timeout_s``."""
    backlog = 0
    oldest: datetime | None = None
    try:
        with pymongo.timeout(timeout_s):
            for collection in collections:
                backlog += collection.count_documents({"outbox_pending": True})
                first = collection.find_one(
                    {"outbox_pending": True}, {"outbox_since": 1}, sort=[("outbox_since", 1)]
                )
                since = first.get("outbox_since") if first else None
                if isinstance(since, datetime):
                    since = dates.aware(since)
                    oldest = since if oldest is None else min(oldest, since)
    except PyMongoError as exc:
        log.warning("cannot read the outbox backlog", extra={"error": repr(exc)})
        return None
    age = max((now - oldest).total_seconds(), 0.0) if oldest else None
    return OutboxState(backlog=backlog, oldest_age_seconds=age)


def queue_states(
    settings: Settings, *, name: str, timeout_s: float = CHECK_TIMEOUT_S
) -> list[QueueState] | None:
    """Every consuming queue's level, or None when the broker does not answer in time."""
    specs = [
        (topo.service, _kind(topo, spec.name), spec.name)
        for topo in topology.all_topologies(settings)
        for spec in topo.queues()
    ]
    try:
        connection = short_connection(settings.amqp_url, name=name, timeout=timeout_s)
    except CONNECTION_ERRORS as exc:
        log.warning("cannot read queue levels", extra={"error": repr(exc)})
        return None
    try:
        levels = read_levels(connection, [queue for _, _, queue in specs])
    except CONNECTION_ERRORS as exc:
        log.warning("cannot read queue levels", extra={"error": repr(exc)})
        return None
    finally:
        if connection.is_open:
            with contextlib.suppress(*CONNECTION_ERRORS):
                connection.close()
    states = []
    for service, kind, queue in specs:
        level = levels.get(queue)
        states.append(
            QueueState(
                name=queue,
                service=service,
                kind=kind,
                declared=level is not None,
                messages=level.messages if level else None,
                consumers=level.consumers if level else None,
            )
        )
    return states


def pipeline_state(
    service: str,
    settings: Settings,
    collections: Sequence[Collection[dict[str, Any]]],
) -> PipelineState:
    """The service's outbox and the broker's queues, each judged on its own."""
    now = datetime.now(UTC)
    return PipelineState(
        service=service,
        checked_at=now,
        outbox=outbox_state(collections, now),
        queues=queue_states(settings, name=f"{service}-pipeline"),
    )


def _kind(topo: topology.ConsumerTopology, queue: str) -> QueueKind:
    if queue == topo.queue:
        return "main"
    if queue == topo.parking_queue:
        return "parking"
    return "retry"
