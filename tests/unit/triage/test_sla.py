from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from services.triage.domain.calendar import build_calendar
from services.triage.domain.sla import (
    BAWASLU_DECISION,
    DEFAULT_RULES,
    LAPOR_ANSWER,
    LAPOR_VERIFICATION,
    PILKADA_REPORT,
    PPK_DECISION_DELIVERY,
    Clock,
    ClockError,
    DeadlineRule,
    extend,
    is_late_filing,
    pause,
    resume,
    start_clock,
    status,
    stop,
)
from shared.regions import timezone_for

WIB = timezone_for("12.06")  # Karo
WITA = timezone_for("64.08")  # Kutai Timur
KARO = build_calendar(WIB, [2024, 2025], collective_leave=[date(2024, 12, 26)])
KUTAI_TIMUR = build_calendar(WITA, [2024, 2025], collective_leave=[date(2024, 12, 26)])

ANSWER = DEFAULT_RULES[LAPOR_ANSWER]
DECISION = DEFAULT_RULES[BAWASLU_DECISION]
WARN = timedelta(hours=24)


def wib(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WIB)


def local_day(moment: datetime) -> date:
    return moment.astimezone(WIB).date()


def answer_clock() -> Clock:
    """A SP4N-LAPOR! answer clock started Monday 2 Dec 2024: due end of Monday 9 Dec."""
    clock = start_clock(ANSWER, wib(2024, 12, 2, 9, 0), KARO)
    assert local_day(clock.deadline) == date(2024, 12, 9)
    return clock


# ---------------------------------------------------------------------------- rules


@pytest.mark.parametrize(
    ("stage", "amount", "unit", "extension"),
    [
        (PILKADA_REPORT, 7, "calendar_days", 0),
        (BAWASLU_DECISION, 3, "calendar_days", 2),
        (LAPOR_VERIFICATION, 3, "working_days", 0),
        (LAPOR_ANSWER, 5, "working_days", 0),
        (PPK_DECISION_DELIVERY, 14, "working_days", 0),
    ],
)
def test_default_rules_follow_the_statutes(
    stage: str, amount: int, unit: str, extension: int
) -> None:
    rule = DEFAULT_RULES[stage]
    assert (rule.stage, rule.amount, rule.unit, rule.extension_amount) == (
        stage,
        amount,
        unit,
        extension,
    )


