"""What status changes do to a case's clock and assignment."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from services.triage.domain.calendar import build_calendar
from services.triage.domain.ladder import AssignmentState
from services.triage.domain.lifecycle import CLOSED_STATUSES, apply_status, moved_deadline
from services.triage.domain.sla import (
    DEFAULT_RULES,
    LAPOR_ANSWER,
    LAPOR_VERIFICATION,
    start_clock,
)
from shared.regions import timezone_for

WIB = timezone_for("12.06")
KARO = build_calendar(WIB, [2024, 2025], collective_leave=[date(2024, 12, 26)])
MONDAY = datetime(2024, 11, 4, 10, 0, tzinfo=WIB)
CLOCK = start_clock(DEFAULT_RULES[LAPOR_VERIFICATION], MONDAY, KARO)
ASSIGNED = AssignmentState(assigned_at=MONDAY, acknowledged_at=None, officer_id="karo-bkpsdm-1")


def local(day: int, hour: int = 12, month: int = 11) -> datetime:
    return datetime(2024, month, day, hour, tzinfo=WIB)


def test_leaving_received_acknowledges_and_counts_as_action() -> None:
    out = apply_status(CLOCK, ASSIGNED, "received", "in_review", local(4, 14), KARO)
    assert out.assignment is not None
    assert out.assignment.acknowledged_at == local(4, 14)
    assert out.assignment.last_action_at == local(4, 14)
    assert out.clock == CLOCK
    assert not out.deadline_changed


def test_a_change_back_to_received_is_an_action_but_no_acknowledgement() -> None:
    out = apply_status(CLOCK, ASSIGNED, "awaiting_triage", "received", local(4, 14), KARO)
    assert out.assignment is not None
    assert out.assignment.acknowledged_at is None
    assert out.assignment.last_action_at == local(4, 14)


def test_pause_and_resume_give_back_the_working_days_waited() -> None:
    paused = apply_status(CLOCK, ASSIGNED, "in_review", "awaiting_info", local(5), KARO)
    assert paused.clock.is_paused
    assert not paused.deadline_changed
    # Paused Tuesday noon, resumed Friday noon: Wednesday to Friday given back (3 days).
    resumed = apply_status(
        paused.clock, paused.assignment, "awaiting_info", "in_review", local(8), KARO
    )
    assert not resumed.clock.is_paused
    assert resumed.deadline_changed
    assert resumed.clock.deadline == KARO.end_of_day(date(2024, 11, 12))


def test_a_breached_clock_cannot_be_paused_and_says_so() -> None:
    out = apply_status(CLOCK, ASSIGNED, "in_review", "awaiting_info", local(11), KARO)
    assert not out.clock.is_paused
    assert "tidak dapat dijeda" in out.notes[0]


@pytest.mark.parametrize("status", sorted(CLOSED_STATUSES))
def test_closed_statuses_stop_the_clock(status: str) -> None:
    out = apply_status(CLOCK, ASSIGNED, "in_review", status, local(5), KARO)
    assert out.clock.is_stopped
    assert out.open is False


def test_closing_a_paused_case_credits_the_pause_first() -> None:
    paused = apply_status(CLOCK, ASSIGNED, "in_review", "awaiting_info", local(5), KARO)
    out = apply_status(
        paused.clock, paused.assignment, "awaiting_info", "withdrawn", local(8), KARO
    )
    assert out.clock.is_stopped
    assert out.clock.deadline == KARO.end_of_day(date(2024, 11, 12))


def test_reopening_starts_a_fresh_clock() -> None:
    closed = apply_status(CLOCK, ASSIGNED, "in_review", "closed", local(5), KARO)
    out = apply_status(closed.clock, closed.assignment, "closed", "in_review", local(18), KARO)
    assert out.open
    assert not out.clock.is_stopped
    assert out.clock.started_at == local(18).astimezone(UTC)
    assert out.deadline_changed


def test_verification_done_starts_the_answer_stage() -> None:
    out = apply_status(CLOCK, ASSIGNED, "in_review", "verified", local(6), KARO)
    assert out.finished is not None
    assert out.finished.stage == LAPOR_VERIFICATION
    assert out.finished.is_stopped
    assert out.clock.stage == LAPOR_ANSWER
    # Five working days from Wednesday 6 Nov: the end of Wednesday 13 Nov.
    assert out.clock.deadline == KARO.end_of_day(date(2024, 11, 13))
    assert out.deadline_changed
    # Officers read the note in the decision's explanation: the stage in words.
    assert out.notes == ("tahap tindak lanjut laporan dimulai",)


def test_an_event_older_than_the_clock_is_applied_at_the_clock_time() -> None:
    paused = apply_status(CLOCK, ASSIGNED, "in_review", "awaiting_info", local(5), KARO)
    # A retried "resume" that was stamped before the pause it follows.
    late = apply_status(
        paused.clock,
        paused.assignment,
        "awaiting_info",
        "in_review",
        local(5) - timedelta(hours=1),
        KARO,
    )
    assert late.clock.history[-1].at == local(5).astimezone(UTC)
    assert late.clock.deadline == CLOCK.deadline


def test_without_assignment_only_the_clock_moves() -> None:
    out = apply_status(CLOCK, None, "received", "awaiting_info", local(5), KARO)
    assert out.assignment is None
    assert out.clock.is_paused


def test_a_later_action_does_not_move_last_action_back() -> None:
    acted = replace(ASSIGNED, last_action_at=local(6))
    out = apply_status(CLOCK, acted, "in_review", "in_progress", local(5), KARO)
    assert out.assignment is not None
    assert out.assignment.last_action_at == local(6)


def test_the_officer_is_told_of_a_deadline_the_next_stage_moved() -> None:
    out = apply_status(CLOCK, ASSIGNED, "received", "verified", local(6), KARO)
    assert moved_deadline(CLOCK.deadline, out) == KARO.end_of_day(date(2024, 11, 13))


def test_a_resumed_clock_tells_the_new_date_and_a_pause_tells_nothing() -> None:
    paused = apply_status(CLOCK, ASSIGNED, "in_review", "awaiting_info", local(5), KARO)
    assert moved_deadline(CLOCK.deadline, paused) is None
    resumed = apply_status(
        paused.clock, paused.assignment, "awaiting_info", "in_review", local(8), KARO
    )
    assert moved_deadline(paused.clock.deadline, resumed) == KARO.end_of_day(date(2024, 11, 12))


@pytest.mark.parametrize("status", sorted(CLOSED_STATUSES))
def test_a_closed_case_tells_no_new_deadline(status: str) -> None:
    out = apply_status(CLOCK, ASSIGNED, "in_review", status, local(5), KARO)
    assert moved_deadline(CLOCK.deadline, out) is None


def test_a_deadline_that_did_not_really_move_is_not_announced() -> None:
    # A stage change that lands on the same moment, or the same one as MongoDB gives it
    # back (to the millisecond), reads the same to the officer.
    same = replace(
        apply_status(CLOCK, ASSIGNED, "received", "in_review", local(5), KARO),
        deadline_changed=True,
    )
    assert moved_deadline(CLOCK.deadline, same) is None
    stored = CLOCK.deadline.replace(microsecond=CLOCK.deadline.microsecond // 1000 * 1000)
    assert moved_deadline(stored, same) is None
