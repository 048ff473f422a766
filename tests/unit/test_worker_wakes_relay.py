"""A worker wakes its outbox relay after each event a handler has handled, and only then: a
handler that failed wrote nothing (its transaction did not commit)."""

from __future__ import annotations

import pytest

from shared.contracts import Envelope, Event
from shared.worker_runtime import _logged
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
