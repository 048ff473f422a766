"""Publishing with many confirms in flight: pika's asynchronous connection on its own thread.

The blocking adapter waits for each confirm in turn (about a quarter of the broker's rate).
Here a whole batch is written at once and the caller waits until the broker has confirmed
every message of it, so a relay moves thousands of events a second and still knows exactly
which ones are safe. The connection belongs to the I/O-loop thread; callers hand it work with
``add_callback_threadsafe``, the one thread-safe entry pika offers.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Sequence
from typing import Any

import pika
from pika.adapters.select_connection import SelectConnection
from pika.spec import Basic

from shared.broker import topology
from shared.broker.connection import CONNECTION_ERRORS, open_connection
from shared.broker.publisher import Outgoing, PublishError, properties
from shared.os_thread_name import os_named
from shared.settings import Settings

log = logging.getLogger(__name__)


class _Batch:
    """One caller's messages: done when every one is confirmed, failed at the first nack."""

    def __init__(self, size: int) -> None:
        self.outstanding = size
        self.error: str | None = None
        self.done = threading.Event()
        if size == 0:
            self.done.set()

    def ack(self) -> None:
        self.outstanding -= 1
        if self.outstanding <= 0:
            self.done.set()

    def fail(self, reason: str) -> None:
        if self.error is None:
            self.error = reason
        self.done.set()


class AsyncPublisher:
    """Same contract as ``Publisher.publish``: returns once the broker confirmed all."""

    def __init__(self, settings: Settings, *, name: str, timeout: float = 30.0) -> None:
        self.settings = settings
        self.name = name
        self.timeout = timeout
        self._lock = threading.Lock()
        self._connection: SelectConnection | None = None
        self._channel: Any = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._failed: str | None = None
        self._tags: dict[int, _Batch] = {}
        self._next_tag = 0

    # --- caller side --------------------------------------------------------------------------

    def publish(self, messages: Sequence[Outgoing]) -> None:
        """Publish every message; raise PublishError unless the broker confirmed them all."""
        connection = self._ensure_open()
        batch = _Batch(len(messages))
        try:
            connection.ioloop.add_callback_threadsafe(lambda: self._write(messages, batch))
        except Exception as exc:  # the loop is gone: the connection died meanwhile
            raise PublishError(f"broker connection lost: {exc!r}") from exc
        if not batch.done.wait(self.timeout):
            self._abort("confirms timed out")
            raise PublishError(f"broker did not confirm within {self.timeout:.0f}s")
        if batch.error is not None:
            raise PublishError(batch.error)

    def close(self) -> None:
        """Close the connection and stop the I/O loop."""
        with self._lock:
            connection, thread = self._connection, self._thread
        if connection is not None:
            try:
                connection.ioloop.add_callback_threadsafe(self._close_in_loop)
            except Exception:
                log.debug("I/O loop already stopped")
        if thread is not None:
            thread.join(10)

    def _ensure_open(self) -> SelectConnection:
        with self._lock:
            if self._connection is not None and self._ready.is_set() and self._failed is None:
                return self._connection
            self._start()
            connection = self._connection
        if not self._ready.wait(10) or self._failed is not None or connection is None:
            reason = self._failed or "timed out opening the connection"
            self._abort(reason)
            raise PublishError(f"broker unavailable: {reason}")
        return connection

    def _start(self) -> None:
        """Open a new connection on a new I/O-loop thread (called with the lock held)."""
        # Declare the topology once over a short blocking connection: simpler than chaining
        # declarations through callbacks, and it fails fast when the broker is down.
        try:
            blocking = open_connection(self.settings.amqp_url, name=f"{self.name}-declare")
            # The node that just answered (of a cluster's list) is the one to publish through.
            answered: pika.URLParameters = blocking._impl.params
            try:
                topology.declare(blocking.channel(), self.settings)
            finally:
                blocking.close()
        except CONNECTION_ERRORS as exc:
            raise PublishError(f"broker unavailable: {exc!r}") from exc
        self._ready = threading.Event()
        self._failed = None
        self._tags = {}
        self._next_tag = 0
        params = copy.copy(answered)
        params.client_properties = {"connection_name": self.name}
        params.socket_timeout = 5
        self._connection = SelectConnection(
            params,
            on_open_callback=self._on_open,
            on_open_error_callback=self._on_open_error,
            on_close_callback=self._on_closed,
        )
        self._thread = threading.Thread(
            # In /proc as "publisher": the benchmark counts it with the relay that feeds it.
            target=os_named("publisher", self._connection.ioloop.start),
            name=f"{self.name}-ioloop",
            daemon=True,
        )
        self._thread.start()

    def _abort(self, reason: str) -> None:
        with self._lock:
            connection = self._connection
            self._failed = reason
        if connection is not None:
            try:
                connection.ioloop.add_callback_threadsafe(self._close_in_loop)
            except Exception:
                log.debug("I/O loop already stopped")

    # --- I/O-loop side ------------------------------------------------------------------------

    def _on_open(self, connection: SelectConnection) -> None:
        connection.channel(on_open_callback=self._on_channel)

    def _on_channel(self, channel: Any) -> None:
        self._channel = channel
        channel.add_on_close_callback(self._on_channel_closed)
        channel.confirm_delivery(ack_nack_callback=self._on_confirm)
        self._ready.set()

    def _on_open_error(self, connection: SelectConnection, error: BaseException | str) -> None:
        self._failed = f"cannot connect: {error!r}"
        self._ready.set()
        connection.ioloop.stop()

    def _on_channel_closed(self, channel: Any, reason: BaseException) -> None:
        self._fail_all(f"channel closed: {reason!r}")
        if self._connection is not None and self._connection.is_open:
            self._connection.close()

    def _on_closed(self, connection: SelectConnection, reason: BaseException) -> None:
        self._failed = self._failed or f"connection closed: {reason!r}"
        self._fail_all(self._failed)
        self._ready.set()
        connection.ioloop.stop()

    def _close_in_loop(self) -> None:
        if self._connection is not None and self._connection.is_open:
            self._connection.close()
        elif self._connection is not None:
            self._connection.ioloop.stop()

    def _fail_all(self, reason: str) -> None:
        for batch in set(self._tags.values()):
            batch.fail(reason)
        self._tags.clear()

    def _write(self, messages: Sequence[Outgoing], batch: _Batch) -> None:
        channel = self._channel
        if channel is None or not channel.is_open:
            batch.fail("channel is not open")
            return
        for message in messages:
            channel.basic_publish(
                exchange=self.settings.exchange,
                routing_key=message.routing_key,
                body=message.body,
                properties=properties(message),
            )
            self._next_tag += 1
            self._tags[self._next_tag] = batch

    def _on_confirm(self, frame: Any) -> None:
        method = frame.method
        tag: int = method.delivery_tag
        tags = [t for t in self._tags if t <= tag] if method.multiple else [tag]
        for t in tags:
            batch = self._tags.pop(t, None)
            if batch is None:
                continue
            if isinstance(method, Basic.Ack):
                batch.ack()
            else:
                batch.fail("broker refused a message (nack)")
