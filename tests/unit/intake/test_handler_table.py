"""Intake's handler table: a handler for every event type intake subscribes to, and no other,
so a new subscription without its handler fails here rather than in the worker."""

from __future__ import annotations

from typing import cast

from services.intake.cases.timeline import Cases
from services.intake.handlers import event_handlers, worker_table
from shared.broker.topology import SUBSCRIPTIONS

# Binding a handler touches none of its dependencies: the table is built without a database.
UNUSED_CASES = cast(Cases, object())


def test_the_table_handles_exactly_what_intake_subscribes_to() -> None:
    assert sorted(event_handlers(UNUSED_CASES)) == sorted(SUBSCRIPTIONS["intake"])


def test_the_worker_s_table_handles_each_subscribed_type_exactly_once() -> None:
    single, batch = worker_table(UNUSED_CASES)
    assert not set(single) & batch.types
    assert sorted([*single, *batch.types]) == sorted(SUBSCRIPTIONS["intake"])
    # Every entry goes in batches, a sent alert too (its first alert is measured after).
    assert single == {}
