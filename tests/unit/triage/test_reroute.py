"""Whether a case triaged again after an update is routed again, and how."""

from __future__ import annotations

from typing import Any

import pytest

from services.triage.domain.routing import CurrentAssignment, Reroute, RoutingDecision, reroute

TO_BKPSDM = RoutingDecision(
    unit="BKPSDM",
    officer_id="karo-bkpsdm-1",
    to_province=False,
    recusals=(),
    reasons=("kategori MEDSOS ditangani unit BKPSDM", "petugas karo-bkpsdm-1 dipilih"),
)
AT_INSPEKTORAT = CurrentAssignment(unit="INSPEKTORAT", sequence=2, tried=("karo-inspektorat-1",))


def rerouted(**changes: Any) -> Reroute | None:
    """An open, assigned case whose category changed to one of another unit, unless told
    otherwise."""
    facts: dict[str, Any] = {
        "category": "MEDSOS",
        "previous_category": "NETRALITAS",
        "current": AT_INSPEKTORAT,
        "is_open": True,
        "overridden": False,
    }
    facts.update(changes)
    routing = facts.pop("routing", TO_BKPSDM)
    return reroute(routing, **facts)


def test_a_category_of_another_unit_moves_the_case_on_with_the_next_sequence() -> None:
    assert rerouted() == Reroute(
        routing=TO_BKPSDM,
        sequence=3,
        tried=("karo-inspektorat-1",),
        reason=(
            "klasifikasi berubah: kategori MEDSOS ditangani unit BKPSDM; "
            "petugas karo-bkpsdm-1 dipilih"
        ),
    )


def test_a_case_without_an_assignment_is_routed_as_a_first_assignment() -> None:
    # A duplicate that no longer is: it was never assigned, whatever its category was.
    found = rerouted(current=None, previous_category="MEDSOS")
    assert found is not None
    assert (found.routing, found.sequence, found.tried) == (TO_BKPSDM, 1, ())


def test_an_unchanged_category_keeps_the_officer_working_on_it() -> None:
    assert rerouted(previous_category="MEDSOS") is None


def test_a_new_category_of_the_same_unit_keeps_the_assignment() -> None:
    same_unit = CurrentAssignment(unit="BKPSDM", sequence=1)
    assert rerouted(current=same_unit) is None


def test_a_case_without_a_previous_category_moves_when_its_unit_changes() -> None:
    assert rerouted(previous_category=None) is not None


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"overridden": True}, id="an officer's override stays in force"),
        pytest.param({"is_open": False}, id="a closed case stays where it was closed"),
        pytest.param({"routing": None}, id="no route proposed (still a duplicate)"),
        pytest.param(
            {"overridden": True, "current": None}, id="override wins over a missing assignment"
        ),
        pytest.param({"is_open": False, "current": None}, id="closed wins too"),
    ],
)
def test_nothing_moves(changes: dict[str, Any]) -> None:
    assert rerouted(**changes) is None
