"""Opening broker connections, and the capped back-off used to reopen them."""

from __future__ import annotations

import random
import threading

import pika
import pika.exceptions

from shared.broker.addresses import connection_parameters

# What a lost or refused connection looks like to pika; all of them mean "reconnect later".
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    pika.exceptions.AMQPConnectionError,
    pika.exceptions.AMQPChannelError,
    pika.exceptions.StreamLostError,
    ConnectionError,
    OSError,
)


def open_connection(url: str, *, name: str) -> pika.BlockingConnection:
    """A blocking connection for the calling thread (pika connections are not thread-safe),
    to the first node of ``url`` (one URL or a cluster's list) that answers."""

    def configure(params: pika.URLParameters) -> None:
        params.client_properties = {"connection_name": name}
        # A short connect timeout keeps a hung broker (or one hung node of a cluster) from
        # freezing start-up and readiness checks.
        params.socket_timeout = 5
        params.blocked_connection_timeout = 60
        if params.heartbeat is None:
            params.heartbeat = 30

    return pika.BlockingConnection(connection_parameters(url, configure))


class Backoff:
    """Capped exponential back-off with jitter, so replicas do not reconnect in lockstep."""

    def __init__(self, initial: float = 0.5, cap: float = 15.0) -> None:
        self.initial = initial
        self.cap = cap
        self.attempt = 0

    def reset(self) -> None:
        self.attempt = 0

    def next_delay(self) -> float:
        delay: float = min(self.cap, self.initial * (2.0**self.attempt))
        self.attempt += 1
        return delay * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not secrecy

    def wait(self, stop: threading.Event) -> None:
        """Sleep for the next delay, waking early when ``stop`` is set."""
        stop.wait(self.next_delay())
