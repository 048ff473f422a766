from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.triage.domain.calendar import build_calendar
from services.triage.domain.ladder import (
    AssignmentState,
    LadderConfig,
    LadderStep,
    due_steps,
    next_wakeup,
)
from services.triage.domain.sla import (
    BAWASLU_DECISION,
    DEFAULT_RULES,
    LAPOR_ANSWER,
    LAPOR_VERIFICATION,
    Clock,
    ClockError,
    DeadlineRule,
    extend,
    pause,
    start_clock,
    stop,
)
from shared.ladder_steps import StepKind, describe, parse
from shared.regions import timezone_for

WITA = timezone_for("64.08")  # Kutai Timur
KUTAI_TIMUR = build_calendar(WITA, [2024, 2025], collective_leave=[date(2024, 12, 26)])
KARO = build_calendar(timezone_for("12.06"), [2024, 2025])
CONFIG = LadderConfig()
TICK = timedelta(microseconds=1)
NOTHING: frozenset[str] = frozenset()


def wita(day: int, hour: int = 0, minute: int = 0, month: int = 12) -> datetime:
    return datetime(2024, month, day, hour, minute, tzinfo=WITA)


def answer_clock() -> Clock:
    """Started Monday 2 Dec 2024 09:00 WITA; five working days end Monday 9 Dec 23:59 WITA."""
    clock = start_clock(DEFAULT_RULES[LAPOR_ANSWER], wita(2), KUTAI_TIMUR)
    assert clock.deadline == datetime(2024, 12, 9, 15, 59, 59, 999999, tzinfo=UTC)
    return clock


CLOCK = answer_clock()
UNACKED = AssignmentState(assigned_at=wita(2, 9), acknowledged_at=None, officer_id="nip-1")
ACKED = replace(UNACKED, acknowledged_at=wita(2, 10))
SCOPE = "lapor_answer@2024-12-09"


def steps(
    now: datetime,
    assignment: AssignmentState | None = ACKED,
    fired: frozenset[str] = NOTHING,
    clock: Clock = CLOCK,
    config: LadderConfig = CONFIG,
) -> list[LadderStep]:
    return due_steps(clock, assignment, fired, now, calendar=KUTAI_TIMUR, config=config)


def keys(found: list[LadderStep]) -> list[str]:
    return [s.key for s in found]


def wakeup(
    now: datetime,
    assignment: AssignmentState | None = ACKED,
    fired: frozenset[str] = NOTHING,
    clock: Clock = CLOCK,
) -> datetime | None:
    return next_wakeup(clock, assignment, fired, now, calendar=KUTAI_TIMUR, config=CONFIG)


# --------------------------------------------------------------------- reminders


def test_nothing_is_due_while_the_case_is_acknowledged_and_far_from_its_deadline() -> None:
    assert steps(wita(4, 12)) == []
    assert wakeup(wita(4, 12)) == CLOCK.deadline - timedelta(hours=24)


def test_the_24h_reminder_falls_due_exactly_24_hours_before_the_deadline() -> None:
    due = CLOCK.deadline - timedelta(hours=24)
    assert steps(due - TICK) == []
    (step,) = steps(due)
    assert step == LadderStep(f"{SCOPE}:reminder:24h", "reminder", due, "lapor_answer", "nip-1")
    assert step.due_at.tzinfo is UTC


def test_only_the_most_urgent_reminder_is_sent_after_downtime() -> None:
    two_hours_before = CLOCK.deadline - timedelta(hours=2)
    assert keys(steps(two_hours_before)) == [f"{SCOPE}:reminder:2h"]


def test_a_fired_reminder_is_not_returned_again() -> None:
    due = CLOCK.deadline - timedelta(hours=24)
    fired = frozenset(keys(steps(due)))
    assert steps(due + timedelta(hours=1), fired=fired) == []
    assert wakeup(due, fired=fired) == CLOCK.deadline - timedelta(hours=2)


def test_a_reminder_due_before_the_clock_started_is_never_sent() -> None:
    rule = DeadlineRule("cepat", 1, "working_days")
    clock = start_clock(rule, wita(9, 12), KUTAI_TIMUR)
    config = LadderConfig(reminder_offsets=(timedelta(hours=48),))
    assert clock.deadline - timedelta(hours=48) < clock.started_at
    assert steps(wita(9, 12), clock=clock, config=config) == []
    assert (
        next_wakeup(clock, ACKED, NOTHING, wita(9, 12), calendar=KUTAI_TIMUR, config=config)
        == clock.deadline + TICK
    )