def test_default_rules_cannot_be_changed_at_run_time() -> None:
    shorter = DeadlineRule(LAPOR_ANSWER, 1, "working_days")
    with pytest.raises(TypeError):
        DEFAULT_RULES[LAPOR_ANSWER] = shorter  # type: ignore[index]
    assert DEFAULT_RULES[LAPOR_ANSWER].amount == 5


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"stage": "", "amount": 1, "unit": "working_days"}, "needs a stage"),
        ({"stage": "x", "amount": 0, "unit": "working_days"}, "at least 1"),
        ({"stage": "x", "amount": 1, "unit": "hours"}, "unit must be one of"),
        ({"stage": "x", "amount": 1, "unit": "working_days", "extension_amount": -1}, "negative"),
    ],
)
def test_invalid_rules_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DeadlineRule(**kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- start


def test_working_day_clock_in_kutai_timur_ends_at_2359_wita() -> None:
    clock = start_clock(
        DEFAULT_RULES[LAPOR_VERIFICATION], datetime(2024, 11, 22, 10, tzinfo=WITA), KUTAI_TIMUR
    )
    # Mon 25, Tue 26, Wed 27 is voting day, Thu 28.
    assert clock.deadline == datetime(2024, 11, 28, 15, 59, 59, 999999, tzinfo=UTC)
    assert clock.zone == "Asia/Makassar"
    assert clock.started_at.tzinfo is UTC
    assert [e.kind for e in clock.history] == ["started"]


def test_calendar_day_clock_runs_through_the_voting_day_holiday() -> None:
    clock = start_clock(DECISION, wib(2024, 11, 26, 10, 0), KARO)
    assert clock.deadline == datetime(2024, 11, 29, 16, 59, 59, 999999, tzinfo=UTC)


def test_ppk_delivery_clock_skips_christmas_and_collective_leave() -> None:
    clock = start_clock(DEFAULT_RULES[PPK_DECISION_DELIVERY], wib(2024, 12, 16, 11, 0), KARO)
    assert clock.deadline == KARO.add_working_days(wib(2024, 12, 16, 11, 0), 14)
    assert KARO.working_days_between(wib(2024, 12, 16, 11, 0), clock.deadline) == 14
    # 17-20, 23, 24, 27, 30, 31 Dec, 2, 3, 6, 7, 8 Jan (25 Christmas, 26 leave, 1 Jan).
    assert local_day(clock.deadline) == date(2025, 1, 8)


# ---------------------------------------------------------------------- pause/resume


def test_pause_friday_afternoon_to_monday_morning_gives_back_only_monday() -> None:
    clock = answer_clock()
    paused = pause(clock, wib(2024, 12, 6, 15, 0), "menunggu kelengkapan bukti")
    resumed = resume(paused, wib(2024, 12, 9, 9, 0), KARO)
    # Saturday and Sunday were never working days, so only Monday comes back.
    assert resumed.paused_days == 1
    assert local_day(resumed.deadline) == date(2024, 12, 10)
    assert KARO.working_days_between(clock.deadline, resumed.deadline) == 1
    (interval,) = resumed.pauses
    assert interval.started_at == wib(2024, 12, 6, 15, 0)
    assert interval.ended_at == wib(2024, 12, 9, 9, 0)
    assert interval.credited_days == 1


def test_pause_that_ends_on_the_same_day_gives_nothing_back() -> None:
    clock = answer_clock()
    resumed = resume(pause(clock, wib(2024, 12, 3, 9, 0), "rapat"), wib(2024, 12, 3, 16, 0), KARO)
    assert resumed.deadline == clock.deadline
    assert resumed.paused_days == 0


def test_pause_over_a_weekend_ending_on_sunday_gives_nothing_back() -> None:
    clock = answer_clock()
    resumed = resume(pause(clock, wib(2024, 12, 6, 15, 0), "x"), wib(2024, 12, 8, 20, 0), KARO)
    assert resumed.deadline == clock.deadline


def test_pause_over_christmas_counts_only_working_days_lost() -> None:
    clock = start_clock(ANSWER, wib(2024, 12, 20, 9, 0), KARO)
    # 23, 24, 27, 30, 31 Dec.
    assert local_day(clock.deadline) == date(2024, 12, 31)
    paused = pause(clock, wib(2024, 12, 24, 10, 0), "menunggu keterangan terlapor")
    resumed = resume(paused, wib(2024, 12, 27, 9, 0), KARO)
    # 25 Dec holiday and 26 Dec collective leave began during the pause, and so did 27 Dec.
    assert resumed.paused_days == 1
    assert local_day(resumed.deadline) == date(2025, 1, 2)


def test_calendar_day_clock_gives_back_calendar_days() -> None:
    clock = start_clock(DECISION, wib(2024, 11, 26, 10, 0), KARO)
    resumed = resume(pause(clock, wib(2024, 11, 27, 8, 0), "x"), wib(2024, 11, 29, 8, 0), KARO)
    assert resumed.paused_days == 2
    assert resumed.deadline == clock.deadline + timedelta(days=2)


def test_two_pauses_add_up_and_history_tells_the_story() -> None:
    clock = answer_clock()
    clock = resume(pause(clock, wib(2024, 12, 3, 17, 0), "a"), wib(2024, 12, 4, 8, 0), KARO)
    clock = resume(pause(clock, wib(2024, 12, 5, 17, 0), "b"), wib(2024, 12, 6, 8, 0), KARO)
    assert clock.paused_days == 2
    assert local_day(clock.deadline) == date(2024, 12, 11)
    assert [e.kind for e in clock.history] == [
        "started",
        "paused",
        "resumed",
        "paused",
        "resumed",
    ]
    assert [e.reason for e in clock.history if e.kind == "paused"] == ["a", "b"]


pause_moments = st.datetimes(
    min_value=datetime(2024, 12, 2, 9, 0), max_value=datetime(2024, 12, 9, 23, 59)
).map(lambda d: d.replace(tzinfo=WIB))
pause_lengths = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20))


