"""Triage's handler table: a handler for every event type triage subscribes to, and no other,
so a new subscription without its handler fails here rather than in the worker."""

from __future__ import annotations

from typing import cast

from services.triage.deps import TriageDeps
from services.triage.handlers import event_handlers, worker_table
from shared.broker.topology import SUBSCRIPTIONS

# Binding a handler touches none of its dependencies: the table is built without a database.
UNUSED_DEPS = cast(TriageDeps, object())


def test_the_table_handles_exactly_what_triage_subscribes_to() -> None:
    assert sorted(event_handlers(UNUSED_DEPS)) == sorted(SUBSCRIPTIONS["triage"])


def test_the_worker_s_table_handles_each_subscribed_type_exactly_once() -> None:
    single, batch = worker_table(UNUSED_DEPS)
    assert not set(single) & batch.types
    assert sorted([*single, *batch.types]) == sorted(SUBSCRIPTIONS["triage"])
    # New cases come in bursts: they are filed together.
    assert batch.types == {"case.submitted"}