def test_a_new_deadline_gets_its_own_reminders() -> None:
    decision = DEFAULT_RULES[BAWASLU_DECISION]
    clock = start_clock(decision, wita(26, 10, month=11), KUTAI_TIMUR)
    first = steps(clock.deadline - timedelta(hours=24), clock=clock)
    assert keys(first) == ["bawaslu_decision@2024-11-29:reminder:24h"]
    extended = extend(clock, decision, KUTAI_TIMUR, wita(29, 10, month=11), "keterangan tambahan")
    later = steps(
        extended.deadline - timedelta(hours=24), clock=extended, fired=frozenset(keys(first))
    )
    assert keys(later) == ["bawaslu_decision@2024-12-01:reminder:24h"]


def test_two_stages_of_one_case_do_not_share_keys() -> None:
    verification = start_clock(DEFAULT_RULES[LAPOR_VERIFICATION], wita(2), KUTAI_TIMUR)
    a = steps(verification.deadline + TICK, clock=verification)
    b = steps(CLOCK.deadline + TICK)
    assert a
    assert b
    assert not set(keys(a)) & set(keys(b))


# ---------------------------------------------------------------------- breaches


def test_breach_escalates_to_the_supervisor_the_instant_after_the_deadline() -> None:
    assert keys(steps(CLOCK.deadline)) == [f"{SCOPE}:reminder:2h"]
    (step,) = steps(CLOCK.deadline + TICK)
    assert step.key == f"{SCOPE}:breach:supervisor"
    assert step.kind == "escalate_supervisor"
    assert step.due_at.astimezone(WITA) == wita(10, 0)


def test_untouched_breach_goes_to_the_province_after_one_working_day() -> None:
    # Deadline Monday 9 Dec; grace is all of Tuesday 10 Dec, so Wednesday 00:00 WITA.
    province_at = wita(11, 0)
    assert keys(steps(province_at - TICK)) == [f"{SCOPE}:breach:supervisor"]
    assert keys(steps(province_at)) == [f"{SCOPE}:breach:supervisor", f"{SCOPE}:breach:province"]
    fired = frozenset({f"{SCOPE}:breach:supervisor"})
    assert wakeup(wita(10, 8), fired=fired) == province_at
    (step,) = steps(province_at, fired=fired)
    assert step.kind == "escalate_province"


def test_the_province_grace_skips_non_working_days() -> None:
    # A deadline on Friday 6 Dec: the grace day is Monday 9 Dec.
    clock = start_clock(DEFAULT_RULES[LAPOR_ANSWER], wita(29, 9, month=11), KUTAI_TIMUR)
    assert clock.deadline.astimezone(WITA).date() == date(2024, 12, 6)
    assert "province" not in " ".join(keys(steps(wita(9, 23), clock=clock)))
    assert keys(steps(wita(10, 0), clock=clock))[-1].endswith(":breach:province")


@pytest.mark.parametrize("field", ["last_action_at", "acknowledged_at"])
def test_an_officer_touching_the_case_after_the_breach_spares_the_province(field: str) -> None:
    after_breach = wita(10, 11)
    if field == "last_action_at":
        touched = replace(ACKED, last_action_at=after_breach)
    else:
        touched = replace(UNACKED, acknowledged_at=after_breach)
    assert keys(steps(wita(12, 9), assignment=touched)) == [f"{SCOPE}:breach:supervisor"]
    fired = frozenset({f"{SCOPE}:breach:supervisor"})
    assert wakeup(wita(12, 9), assignment=touched, fired=fired) is None


def test_no_reminders_after_the_breach() -> None:
    found = steps(wita(10, 1))
    assert all(s.kind != "reminder" for s in found)


# ------------------------------------------------------------- resend and reassign


def test_an_unacknowledged_assignment_is_resent_then_reassigned() -> None:
    assert steps(wita(2, 12, 59), assignment=UNACKED) == []
    assert keys(steps(wita(2, 13), assignment=UNACKED)) == ["assignment:1:resend:1"]
    fired = frozenset({"assignment:1:resend:1"})
    assert steps(wita(2, 16), assignment=UNACKED, fired=fired) == []
    assert keys(steps(wita(2, 17), assignment=UNACKED, fired=fired)) == ["assignment:1:resend:2"]
    (step,) = steps(wita(3, 9), assignment=UNACKED, fired=fired)
    assert (step.key, step.kind, step.officer_id) == ("assignment:1:reassign", "reassign", "nip-1")


