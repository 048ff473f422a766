"""Small helpers to look at queues on the real broker from a test, and to hand a message to
a service's handler table as its consumer would."""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pika

from shared.broker import topology
from shared.broker.consumer import Consumer, Handler
from shared.contracts import Envelope, Event
from shared.settings import Settings


def dispatching(table: Mapping[str, Handler]) -> Handler:
    """One handler for every type in ``table``: what the consumer does with a message, without
    the broker (a type the table lacks fails the test with a KeyError)."""

    def handle(envelope: Envelope, event: Event) -> None:
        table[envelope.type](envelope, event)

    return handle


def channel(settings: Settings) -> tuple[pika.BlockingConnection, Any]:
    """A channel on the topology, in confirm mode: a test's publish returns once the broker
    has taken the message into its queues (quorum queues: written to their log), as the
    outbox relay's does. Closing an unconfirmed channel right after publishing gives no such
    promise, and a test that then waits for those messages could wait for ones never queued."""
    connection = pika.BlockingConnection(pika.URLParameters(settings.amqp_url))
    ch = connection.channel()
    topology.declare(ch, settings)
    ch.confirm_delivery()
    return connection, ch


def publish_raw(settings: Settings, routing_key: str, body: bytes, **props: Any) -> None:
    connection, ch = channel(settings)
    ch.basic_publish(
        exchange=settings.exchange,
        routing_key=routing_key,
        body=body,
        properties=pika.BasicProperties(delivery_mode=2, **props),
    )
    connection.close()


def drain(settings: Settings, queue: str) -> list[tuple[Any, bytes]]:
    """Take every message now in ``queue`` (properties, body)."""
    connection, ch = channel(settings)
    out: list[tuple[Any, bytes]] = []
    while True:
        method, properties, body = ch.basic_get(queue, auto_ack=True)
        if method is None:
            break
        out.append((properties, body))
    connection.close()
    return out


def depth(settings: Settings, queue: str) -> int:
    connection, ch = channel(settings)
    count: int = ch.queue_declare(queue, passive=True).method.message_count
    connection.close()
    return count


@contextmanager
def running(consumer: Consumer) -> Iterator[Consumer]:
    """Run a consumer in a thread for the duration of a block."""
    thread = threading.Thread(
        target=consumer.run, name=f"consumer:{consumer.topology.queue}", daemon=True
    )
    thread.start()
    assert consumer.connected.wait(15), "consumer did not connect"
    try:
        yield consumer
    finally:
        consumer.stop.set()
        thread.join(15)


def consumer_stacks() -> dict[str, str]:
    """Where each running test consumer is right now: for a failure message, so a consumer
    that waits for the broker and one stuck in a handler tell themselves apart."""
    frames = sys._current_frames()
    return {
        t.name: "".join(traceback.format_stack(frames[t.ident])[-6:])
        for t in threading.enumerate()
        if t.name.startswith("consumer:") and t.ident in frames
    }
