"""Operator tools over a service's parking queue: look, explain, replay, purge.

Parked messages are read through the broker itself, never copied elsewhere. Looking takes the
messages without acknowledging them and returns them all at once (nack with requeue), so
nothing is removed by reading. Replaying copies a message to the service's main queue with its
attempt count reset (publisher-confirmed, mandatory) and only then acknowledges the parked copy:
a failure in between leaves a copy in both places, which the idempotent handlers recognise,
never none. Purging acknowledges exactly the messages named (the ones an operator confirmed),
so a message parked after the listing is never dropped unseen.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pika
import pika.exceptions
from pika.spec import BasicProperties

from shared import dates
from shared.broker import topology
from shared.broker.connection import CONNECTION_ERRORS, open_connection
from shared.broker.consumer import ATTEMPT_HEADER, DEFERRALS_HEADER, PARK_REASON_HEADER
from shared.settings import Settings

PARKED_AT_HEADER = "x-pantau-parked-at"
REPLAYED_BY_HEADER = "x-pantau-replayed-by"
REPLAYED_AT_HEADER = "x-pantau-replayed-at"
# Headers that describe the message's failed past; a replay starts it afresh without them.
_HISTORY_HEADERS = (
    ATTEMPT_HEADER,
    DEFERRALS_HEADER,
    PARK_REASON_HEADER,
    PARKED_AT_HEADER,
    "x-death",
    "x-first-death-exchange",
    "x-first-death-queue",
    "x-first-death-reason",
    "x-last-death-exchange",
    "x-last-death-queue",
    "x-last-death-reason",
    "x-delivery-count",
)


class ParkingError(Exception):
    """The parking queue cannot be used (broker unreachable, queue missing)."""


# How long a look waits for the messages it gave back to be ready again (normally a few ms).
RETURN_WAIT_S = 3.0


@dataclass(frozen=True)
class ParkedMessage:
    """One parked message, as an operator needs to see it."""

    service: str
    id: str
    type: str | None
    tenant: str | None
    case_id: str | None
    correlation_id: str | None
    reason: str
    parked_at: datetime | None
    attempts: int
    headers: dict[str, Any] = field(repr=False)
    body: bytes = field(repr=False)

    def envelope(self) -> dict[str, Any] | None:
        """The body as JSON, if it is JSON at all (a malformed message may not be)."""
        try:
            loaded = json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            return None
        return loaded if isinstance(loaded, dict) else None


def message_id(properties: BasicProperties, body: bytes) -> str:
    """How an operator names a parked message: its envelope id, or a hash of a body that has
    none (a malformed message)."""
    return str(properties.message_id or "sha-" + hashlib.sha256(body).hexdigest()[:24])


def describe(service: str, properties: BasicProperties, body: bytes) -> ParkedMessage:
    """What a parked message is and why it was parked, from its headers and envelope."""
    headers: dict[str, Any] = dict(properties.headers or {})
    envelope: dict[str, Any] = {}
    with contextlib.suppress(ValueError, UnicodeDecodeError):
        loaded = json.loads(body)
        if isinstance(loaded, dict):
            envelope = loaded
    data = envelope.get("data")
    data = data if isinstance(data, dict) else {}
    return ParkedMessage(
        service=service,
        id=message_id(properties, body),
        type=_text(envelope.get("type")) or _text(properties.type),
        tenant=_text(envelope.get("tenant")),
        case_id=_text(data.get("case_id")),
        correlation_id=_text(envelope.get("correlation_id")) or _text(properties.correlation_id),
        reason=_reason(headers),
        parked_at=_parked_at(headers),
        attempts=_int(headers.get(ATTEMPT_HEADER), 1),
        headers=headers,
        body=body,
    )


def _reason(headers: dict[str, Any]) -> str:
    reason = headers.get(PARK_REASON_HEADER)
    if reason:
        return reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
    # Dead-lettered by the broker itself: the queue's delivery limit was reached (a message
    # that kept killing its worker) or the message was rejected without requeue.
    deaths = headers.get("x-death")
    if isinstance(deaths, list) and deaths and isinstance(deaths[0], dict):
        death = deaths[0]
        return (
            f"dead-lettered by the broker: {_text(death.get('reason')) or 'unknown'} "
            f"(from {_text(death.get('queue')) or 'unknown queue'})"
        )
    return "unknown (no reason recorded)"


def _parked_at(headers: dict[str, Any]) -> datetime | None:
    value = headers.get(PARKED_AT_HEADER)
    if isinstance(value, int):
        return datetime.fromtimestamp(value, UTC)
    deaths = headers.get("x-death")
    if isinstance(deaths, list) and deaths and isinstance(deaths[0], dict):
        when = deaths[0].get("time")
        if isinstance(when, datetime):
            return dates.aware(when)
    return None


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return value if isinstance(value, str) and value else None


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _fresh(properties: BasicProperties, actor: str) -> pika.BasicProperties:
    """The parked message's properties with its failed past removed and the replay noted."""
    headers = {k: v for k, v in dict(properties.headers or {}).items() if k not in _HISTORY_HEADERS}
    headers[REPLAYED_BY_HEADER] = actor[:200]
    headers[REPLAYED_AT_HEADER] = int(time.time())
    return pika.BasicProperties(
        content_type=properties.content_type,
        delivery_mode=pika.DeliveryMode.Persistent,
        message_id=properties.message_id,
        correlation_id=properties.correlation_id,
        type=properties.type,
        headers=headers,
    )


