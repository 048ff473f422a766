"""The correlation id of the work in hand, carried from an HTTP request through every message."""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

_correlation: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "pantau_correlation_id", default=None
)
_tenant: contextvars.ContextVar[str | None] = contextvars.ContextVar("pantau_tenant", default=None)
# Which delivery of a message is being handled (1 = first). A handler that must act before its
# message is parked (e.g. notify's fallback to another channel) reads it without any change to
# the handler signature.
_attempt: contextvars.ContextVar[int] = contextvars.ContextVar("pantau_attempt", default=1)
# The same for the deliveries a batch handler holds, by event id: it binds each one's attempt
# (:func:`bound`) while it handles that delivery.
_batch_attempts: contextvars.ContextVar[Mapping[str, int] | None] = contextvars.ContextVar(
    "pantau_batch_attempts", default=None
)


def new_id() -> str:
    """A fresh correlation id."""
    return uuid.uuid4().hex


def current() -> str | None:
    """The correlation id of the work in hand, if any."""
    return _correlation.get()


def current_tenant() -> str | None:
    """The tenant of the work in hand, if known."""
    return _tenant.get()


def current_attempt() -> int:
    """The attempt number of the message in hand (1 outside a consumer)."""
    return _attempt.get()


def set_current(correlation_id: str | None, tenant: str | None = None) -> None:
    """Bind ids to the current context (a request or a message)."""
    _correlation.set(correlation_id)
    _tenant.set(tenant)


@contextmanager
def bound(
    correlation_id: str | None, tenant: str | None = None, *, attempt: int | None = None
) -> Iterator[None]:
    """Bind ids (and the attempt number, if given) for a block; restore them afterwards."""
    token_c = _correlation.set(correlation_id)
    token_t = _tenant.set(tenant)
    token_a = _attempt.set(attempt) if attempt is not None else None
    try:
        yield
    finally:
        _correlation.reset(token_c)
        _tenant.reset(token_t)
        if token_a is not None:
            _attempt.reset(token_a)


def attempt_of(event_id: str) -> int:
    """The attempt number of one of the deliveries in a batch (1 when not known)."""
    attempts = _batch_attempts.get()
    return attempts.get(event_id, 1) if attempts is not None else 1


@contextmanager
def batch_bound(attempts: Mapping[str, int]) -> Iterator[None]:
    """Bind a batch's attempt numbers by event id for a block (the consumer, around a batch
    handler); restore them afterwards."""
    token = _batch_attempts.set(attempts)
    try:
        yield
    finally:
        _batch_attempts.reset(token)
