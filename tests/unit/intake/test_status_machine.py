"""The case status machine: the real flow, what each change needs, and what is refused."""

from __future__ import annotations

import pytest

from services.intake.actions import status_machine as sm
from services.intake.actions.status_machine import CaseState, Change


def walk(*changes: Change) -> CaseState:
    state = CaseState("received")
    for change in changes:
        sm.check(state, change)
        state = sm.next_state(state, change)
    return state


def test_the_full_flow_from_receipt_to_sanction() -> None:
    state = walk(
        Change("verified"),
        Change("under_examination"),
        Change("recommendation_issued", finding="proven", sanction_level="sedang"),
        Change("awaiting_ppk"),
        Change("sanction_imposed", sanction_level="sedang", decision_ref="800/123/BKPSDM/2024"),
    )
    assert state.status == "sanction_imposed"
    assert sm.is_closed(state.status)
    assert state.was_verified


def test_a_finding_of_no_violation_closes_instead_of_going_to_the_ppk() -> None:
    state = walk(
        Change("verified"),
        Change("under_examination"),
        Change("recommendation_issued", finding="not_proven"),
    )
    assert sm.allowed_targets(state) == ("closed",)
    with pytest.raises(sm.IllegalTransition):
        sm.check(state, Change("awaiting_ppk"))


def test_awaiting_info_returns_to_the_status_it_paused() -> None:
    state = walk(Change("verified"), Change("under_examination"))
    paused = walk(
        Change("verified"),
        Change("under_examination"),
        Change("awaiting_info", reason="Mohon kirim tangkapan layar asli"),
    )
    assert paused.paused_from == "under_examination"
    assert sm.allowed_targets(paused)[0] == "under_examination"
    with pytest.raises(sm.IllegalTransition) as refused:
        sm.check(paused, Change("recommendation_issued", finding="proven", sanction_level="berat"))
    assert "under_examination" in refused.value.allowed
    assert state.status == "under_examination"


@pytest.mark.parametrize(
    ("was_verified", "target"), [(True, "under_examination"), (False, "received")]
)
def test_reopen_resumes_where_work_stands_and_needs_a_reason(
    was_verified: bool, target: str
) -> None:
    closed = CaseState("withdrawn", was_verified=was_verified)
    assert sm.allowed_targets(closed) == (target,)
    with pytest.raises(sm.MissingFields) as missing:
        sm.check(closed, Change(target))
    assert missing.value.errors[0][0] == "reason"
    sm.check(closed, Change(target, reason="Pelapor mengirim bukti baru"))


@pytest.mark.parametrize(
    ("state", "change", "fields"),
    [
        (CaseState("received"), Change("rejected"), ["reason"]),
        (CaseState("received"), Change("withdrawn", reason="  "), ["reason"]),
        (CaseState("received"), Change("awaiting_info"), ["reason"]),
        (CaseState("received"), Change("duplicate"), ["duplicate_of"]),
        (
            CaseState("under_examination", was_verified=True),
            Change("recommendation_issued"),
            ["finding"],
        ),
        (
            CaseState("under_examination", was_verified=True),
            Change("recommendation_issued", finding="proven"),
            ["sanction_level"],
        ),
        (
            CaseState("awaiting_ppk", was_verified=True, finding="proven"),
            Change("sanction_imposed"),
            ["sanction_level", "decision_ref"],
        ),
        (
            CaseState("awaiting_ppk", was_verified=True, finding="proven"),
            Change("sanction_imposed", sanction_level="sangat berat", decision_ref="1"),
            ["sanction_level"],
        ),
    ],
)
def test_each_change_needs_its_fields(state: CaseState, change: Change, fields: list[str]) -> None:
    with pytest.raises(sm.MissingFields) as missing:
        sm.check(state, change)
    assert [f for f, _ in missing.value.errors] == fields


@pytest.mark.parametrize(
    ("status", "to"),
    [
        ("received", "under_examination"),  # verification cannot be skipped
        ("received", "sanction_imposed"),
        ("verified", "awaiting_ppk"),
        ("under_examination", "verified"),
        ("awaiting_ppk", "awaiting_info"),  # no pause once a finding exists
        ("sanction_imposed", "closed"),
        ("closed", "sanction_imposed"),
    ],
)
def test_illegal_transitions_list_what_is_allowed(status: str, to: str) -> None:
    state = CaseState(status, was_verified=status != "received", finding="proven")
    with pytest.raises(sm.IllegalTransition) as refused:
        sm.check(state, Change(to, reason="x", sanction_level="berat", decision_ref="1"))
    assert refused.value.allowed == sm.allowed_targets(state)
    assert to not in refused.value.allowed


def test_every_open_status_has_a_way_forward_and_every_status_is_reachable() -> None:
    reachable = {"received"}
    frontier = [CaseState("received")]
    seen: set[tuple[str, str | None, bool, str | None]] = set()
    while frontier:
        state = frontier.pop()
        key = (state.status, state.paused_from, state.was_verified, state.finding)
        if key in seen:
            continue
        seen.add(key)
        targets = sm.allowed_targets(state)
        assert targets, f"{state} is a dead end"
        for to in targets:
            change = Change(
                to,
                reason="alasan",
                finding="proven" if to == "recommendation_issued" else None,
                sanction_level="ringan",
                decision_ref="SK-1",
                duplicate_of="0" * 24,
            )
            sm.check(state, change)
            reachable.add(to)
            frontier.append(sm.next_state(state, change))
    assert reachable == set(sm.STATUSES)
