"""A service's handler table: each row binds one event type's handler to its dependencies."""

from __future__ import annotations

import pytest

from shared.broker.consumer import Handler, PermanentError, handler_table, handles
from shared.contracts import CaseStatusChanged, CaseUpdated, Envelope, Event, new_envelope


def updated() -> tuple[Envelope, CaseUpdated]:
    event = CaseUpdated(
        case_id="c-1", changed=["description"], title="Unggahan ASN", description="baru"
    )
    return new_envelope(event, tenant="12.06", correlation_id="corr-1"), event


def status_changed() -> tuple[Envelope, CaseStatusChanged]:
    event = CaseStatusChanged(
        case_id="c-1", from_status="received", to_status="verified", actor="karo-bkpsdm-1"
    )
    return new_envelope(event, tenant="12.06", correlation_id="corr-1"), event


def test_a_row_is_keyed_by_routing_key_and_hands_the_typed_event_and_deps() -> None:
    seen: list[tuple[Envelope, CaseUpdated, str]] = []

    def on_updated(envelope: Envelope, event: CaseUpdated, deps: str) -> bool:
        seen.append((envelope, event, deps))
        return True

    key, handler = handles(CaseUpdated, on_updated, "the deps")
    envelope, event = updated()
    handler(envelope, event)
    assert key == "case.updated"
    assert seen == [(envelope, event, "the deps")]


def test_an_event_of_another_type_is_parked_not_handled() -> None:
    calls: list[Event] = []

    def on_updated(envelope: Envelope, event: CaseUpdated, deps: None) -> None:
        calls.append(event)

    _, handler = handles(CaseUpdated, on_updated, None)
    envelope, event = status_changed()
    with pytest.raises(PermanentError, match=r"case\.status_changed decoded as CaseStatusChanged"):
        handler(envelope, event)
    assert calls == []


def test_a_table_refuses_two_handlers_for_one_type() -> None:
    def first(envelope: Envelope, event: CaseUpdated, deps: None) -> None: ...
    def second(envelope: Envelope, event: CaseUpdated, deps: None) -> None: ...

    with pytest.raises(ValueError, match=r"two handlers for case\.updated"):
        handler_table(handles(CaseUpdated, first, None), handles(CaseUpdated, second, None))


def test_a_table_holds_each_row_under_its_type() -> None:
    rows: list[tuple[str, Handler]] = [
        handles(CaseUpdated, lambda envelope, event, deps: None, None),
        handles(CaseStatusChanged, lambda envelope, event, deps: None, None),
    ]
    table = handler_table(*rows)
    assert table == dict(rows)
    assert sorted(table) == ["case.status_changed", "case.updated"]
