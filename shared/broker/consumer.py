"""Consuming events: ack after the work, retry with growing delay, park what cannot be done.

A handler takes the envelope and its typed event and returns. It raises PermanentError for a
message that will never succeed (parked at once) and anything else for a passing failure
(retried through the delay queues, parked after ``max_attempts``). A body that is not a valid
envelope is parked without calling anything, so a poison message never blocks the queue and
never kills the worker. Each service hands its consumer one table of handlers by event type,
each bound to its dependencies (:func:`handles`, :func:`handler_table`), and may hand some
types to one :class:`Batch` handler that takes what the broker delivers together.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import pika
import pika.exceptions
from pika.adapters.blocking_connection import BlockingChannel
from pika.spec import Basic, BasicProperties

from shared import correlation
from shared.broker import topology
from shared.broker.connection import CONNECTION_ERRORS, Backoff, open_connection
from shared.contracts import Envelope, Event, InvalidMessage, decode
from shared.metrics import EVENT_PROCESSING, EVENTS_CONSUMED, EVENTS_PARKED
from shared.settings import Settings

log = logging.getLogger(__name__)

Handler = Callable[[Envelope, Event], None]
# Handles several deliveries at once (one database command for all of them, say) and says
# for each, in order, None when it is done or the exception its own handler would have raised.
BatchHandler = Callable[[Sequence[tuple[Envelope, Event]]], Sequence[Exception | None]]

ATTEMPT_HEADER = "x-pantau-attempt"
PARK_REASON_HEADER = "x-pantau-parked-reason"


class PermanentError(Exception):
    """The message can never be processed: park it, do not retry."""


class Deferred(Exception):
    """Not a failure: the work cannot be done yet (another worker holds it). Try again after a
    delay without spending an attempt; after ``MAX_DEFERRALS`` the message is parked."""


MAX_DEFERRALS = 200
DEFERRALS_HEADER = "x-pantau-deferrals"

E = TypeVar("E", bound=Event)
D = TypeVar("D")


def handles(
    event_type: type[E], handler: Callable[[Envelope, E, D], object], deps: D
) -> tuple[str, Handler]:
    """One row of a service's handler table: the routing key of ``event_type``, and
    ``handler`` bound to its dependencies (what it returns is for tests; the consumer only
    needs it to return or raise).

    Events are decoded by routing key, so the event is an ``event_type``; the check turns a
    wrong row (another version of the event, say) into a parked message, not a wrong write.
    """

    def handle(envelope: Envelope, event: Event) -> None:
        if not isinstance(event, event_type):
            raise PermanentError(
                f"{envelope.type} decoded as {type(event).__name__}, not {event_type.__name__}"
            )
        handler(envelope, event, deps)

    return event_type.TYPE, handle


def handler_table(*rows: tuple[str, Handler]) -> dict[str, Handler]:
    """A service's handlers by event type (rows from :func:`handles`); a type handled twice
    is a mistake in the table, refused here rather than settled by which row comes last."""
    table: dict[str, Handler] = {}
    for event_type, handler in rows:
        if event_type in table:
            raise ValueError(f"two handlers for {event_type}")
        table[event_type] = handler
    return table


@dataclass(frozen=True)
class Batch:
    """Event types whose deliveries are handled together: those the broker hands over in one
    read (up to the prefetch), in the order they came. Each delivery is acknowledged, retried
    or parked on its own outcome, as with a :data:`Handler`."""

    types: frozenset[str]
    handle: BatchHandler


@dataclass
class _Delivery:
    channel: BlockingChannel
    method: Basic.Deliver
    properties: BasicProperties
    body: bytes
    envelope: Envelope
    event: Event


class Consumer:
    """Consumes one service's queue until ``stop`` is set, reconnecting as often as needed."""

    def __init__(
        self,
        settings: Settings,
        service: str,
        handlers: Mapping[str, Handler],
        *,
        batch: Batch | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.settings = settings
        self.topology = topology.consumer_topology(settings, service)
        self.handlers = dict(handlers)
        self.batch = batch
        self.stop = stop or threading.Event()
        self.connected = threading.Event()
        self._gathered: list[_Delivery] = []
        batched = batch.types if batch is not None else frozenset()
        unknown = (set(self.handlers) | batched) - set(self.topology.bindings)
        if unknown:
            raise ValueError(f"handlers for types the queue is not bound to: {sorted(unknown)}")
        both = batched & set(self.handlers)
        if both:
            raise ValueError(f"types both batched and handled one by one: {sorted(both)}")

    # --- the loop -----------------------------------------------------------------------------

    def run(self) -> None:
        """Consume until stopped. Connection losses (including CONNECTION_FORCED) reconnect."""
        backoff = Backoff()
        while not self.stop.is_set():
            connection: pika.BlockingConnection | None = None
            try:
                connection = open_connection(
                    self.settings.amqp_url, name=f"{self.topology.service}-consumer"
                )
                channel = connection.channel()
                topology.declare(channel, self.settings)
                channel.confirm_delivery()
                channel.basic_qos(prefetch_count=self.settings.prefetch)
                channel.basic_consume(
                    queue=self.topology.queue, on_message_callback=self._on_message
                )
                self.connected.set()
                log.info("consuming", extra={"queue": self.topology.queue})
                backoff.reset()
                while not self.stop.is_set():
                    # Short slices keep heartbeats flowing and let a stop request end the loop.
                    # A slice returns once it has dispatched what the broker sent: what was
                    # gathered for the batch is handled then.
                    connection.process_data_events(time_limit=0.5)
                    self._handle_gathered()
            except CONNECTION_ERRORS as exc:
                self.connected.clear()
                log.warning(
                    "broker connection lost; reconnecting",
                    extra={"queue": self.topology.queue, "error": repr(exc)},
                )
                backoff.wait(self.stop)
            except Exception:
                # A fault outside the handler (e.g. a message the parking path cannot copy):
                # drop the connection so unacked messages return to the queue, and go on.
                # The queue's delivery limit parks a message that keeps causing this.
                self.connected.clear()
                log.exception(
                    "consumer loop failed; reconnecting", extra={"queue": self.topology.queue}
                )
                backoff.wait(self.stop)
            finally:
                self.connected.clear()
                # Unacknowledged, they return to the queue with the connection.
                self._gathered.clear()
                if connection is not None and connection.is_open:
                    with contextlib.suppress(*CONNECTION_ERRORS):
                        connection.close()

    # --- one message --------------------------------------------------------------------------

    def _on_message(
        self,
        channel: BlockingChannel,
        method: Basic.Deliver,
        properties: BasicProperties,
        body: bytes,
    ) -> None:
        attempt = _attempt(properties)
        queue = self.topology.queue
        try:
            envelope, event = decode(body)
        except InvalidMessage as exc:
            self._park(channel, method, properties, body, f"invalid: {exc}", "invalid")
            EVENTS_CONSUMED.labels(queue=queue, type="<invalid>", outcome="parked").inc()
            return
        delivery = _Delivery(channel, method, properties, body, envelope, event)
        if self.batch is not None and envelope.type in self.batch.types:
            self._gathered.append(delivery)
            return
        handler = self.handlers.get(envelope.type)
        if handler is None:
            # Bound but not handled by this version: acknowledge, it is not for us.
            channel.basic_ack(method.delivery_tag)
            EVENTS_CONSUMED.labels(queue=queue, type=envelope.type, outcome="ignored").inc()
            return
        # What came before this delivery is handled before it: a case's events keep their
        # order whichever way each is handled.
        self._handle_gathered()
        stop_timer = _timer()
        with correlation.bound(envelope.correlation_id, envelope.tenant, attempt=attempt):
            error: Exception | None = None
            try:
                handler(envelope, event)
            except Exception as exc:
                error = exc
            outcome = self._settle(delivery, error)
        EVENT_PROCESSING.labels(queue=queue, type=envelope.type).observe(stop_timer())
        EVENTS_CONSUMED.labels(queue=queue, type=envelope.type, outcome=outcome).inc()

    def _handle_gathered(self) -> None:
        """Hand the gathered deliveries to the batch handler, then settle each."""
        if not self._gathered or self.batch is None:
            return
        gathered, self._gathered = self._gathered, []
        stop_timer = _timer()
        try:
            attempts = {str(d.envelope.id): _attempt(d.properties) for d in gathered}
            with correlation.batch_bound(attempts):
                errors = list(self.batch.handle([(d.envelope, d.event) for d in gathered]))
            if len(errors) != len(gathered):
                raise RuntimeError(f"{len(errors)} outcomes for {len(gathered)} deliveries")
        except Exception as exc:
            # The batch as a whole failed: each delivery takes that failure's path.
            errors = [exc] * len(gathered)
        each = stop_timer() / len(gathered)
        queue = self.topology.queue
        for delivery, error in zip(gathered, errors, strict=True):
            envelope = delivery.envelope
            attempt = _attempt(delivery.properties)
            with correlation.bound(envelope.correlation_id, envelope.tenant, attempt=attempt):
                outcome = self._settle(delivery, error)
            EVENT_PROCESSING.labels(queue=queue, type=envelope.type).observe(each)
            EVENTS_CONSUMED.labels(queue=queue, type=envelope.type, outcome=outcome).inc()

    def _settle(self, delivery: _Delivery, error: Exception | None) -> str:
        """Acknowledge a handled delivery, or send it where its failure says; the outcome."""
        channel, method = delivery.channel, delivery.method
        properties, body, envelope = delivery.properties, delivery.body, delivery.envelope
        headers: dict[str, Any] = dict(properties.headers or {})
        attempt = _attempt(properties)
        if error is None:
            channel.basic_ack(method.delivery_tag)
            return "ok"
        if isinstance(error, PermanentError):
            self._park(channel, method, properties, body, f"permanent: {error}", "permanent")
            return "parked"
        if isinstance(error, Deferred):
            deferrals = int(headers.get(DEFERRALS_HEADER, 0)) + 1
            if deferrals > MAX_DEFERRALS:
                self._park(
                    channel, method, properties, body, f"deferred too often: {error}", "deferred"
                )
                return "parked"
            self._republish(
                channel,
                method,
                properties,
                body,
                self.topology.retry_queue(1),
                {DEFERRALS_HEADER: deferrals},
            )
            return "deferred"
        if attempt >= self.settings.max_attempts:
            log.error(
                "giving up on message",
                exc_info=error,
                extra={"type": envelope.type},
            )
            self._park(
                channel, method, properties, body, f"attempts exhausted: {error!r}", "exhausted"
            )
            return "parked"
        log.warning(
            "handler failed; will retry",
            extra={"type": envelope.type, "attempt": attempt, "error": repr(error)},
        )
        self._republish(
            channel,
            method,
            properties,
            body,
            self.topology.retry_queue(attempt),
            {ATTEMPT_HEADER: attempt + 1},
        )
        return "retried"

    def _park(
        self,
        channel: BlockingChannel,
        method: Basic.Deliver,
        properties: BasicProperties,
        body: bytes,
        reason: str,
        reason_label: str,
    ) -> None:
        log.error("message parked", extra={"queue": self.topology.queue, "reason": reason[:500]})
        EVENTS_PARKED.labels(queue=self.topology.queue, reason=reason_label).inc()
        self._republish(
            channel,
            method,
            properties,
            body,
            self.topology.parking_queue,
            {PARK_REASON_HEADER: reason[:1000], "x-pantau-parked-at": int(time.time())},
        )

    def _republish(
        self,
        channel: BlockingChannel,
        method: Basic.Deliver,
        properties: BasicProperties,
        body: bytes,
        queue: str,
        extra_headers: dict[str, Any],
    ) -> None:
        """Copy the message to ``queue`` (confirmed), then ack the original.

        A crash between the two leaves a copy in both places; the handlers are idempotent, so
        the worst case is one redundant attempt, never a lost message.
        """
        headers = dict(properties.headers or {})
        headers.update(extra_headers)
        channel.basic_publish(
            exchange="",
            routing_key=queue,
            body=body,
            properties=pika.BasicProperties(
                content_type=properties.content_type,
                delivery_mode=pika.DeliveryMode.Persistent,
                message_id=properties.message_id,
                correlation_id=properties.correlation_id,
                type=properties.type,
                headers=headers,
            ),
        )
        channel.basic_ack(method.delivery_tag)


def _attempt(properties: BasicProperties) -> int:
    return int(dict(properties.headers or {}).get(ATTEMPT_HEADER, 1))


def _timer() -> Callable[[], float]:
    start = time.perf_counter()
    return lambda: time.perf_counter() - start