@given(pause_moments, pause_lengths)
def test_a_pause_keeps_the_working_days_that_were_left(
    paused_at: datetime, length: timedelta
) -> None:
    clock = answer_clock()
    assume(paused_at <= clock.deadline)
    resumed_at = paused_at + length
    resumed = resume(pause(clock, paused_at, "x"), resumed_at, KARO)
    given_back = KARO.working_days_between(paused_at, resumed_at)
    assert resumed.paused_days == given_back
    assert KARO.working_days_between(clock.deadline, resumed.deadline) == given_back
    assert resumed.deadline >= clock.deadline
    left_at_pause = KARO.working_days_between(paused_at, clock.deadline)
    if left_at_pause:
        assert KARO.working_days_between(resumed_at, resumed.deadline) == left_at_pause


def test_pausing_a_paused_clock_is_refused() -> None:
    paused = pause(answer_clock(), wib(2024, 12, 3, 9, 0), "x")
    with pytest.raises(ClockError, match="already paused"):
        pause(paused, wib(2024, 12, 3, 10, 0), "again")


def test_resuming_a_running_clock_is_refused() -> None:
    with pytest.raises(ClockError, match="not paused"):
        resume(answer_clock(), wib(2024, 12, 3, 9, 0), KARO)


def test_a_pause_needs_a_reason() -> None:
    with pytest.raises(ClockError, match="needs a reason"):
        pause(answer_clock(), wib(2024, 12, 3, 9, 0), "  ")


def test_pausing_after_the_deadline_cannot_undo_the_breach() -> None:
    with pytest.raises(ClockError, match="has passed"):
        pause(answer_clock(), wib(2024, 12, 10, 0, 0), "terlambat")


def test_transitions_cannot_go_back_in_time() -> None:
    paused = pause(answer_clock(), wib(2024, 12, 4, 9, 0), "x")
    with pytest.raises(ClockError, match="last event"):
        resume(paused, wib(2024, 12, 4, 8, 0), KARO)


def test_resuming_with_a_calendar_of_another_zone_is_refused() -> None:
    paused = pause(answer_clock(), wib(2024, 12, 4, 9, 0), "x")
    with pytest.raises(ClockError, match="Asia/Jakarta"):
        resume(paused, wib(2024, 12, 5, 9, 0), KUTAI_TIMUR)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        pause(answer_clock(), datetime(2024, 12, 4, 9, 0), "x")


# --------------------------------------------------------------------------- extend


def test_bawaslu_extension_adds_two_calendar_days_once() -> None:
    clock = start_clock(DECISION, wib(2024, 11, 26, 10, 0), KARO)
    extended = extend(clock, DECISION, KARO, wib(2024, 11, 28, 12, 0), "butuh keterangan tambahan")
    assert extended.deadline == clock.deadline + timedelta(days=2)
    assert extended.is_extended
    assert extended.history[-1].reason == "butuh keterangan tambahan"
    with pytest.raises(ClockError, match="already been extended"):
        extend(extended, DECISION, KARO, wib(2024, 11, 29, 12, 0))


def test_a_rule_without_extension_cannot_extend() -> None:
    with pytest.raises(ClockError, match="has no extension"):
        extend(answer_clock(), ANSWER, KARO, wib(2024, 12, 3, 9, 0))


def test_a_rule_of_another_stage_cannot_extend() -> None:
    with pytest.raises(ClockError, match="cannot extend clock"):
        extend(answer_clock(), DECISION, KARO, wib(2024, 12, 3, 9, 0))


def test_extending_after_the_deadline_is_refused() -> None:
    clock = start_clock(DECISION, wib(2024, 11, 26, 10, 0), KARO)
    with pytest.raises(ClockError, match="has passed"):
        extend(clock, DECISION, KARO, wib(2024, 11, 30, 0, 0))


