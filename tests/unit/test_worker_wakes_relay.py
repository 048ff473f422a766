"""A worker wakes its outbox relay after each event a handler has handled, and only then: a
handler that failed wrote nothing (its transaction did not commit). What must happen before
an event is handled (followed documents catching up) happens before each event and batch."""

from __future__ import annotations

import pytest

from shared.broker.consumer import Batch
from shared.contracts import Envelope, Event
from shared.worker_runtime import _each, _logged, _logged_batch
from tests.unit.triage.builders import envelope_of, submitted


def test_the_relay_is_woken_after_a_handled_event_not_before() -> None:
    order: list[str] = []

    def handler(_envelope: Envelope, _event: Event) -> None:
        order.append("handled")

    event = submitted()
    _logged(handler, lambda: order.append("woken"))(envelope_of(event), event)
    assert order == ["handled", "woken"]


def test_a_failed_handler_does_not_wake_the_relay() -> None:
    woken: list[bool] = []

    def handler(_envelope: Envelope, _event: Event) -> None:
        raise RuntimeError("the database is away")

    event = submitted()
    with pytest.raises(RuntimeError):
        _logged(handler, lambda: woken.append(True))(envelope_of(event), event)
    assert woken == []


def test_what_comes_before_handling_runs_before_each_event_and_each_batch() -> None:
    order: list[str] = []
    before = _each([lambda: order.append("caught up"), lambda: order.append("and again")])

    def handler(_envelope: Envelope, _event: Event) -> None:
        order.append("handled")

    event = submitted()
    _logged(handler, lambda: order.append("woken"), before)(envelope_of(event), event)
    assert order == ["caught up", "and again", "handled", "woken"]

    order.clear()

    def handle_all(_items: object) -> list[Exception | None]:
        order.append("batch handled")
        return [None, None]

    batch = _logged_batch(Batch(frozenset({"case.submitted"}), handle_all), lambda: None, before)
    batch.handle([(envelope_of(event), event), (envelope_of(event), event)])
    assert order == ["caught up", "and again", "batch handled"]
