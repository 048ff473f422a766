"""Publishing envelopes with publisher confirms."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import pika
import pika.exceptions

from shared.broker import topology
from shared.broker.connection import CONNECTION_ERRORS, open_connection
from shared.settings import Settings

log = logging.getLogger(__name__)


class PublishError(Exception):
    """The broker did not confirm a message; it must be published again later."""


class EventPublisher(Protocol):
    """What the outbox relay needs: publish a batch (confirmed, or PublishError), close."""

    def publish(self, messages: Sequence[Outgoing]) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Outgoing:
    """A serialised envelope ready to publish."""

    message_id: str
    routing_key: str
    body: bytes
    correlation_id: str | None = None


def properties(message: Outgoing) -> pika.BasicProperties:
    """AMQP properties of an event: persistent, JSON, message id = envelope id."""
    return pika.BasicProperties(
        content_type="application/json",
        delivery_mode=pika.DeliveryMode.Persistent,
        message_id=message.message_id,
        correlation_id=message.correlation_id,
        type=message.routing_key,
    )


class Publisher:
    """Publishes to the events exchange and returns only once the broker confirmed.

    Owned by one thread. The connection opens on first use and again after a failure, so a
    broker outage surfaces as PublishError to the caller, who keeps the messages and retries.
    """

    def __init__(self, settings: Settings, *, name: str) -> None:
        self.settings = settings
        self.name = name
        self._connection: pika.BlockingConnection | None = None
        self._channel: pika.adapters.blocking_connection.BlockingChannel | None = None

    def _ensure_channel(self) -> pika.adapters.blocking_connection.BlockingChannel:
        if self._channel is not None and self._channel.is_open:
            return self._channel
        self.close()
        self._connection = open_connection(self.settings.amqp_url, name=self.name)
        channel = self._connection.channel()
        topology.declare(channel, self.settings)
        channel.confirm_delivery()
        self._channel = channel
        return channel

    def publish(self, messages: Sequence[Outgoing]) -> None:
        """Publish every message, in order; raise PublishError at the first one not confirmed."""
        try:
            channel = self._ensure_channel()
            for message in messages:
                channel.basic_publish(
                    exchange=self.settings.exchange,
                    routing_key=message.routing_key,
                    body=message.body,
                    properties=properties(message),
                )
        except pika.exceptions.NackError as exc:
            raise PublishError("broker refused a message") from exc
        except CONNECTION_ERRORS as exc:
            self.close()
            raise PublishError(f"broker unavailable: {exc!r}") from exc

    def close(self) -> None:
        """Close the connection, ignoring a connection that is already gone."""
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None and connection.is_open:
            try:
                connection.close()
            except CONNECTION_ERRORS:
                log.debug("connection already gone while closing")