def test_working_day_extension_counts_working_days() -> None:
    rule = DeadlineRule("pemilu_decision", 7, "working_days", extension_amount=7)
    clock = start_clock(rule, wib(2024, 11, 20, 9, 0), KARO)
    extended = extend(clock, rule, KARO, wib(2024, 11, 25, 9, 0))
    assert KARO.working_days_between(clock.deadline, extended.deadline) == 7


# ---------------------------------------------------------------------- status, stop


def test_status_moves_from_on_time_to_due_soon_to_breached() -> None:
    clock = answer_clock()
    assert status(clock, wib(2024, 12, 5, 9, 0), WARN) == "on_time"
    assert status(clock, clock.deadline - WARN, WARN) == "due_soon"
    assert status(clock, clock.deadline, WARN) == "due_soon"
    assert status(clock, clock.deadline + timedelta(microseconds=1), WARN) == "breached"


def test_a_paused_clock_reports_paused_even_past_its_old_deadline() -> None:
    paused = pause(answer_clock(), wib(2024, 12, 6, 9, 0), "x")
    assert status(paused, wib(2024, 12, 20, 9, 0), WARN) == "paused"


def test_a_stopped_clock_keeps_its_outcome() -> None:
    clock = answer_clock()
    on_time = stop(clock, wib(2024, 12, 9, 20, 0), KARO, "dijawab")
    late = stop(clock, wib(2024, 12, 10, 8, 0), KARO, "dijawab")
    assert status(on_time, wib(2025, 1, 10, 9, 0), WARN) == "on_time"
    assert status(late, wib(2025, 1, 10, 9, 0), WARN) == "breached"
    with pytest.raises(ClockError, match="stopped"):
        pause(on_time, wib(2024, 12, 9, 21, 0), "x")
    with pytest.raises(ClockError, match="already stopped"):
        stop(on_time, wib(2024, 12, 9, 21, 0), KARO)


def test_stopping_a_paused_clock_credits_the_pause_first() -> None:
    paused = pause(answer_clock(), wib(2024, 12, 9, 10, 0), "x")
    stopped = stop(paused, wib(2024, 12, 12, 10, 0), KARO, "selesai")
    assert [e.kind for e in stopped.history][-2:] == ["resumed", "stopped"]
    assert stopped.paused_days == 3
    assert status(stopped, wib(2024, 12, 20, 0, 0), WARN) == "on_time"


def test_negative_warning_window_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        status(answer_clock(), wib(2024, 12, 3, 9, 0), -WARN)


# -------------------------------------------------------------------- late filing


def test_report_on_the_seventh_day_is_in_time_and_on_the_eighth_late() -> None:
    known = datetime(2024, 11, 1, 20, 0, tzinfo=WITA)
    assert not is_late_filing(known, datetime(2024, 11, 8, 23, 59, 59, tzinfo=WITA))
    assert is_late_filing(known, datetime(2024, 11, 9, 0, 0, 1, tzinfo=WITA))


def test_late_filing_counts_days_in_the_regions_zone() -> None:
    # 2 Nov 01:00 WITA, stored as UTC, is still 1 Nov in UTC.
    known = datetime(2024, 11, 1, 17, 0, tzinfo=UTC)
    submitted = datetime(2024, 11, 9, 20, 0, tzinfo=WITA)
    assert not is_late_filing(known, submitted, tz=WITA)
    assert is_late_filing(known, submitted)


def test_late_filing_refuses_a_report_sent_before_it_was_known() -> None:
    with pytest.raises(ValueError, match="before known_at"):
        is_late_filing(wib(2024, 11, 5, 9, 0), wib(2024, 11, 4, 9, 0))


@given(
    st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2024, 12, 1)),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=12)),
)
def test_late_filing_agrees_with_the_report_window_clock(known: datetime, delay: timedelta) -> None:
    known_at = known.replace(tzinfo=WITA)
    submitted_at = known_at + delay
    window = start_clock(DEFAULT_RULES[PILKADA_REPORT], known_at, KUTAI_TIMUR)
    assert is_late_filing(known_at, submitted_at, tz=WITA) == (submitted_at > window.deadline)
