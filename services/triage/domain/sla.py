"""The statutory clock of one case stage: when it started, when it is due, its pauses.

Every transition is a pure function from one frozen ``Clock`` to the next; the history
tuple is the audit trail an officer or auditor reads to see why a deadline moved.

Pause accounting is counted in whole days of the clock's unit, because the statutes
count whole days: a day is given back if the clock was paused when that day began
(00:00 local). For a working-day clock only working days are given back, so a pause
from Friday 15:00 to Monday 09:00 moves the deadline by one working day (Monday), not
by the three calendar days it spanned; the rest of Friday counts as used. A pause that
begins and ends on the same day gives nothing back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo
from types import MappingProxyType
from typing import Literal, get_args

from services.triage.domain.calendar import WorkingCalendar, end_of_local_day, require_aware

Unit = Literal["working_days", "calendar_days"]
Status = Literal["on_time", "due_soon", "breached", "paused"]
EventKind = Literal["started", "paused", "resumed", "extended", "stopped"]


class ClockError(ValueError):
    """A transition the clock's current state does not allow."""


@dataclass(frozen=True)
class DeadlineRule:
    """How long one stage may take, and by how much it may be extended once."""

    stage: str
    amount: int
    unit: Unit
    extension_amount: int = 0

    def __post_init__(self) -> None:
        if not self.stage:
            raise ValueError("a deadline rule needs a stage name")
        if self.unit not in get_args(Unit):
            raise ValueError(
                f"rule {self.stage!r}: unit must be one of {get_args(Unit)}, got {self.unit!r}"
            )
        if self.amount < 1:
            raise ValueError(f"rule {self.stage!r}: amount must be at least 1, got {self.amount}")
        if self.extension_amount < 0:
            raise ValueError(
                f"rule {self.stage!r}: extension_amount cannot be negative, "
                f"got {self.extension_amount}"
            )


PILKADA_REPORT = "pilkada_report"
BAWASLU_DECISION = "bawaslu_decision"
LAPOR_VERIFICATION = "lapor_verification"
LAPOR_ANSWER = "lapor_answer"
LAPOR_CLOSURE = "lapor_closure"
PPK_DECISION_DELIVERY = "ppk_decision_delivery"

DEFAULT_RULES: Mapping[str, DeadlineRule] = MappingProxyType(
    {
        rule.stage: rule
        for rule in (
            # Perpu 1/2014 art. 134, kept in the Pilkada law: "hari" there are calendar days.
            DeadlineRule(PILKADA_REPORT, 7, "calendar_days"),
            DeadlineRule(BAWASLU_DECISION, 3, "calendar_days", extension_amount=2),
            # SP4N-LAPOR! service standard.
            DeadlineRule(LAPOR_VERIFICATION, 3, "working_days"),
            DeadlineRule(LAPOR_ANSWER, 5, "working_days"),
            DeadlineRule(LAPOR_CLOSURE, 10, "working_days"),
            # PP 94/2021: the PPK's decision reaches the civil servant within 14 working days.
            DeadlineRule(PPK_DECISION_DELIVERY, 14, "working_days"),
        )
    }
)


@dataclass(frozen=True)
class ClockEvent:
    """One line of a clock's history; ``deadline`` is the deadline after the event."""

    kind: EventKind
    at: datetime
    deadline: datetime
    reason: str = ""
    credited_days: int = 0


@dataclass(frozen=True)
class PauseInterval:
    started_at: datetime
    ended_at: datetime
    credited_days: int


