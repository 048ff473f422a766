"""Notify's handler table: a handler for every event type notify subscribes to, and no other,
so a new subscription without its handler fails here rather than in the worker."""

from __future__ import annotations

from typing import cast

from services.notify.delivery import NotifyDeps
from services.notify.handlers import event_handlers
from shared.broker.topology import SUBSCRIPTIONS

# Binding a handler touches none of its dependencies: the table is built without a database.
UNUSED_DEPS = cast(NotifyDeps, object())


def test_the_table_handles_exactly_what_notify_subscribes_to() -> None:
    assert sorted(event_handlers(UNUSED_DEPS)) == sorted(SUBSCRIPTIONS["notify"])