def test_after_downtime_only_the_reassignment_is_due_not_stale_resends() -> None:
    assert keys(steps(wita(3, 12), assignment=UNACKED)) == ["assignment:1:reassign"]


def test_acknowledged_assignment_is_never_chased() -> None:
    assert steps(wita(3, 12), assignment=ACKED) == []


def test_resends_done_by_hand_count() -> None:
    by_hand = replace(UNACKED, resends_done=1)
    assert steps(wita(2, 14), assignment=by_hand) == []
    assert keys(steps(wita(2, 17), assignment=by_hand)) == ["assignment:1:resend:2"]


def test_the_officer_a_case_was_reassigned_to_is_chased_under_new_keys() -> None:
    fired = frozenset({"assignment:1:resend:1", "assignment:1:resend:2", "assignment:1:reassign"})
    second = AssignmentState(wita(3, 9, 5), None, "nip-2", sequence=2)
    (step,) = steps(wita(3, 13, 5), assignment=second, fired=fired)
    assert (step.key, step.officer_id) == ("assignment:2:resend:1", "nip-2")


# ----------------------------------------------------------- paused and closed cases


def test_a_paused_case_gets_nothing() -> None:
    paused = pause(CLOCK, wita(5, 10), "menunggu bukti")
    assert steps(wita(20), assignment=UNACKED, clock=paused) == []
    assert wakeup(wita(5, 11), assignment=UNACKED, clock=paused) is None


def test_a_closed_case_gets_nothing() -> None:
    closed = stop(CLOCK, wita(5, 10), KUTAI_TIMUR, "selesai")
    assert steps(wita(20), assignment=UNACKED, clock=closed) == []
    assert wakeup(wita(5, 11), assignment=UNACKED, clock=closed) is None


# ------------------------------------------------------------ the scheduler's view


def run_scheduler(start: datetime, assignment: AssignmentState) -> list[tuple[datetime, str]]:
    """Sleep until each wake-up, fire what is due, record it: what storage would do."""
    fired: set[str] = set()
    log: list[tuple[datetime, str]] = []
    now: datetime | None = start
    while now is not None:
        for step in steps(now, assignment=assignment, fired=frozenset(fired)):
            assert step.key not in fired
            assert step.due_at <= now
            fired.add(step.key)
            log.append((now, step.key))
        now = wakeup(now, assignment=assignment, fired=frozenset(fired))
    return log


def test_a_scheduler_fires_every_rung_once_in_order() -> None:
    log = run_scheduler(wita(2, 9), UNACKED)
    assert [key for _, key in log] == [
        "assignment:1:resend:1",
        "assignment:1:resend:2",
        "assignment:1:reassign",
        f"{SCOPE}:reminder:24h",
        f"{SCOPE}:reminder:2h",
        f"{SCOPE}:breach:supervisor",
        f"{SCOPE}:breach:province",
    ]
    fired_at = {key: at for at, key in log}
    assert fired_at[f"{SCOPE}:breach:supervisor"] == CLOCK.deadline + TICK
    assert fired_at[f"{SCOPE}:breach:province"].astimezone(WITA) == wita(11, 0)


def test_same_inputs_give_the_same_steps_after_a_restart() -> None:
    now = wita(11, 3)
    first = steps(now, assignment=UNACKED)
    again = steps(now, assignment=UNACKED)
    assert first == again
    assert keys(first) == [
        "assignment:1:reassign",
        f"{SCOPE}:breach:supervisor",
        f"{SCOPE}:breach:province",
    ]
    assert steps(now, assignment=UNACKED, fired=frozenset(keys(first))) == []


def test_every_key_the_ladder_writes_reads_back_as_its_step() -> None:
    moments = [
        wita(2, 13),
        CLOCK.deadline - timedelta(hours=24),
        CLOCK.deadline - timedelta(hours=2),
        wita(11, 3),
    ]
    found = [step for moment in moments for step in steps(moment, assignment=UNACKED)]
    assert {step.kind for step in found} == set(get_args(StepKind))
    offsets = set()
    for step in found:
        parsed = parse(step.key)
        assert parsed is not None, step.key
        assert parsed.kind == step.kind
        if step.kind in ("reminder", "escalate_supervisor", "escalate_province"):
            assert parsed.stage == step.stage
            assert parsed.deadline_day == date(2024, 12, 9)
        if step.kind == "reminder":
            offsets.add(parsed.offset_minutes)
    assert offsets == {24 * 60, 2 * 60}