@dataclass(frozen=True)
class Clock:
    """The clock of one stage. Datetimes are aware UTC; ``zone`` is where days are counted."""

    stage: str
    unit: Unit
    zone: str
    started_at: datetime
    deadline: datetime
    history: tuple[ClockEvent, ...]
    paused_at: datetime | None = None
    stopped_at: datetime | None = None

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    @property
    def is_stopped(self) -> bool:
        return self.stopped_at is not None

    @property
    def is_extended(self) -> bool:
        return any(event.kind == "extended" for event in self.history)

    @property
    def pauses(self) -> tuple[PauseInterval, ...]:
        """Completed pauses, each with the days of the clock's unit it gave back."""
        intervals: list[PauseInterval] = []
        opened: datetime | None = None
        for event in self.history:
            if event.kind == "paused":
                opened = event.at
            elif event.kind == "resumed" and opened is not None:
                intervals.append(PauseInterval(opened, event.at, event.credited_days))
                opened = None
        return tuple(intervals)

    @property
    def paused_days(self) -> int:
        """Total days (in the clock's unit) that pauses have added to the deadline."""
        return sum(p.credited_days for p in self.pauses)


def _utc(moment: datetime, name: str) -> datetime:
    require_aware(moment, name)
    return moment.astimezone(UTC)


def _advance(calendar: WorkingCalendar, unit: Unit, start: datetime, n: int) -> datetime:
    if unit == "working_days":
        return calendar.add_working_days(start, n)
    return calendar.add_calendar_days(start, n)


def require_same_zone(clock: Clock, calendar: WorkingCalendar) -> None:
    """Refuse a calendar of another zone than the one the clock's days were counted in.

    Deadlines end at local midnight; counting on in another zone would shift every
    later deadline by the difference in offsets.
    """
    if calendar.tz.key != clock.zone:
        raise ClockError(
            f"clock {clock.stage!r} counts days in {clock.zone}, "
            f"but the calendar given is for {calendar.tz.key}"
        )


def _require_after_last_event(clock: Clock, at: datetime, action: str) -> None:
    last = clock.history[-1].at
    if at < last:
        raise ClockError(
            f"cannot {action} clock {clock.stage!r} at {at.isoformat()}: "
            f"its last event was at {last.isoformat()}"
        )


def _require_running(clock: Clock, at: datetime, action: str) -> None:
    if clock.is_stopped:
        raise ClockError(f"cannot {action} clock {clock.stage!r}: it is stopped")
    if clock.is_paused:
        raise ClockError(f"cannot {action} clock {clock.stage!r}: it is already paused")
    _require_after_last_event(clock, at, action)
    if at > clock.deadline:
        # Moving a deadline that has already passed would erase the breach.
        raise ClockError(
            f"cannot {action} clock {clock.stage!r} at {at.isoformat()}: "
            f"its deadline {clock.deadline.isoformat()} has passed"
        )


def start_clock(rule: DeadlineRule, at: datetime, calendar: WorkingCalendar) -> Clock:
    """Start a stage's clock at ``at``; the deadline is counted from the next local day."""
    at = _utc(at, "at")
    deadline = _advance(calendar, rule.unit, at, rule.amount)
    return Clock(
        stage=rule.stage,
        unit=rule.unit,
        zone=calendar.tz.key,
        started_at=at,
        deadline=deadline,
        history=(ClockEvent("started", at, deadline),),
    )


def pause(clock: Clock, at: datetime, reason: str) -> Clock:
    """Stop the clock running, e.g. while waiting for the reporter to complete a report."""
    at = _utc(at, "at")
    if not reason.strip():
        raise ClockError(f"pausing clock {clock.stage!r} needs a reason for the record")
    _require_running(clock, at, "pause")
    event = ClockEvent("paused", at, clock.deadline, reason=reason)
    return replace(clock, paused_at=at, history=(*clock.history, event))


def _credited_days(clock: Clock, calendar: WorkingCalendar, resumed_at: datetime) -> int:
    assert clock.paused_at is not None
    if clock.unit == "working_days":
        return calendar.working_days_between(clock.paused_at, resumed_at)
    return (calendar.local_date(resumed_at) - calendar.local_date(clock.paused_at)).days


