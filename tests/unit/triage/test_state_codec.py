"""Clocks and assignments survive the trip through a stored document."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.triage.domain.calendar import build_calendar
from services.triage.domain.ladder import AssignmentState
from services.triage.domain.sla import DEFAULT_RULES, LAPOR_ANSWER, pause, resume, start_clock
from services.triage.storage.state_codec import (
    Assignment,
    assignment_from_doc,
    assignment_to_doc,
    clock_from_doc,
    clock_to_doc,
)
from shared.regions import timezone_for

KUTIM = build_calendar(timezone_for("64.08"), [2024, 2025], [date(2024, 12, 26)])
START = datetime(2024, 12, 2, 1, 0, tzinfo=UTC)


@given(
    paused_after=st.integers(min_value=1, max_value=48),
    paused_for=st.integers(min_value=1, max_value=200),
)
def test_clock_round_trip(paused_after: int, paused_for: int) -> None:
    clock = start_clock(DEFAULT_RULES[LAPOR_ANSWER], START, KUTIM)
    at = START + timedelta(hours=paused_after)
    if at <= clock.deadline:
        clock = pause(clock, at, "menunggu data pelapor")
        clock = resume(clock, at + timedelta(hours=paused_for), KUTIM)
    assert clock_from_doc(clock_to_doc(clock)) == clock


def test_assignment_round_trip_and_absence() -> None:
    assignment = Assignment(
        state=AssignmentState(
            assigned_at=START,
            acknowledged_at=None,
            officer_id="kutim-bkpsdm-1",
            resends_done=1,
            sequence=2,
            last_action_at=START + timedelta(hours=1),
        ),
        unit="BKPSDM",
        to_province=False,
        tried=("kutim-bkpsdm-0",),
    )
    assert assignment_from_doc(assignment_to_doc(assignment)) == assignment
    assert assignment_from_doc(None) is None


def test_naive_times_from_storage_are_read_as_utc() -> None:
    doc = clock_to_doc(start_clock(DEFAULT_RULES[LAPOR_ANSWER], START, KUTIM))
    naive = {
        **doc,
        "started_at": doc["started_at"].replace(tzinfo=None),
        "deadline": doc["deadline"].replace(tzinfo=None),
    }
    clock = clock_from_doc(naive)
    assert clock.started_at == START
    assert clock.deadline.tzinfo is not None