def test_the_reminder_names_the_stage_in_words_not_its_code() -> None:
    (step,) = steps(CLOCK.deadline - timedelta(hours=24))
    assert describe(step.key, "id") == (
        "Pengingat: tenggat tahap tindak lanjut laporan tinggal 24 jam"
    )
    assert describe(step.key, "en") == "Reminder: the report follow-up deadline is 24 hours away"


def test_wakeup_is_now_when_something_is_already_due() -> None:
    assert wakeup(wita(10, 5)) == wita(10, 5)


def test_naive_now_and_a_foreign_calendar_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        due_steps(CLOCK, ACKED, NOTHING, datetime(2024, 12, 5), calendar=KUTAI_TIMUR)
    with pytest.raises(ClockError, match="Asia/Makassar"):
        due_steps(CLOCK, ACKED, NOTHING, wita(5), calendar=KARO)


moments = st.datetimes(
    min_value=datetime(2024, 12, 2, 9, 0), max_value=datetime(2024, 12, 14, 0, 0)
).map(lambda d: d.replace(tzinfo=WITA))
assignments = st.builds(
    AssignmentState,
    assigned_at=moments,
    acknowledged_at=st.none() | moments,
    officer_id=st.just("nip-1"),
    resends_done=st.integers(min_value=0, max_value=2),
    sequence=st.integers(min_value=1, max_value=3),
    last_action_at=st.none() | moments,
)
ALL_KEYS = [
    f"{SCOPE}:reminder:24h",
    f"{SCOPE}:reminder:2h",
    f"{SCOPE}:breach:supervisor",
    f"{SCOPE}:breach:province",
]


@settings(max_examples=200)
@given(moments, assignments, st.sets(st.sampled_from(ALL_KEYS)), st.floats(0, 1))
def test_nothing_becomes_due_before_the_wakeup_and_something_does_at_it(
    now: datetime, assignment: AssignmentState, fired_keys: set[str], fraction: float
) -> None:
    fired = frozenset(fired_keys)
    found = steps(now, assignment=assignment, fired=fired)
    assert all(s.key not in fired and s.due_at <= now for s in found)
    woken = wakeup(now, assignment=assignment, fired=fired)
    if found:
        assert woken == now
        return
    if woken is None:
        assert steps(now + timedelta(days=60), assignment=assignment, fired=fired) == []
        return
    assert woken > now
    assert steps(woken, assignment=assignment, fired=fired)
    between = now + (woken - now) * fraction
    if between < woken:
        assert steps(between, assignment=assignment, fired=fired) == []


@settings(max_examples=50)
@given(assignments, st.lists(st.timedeltas(timedelta(0), timedelta(hours=30)), max_size=40))
def test_polling_at_any_rhythm_fires_each_key_at_most_once(
    assignment: AssignmentState, gaps: list[timedelta]
) -> None:
    fired: set[str] = set()
    now = wita(2, 9)
    for gap in gaps:
        now += gap
        for step in steps(now, assignment=assignment, fired=frozenset(fired)):
            assert step.key not in fired
            fired.add(step.key)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reminder_offsets": (timedelta(0),)}, "whole positive minutes"),
        ({"reminder_offsets": (timedelta(seconds=90),)}, "whole positive minutes"),
        ({"reminder_offsets": (timedelta(hours=2), timedelta(minutes=120))}, "distinct"),
        ({"province_grace_working_days": -1}, "cannot be negative"),
        ({"resend_after": timedelta(0)}, "must be positive"),
        ({"max_resends": -1}, "cannot be negative"),
        ({"max_resends": 6, "resend_after": timedelta(hours=4)}, "before reassigning"),
    ],
)
def test_invalid_ladder_configuration_is_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LadderConfig(**kwargs)  # type: ignore[arg-type]


def test_assignment_state_refuses_naive_times() -> None:
    with pytest.raises(ValueError, match="assigned_at must be timezone-aware"):
        AssignmentState(datetime(2024, 12, 2, 9), None, "nip-1")