def resume(clock: Clock, at: datetime, calendar: WorkingCalendar, reason: str = "") -> Clock:
    """Restart a paused clock; the deadline moves by the days the pause gave back.

    See the module docstring for which days are given back. The deadline is not
    re-checked: a clock paused on its last day and resumed after a weekend is breached.
    """
    at = _utc(at, "at")
    if clock.is_stopped:
        raise ClockError(f"cannot resume clock {clock.stage!r}: it is stopped")
    if clock.paused_at is None:
        raise ClockError(f"cannot resume clock {clock.stage!r}: it is not paused")
    _require_after_last_event(clock, at, "resume")
    require_same_zone(clock, calendar)
    credited = _credited_days(clock, calendar, at)
    deadline = clock.deadline
    if credited:
        deadline = _advance(calendar, clock.unit, deadline, credited)
    event = ClockEvent("resumed", at, deadline, reason=reason, credited_days=credited)
    return replace(clock, deadline=deadline, paused_at=None, history=(*clock.history, event))


def extend(
    clock: Clock, rule: DeadlineRule, calendar: WorkingCalendar, at: datetime, reason: str = ""
) -> Clock:
    """Add the rule's one-time extension to the deadline (e.g. Bawaslu asking for more facts).

    Allowed once, before the deadline passes, on a running clock.
    """
    at = _utc(at, "at")
    if rule.stage != clock.stage:
        raise ClockError(f"rule for {rule.stage!r} cannot extend clock {clock.stage!r}")
    if rule.extension_amount == 0:
        raise ClockError(f"stage {clock.stage!r} has no extension")
    if clock.is_extended:
        raise ClockError(f"clock {clock.stage!r} has already been extended")
    _require_running(clock, at, "extend")
    require_same_zone(clock, calendar)
    deadline = _advance(calendar, rule.unit, clock.deadline, rule.extension_amount)
    event = ClockEvent("extended", at, deadline, reason=reason)
    return replace(clock, deadline=deadline, history=(*clock.history, event))


def stop(clock: Clock, at: datetime, calendar: WorkingCalendar, reason: str = "") -> Clock:
    """Stop the clock for good: the stage is done (or the case closed).

    A paused clock is resumed at the same instant first, so its outcome is judged with
    the days its pause gave back.
    """
    at = _utc(at, "at")
    if clock.is_stopped:
        raise ClockError(f"cannot stop clock {clock.stage!r}: it is already stopped")
    if clock.is_paused:
        clock = resume(clock, at, calendar, reason="stopped while paused")
    _require_after_last_event(clock, at, "stop")
    event = ClockEvent("stopped", at, clock.deadline, reason=reason)
    return replace(clock, stopped_at=at, history=(*clock.history, event))


def status(clock: Clock, now: datetime, warn_before: timedelta) -> Status:
    """Where the clock stands at ``now``.

    A stopped clock keeps the outcome it stopped with: ``breached`` if it stopped after
    its deadline, otherwise ``on_time``.
    """
    now = _utc(now, "now")
    if warn_before < timedelta(0):
        raise ValueError(f"warn_before cannot be negative, got {warn_before}")
    if clock.stopped_at is not None:
        return "breached" if clock.stopped_at > clock.deadline else "on_time"
    if clock.is_paused:
        return "paused"
    if now > clock.deadline:
        return "breached"
    if clock.deadline - now <= warn_before:
        return "due_soon"
    return "on_time"


def is_late_filing(
    known_at: datetime,
    submitted_at: datetime,
    window_days: int = 7,
    *,
    tz: tzinfo | None = None,
) -> bool:
    """Whether a report came after the window (7 days in the Pilkada law) from being known.

    The day it became known does not count; the window closes at the end of its last
    day. Days are counted in ``tz`` (give the region's zone), or else in the zone
    ``known_at`` carries. Same rule as a clock started with ``PILKADA_REPORT``.
    """
    require_aware(known_at, "known_at")
    require_aware(submitted_at, "submitted_at")
    if window_days < 1:
        raise ValueError(f"window_days must be at least 1, got {window_days}")
    if submitted_at < known_at:
        raise ValueError(
            f"submitted_at {submitted_at.isoformat()} is before known_at {known_at.isoformat()}"
        )
    zone = tz if tz is not None else known_at.tzinfo
    assert zone is not None
    last_day = known_at.astimezone(zone).date() + timedelta(days=window_days)
    return submitted_at > end_of_local_day(last_day, zone)