Decision = Callable[[ParkedMessage], bool]


class ParkingQueue:
    """The parking queue of one consuming service; one short-lived connection per call."""

    def __init__(self, settings: Settings, service: str) -> None:
        self.settings = settings
        self.service = service
        self.topology = topology.consumer_topology(settings, service)

    @property
    def name(self) -> str:
        return self.topology.parking_queue

    def depth(self) -> int:
        """How many messages wait in the parking queue."""
        with self._channel() as channel:
            return self._depth(channel)

    def browse(self, limit: int | None = None) -> list[ParkedMessage]:
        """The parked messages, oldest first (up to ``limit``); none is removed."""
        return self._scan(lambda _: False, limit=limit)[0]

    def find(self, ident: str) -> ParkedMessage | None:
        """The parked message named ``ident``, if it is there."""
        found = [m for m in self.browse() if m.id == ident]
        return found[0] if found else None

    def replay(self, ids: Collection[str] | None, actor: str) -> list[ParkedMessage]:
        """Send the named parked messages (all if ``ids`` is None) back to the main queue."""
        return self._scan(_named(ids), replay_as=actor)[1]

    def purge(self, ids: Collection[str]) -> list[ParkedMessage]:
        """Drop exactly the named parked messages; returns what was dropped."""
        return self._scan(_named(ids))[1]

    # --- the one way through the queue -----------------------------------------------------------

    def _scan(
        self, take: Decision, *, limit: int | None = None, replay_as: str | None = None
    ) -> tuple[list[ParkedMessage], list[ParkedMessage]]:
        """Walk the queue once: messages ``take`` selects are replayed (or dropped), every
        other one is returned to the queue. Returns (seen, taken)."""
        seen: list[ParkedMessage] = []
        taken: list[ParkedMessage] = []
        with self._channel() as channel:
            if replay_as is not None:
                channel.confirm_delivery()
            last_kept: int | None = None
            for _ in range(self._depth(channel)):
                method, properties, body = channel.basic_get(self.name)
                if method is None:
                    break
                message = describe(self.service, properties, body)
                if take(message):
                    if replay_as is not None:
                        # mandatory: a missing main queue raises instead of losing the message.
                        channel.basic_publish(
                            exchange="",
                            routing_key=self.topology.queue,
                            body=body,
                            properties=_fresh(properties, replay_as),
                            mandatory=True,
                        )
                    channel.basic_ack(method.delivery_tag)
                    taken.append(message)
                    continue
                last_kept = method.delivery_tag
                seen.append(message)
                if limit is not None and len(seen) >= limit:
                    break
            if last_kept is not None:
                channel.basic_nack(last_kept, multiple=True, requeue=True)
                self._await_returned(channel, len(seen))
        return seen, taken

    def _await_returned(self, channel: Any, count: int) -> None:
        """Wait (briefly) until the messages given back are ready in the queue again.

        A quorum queue applies a requeue asynchronously: without this, a replay right after a
        listing could count the queue before the listed message is back in it, and answer
        that the message is not there."""
        deadline = time.monotonic() + RETURN_WAIT_S
        while self._depth(channel) < count and time.monotonic() < deadline:
            time.sleep(0.02)

    def _depth(self, channel: Any) -> int:
        try:
            frame = channel.queue_declare(queue=self.name, passive=True)
        except pika.exceptions.ChannelClosedByBroker as exc:
            raise ParkingError(f"no queue {self.name} on this broker: {exc.reply_text}") from exc
        return int(frame.method.message_count)

    @contextlib.contextmanager
    def _channel(self) -> Iterator[Any]:
        try:
            connection = open_connection(self.settings.amqp_url, name=f"{self.service}-parking")
        except CONNECTION_ERRORS as exc:
            raise ParkingError(f"cannot reach the broker: {exc!r}") from exc
        try:
            yield connection.channel()
        except pika.exceptions.UnroutableError as exc:
            raise ParkingError(
                f"{self.topology.queue} does not exist; nothing was replayed"
            ) from exc
        except ParkingError:
            raise
        except CONNECTION_ERRORS as exc:
            # Unacknowledged messages return to the parking queue when the connection closes.
            raise ParkingError(f"the broker connection failed: {exc!r}") from exc
        finally:
            if connection.is_open:
                with contextlib.suppress(*CONNECTION_ERRORS):
                    connection.close()


def _named(ids: Collection[str] | None) -> Decision:
    if ids is None:
        return lambda _: True
    wanted = set(ids)
    return lambda message: message.id in wanted
