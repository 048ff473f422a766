"""The escalation ladder: which reminders and escalations are due for a case stage.

A pure function of the stage's clock, the current assignment, the keys already fired
and the time. Storage records each fired key under a unique index, so a step goes out
once however often the scheduler runs, and a restarted scheduler computes the same
steps from the same inputs.

Keys are written by ``shared.ladder_steps``, which also reads them back and words them
for officers, so that they never collide where they must not:

- clock steps carry the stage and the deadline's local date
  (``lapor_answer@2024-12-02:reminder:24h``), so two stages of one case, or a deadline
  moved by an extension or a pause, get their own reminders;
- assignment steps carry the assignment's sequence number in the case
  (``assignment:2:resend:1``), so the officer a case was reassigned to is chased too.

A step that has been overtaken is not due: once the 2-hour reminder is due the
24-hour one is dropped, reminders stop at the breach, and resends stop once the
reassignment is due. A scheduler that was down for a day therefore sends what matters
now, not the backlog.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from services.triage.domain.calendar import WorkingCalendar, require_aware
from services.triage.domain.sla import Clock, require_same_zone
from shared.ladder_steps import (
    StepKind,
    breach_province_key,
    breach_supervisor_key,
    offset_label,
    reassign_key,
    reminder_key,
    resend_key,
)

# Deadlines end at .999999; the breach is the very next instant.
_TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class LadderConfig:
    """When each rung fires. Hours are wall-clock; the province grace is in working days."""

    reminder_offsets: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=2))
    province_grace_working_days: int = 1
    resend_after: timedelta = timedelta(hours=4)
    max_resends: int = 2
    reassign_after: timedelta = timedelta(hours=24)

    def __post_init__(self) -> None:
        labels = [offset_label(o) for o in self.reminder_offsets]
        if len(set(labels)) != len(labels):
            raise ValueError(f"reminder offsets must be distinct, got {labels}")
        if self.province_grace_working_days < 0:
            raise ValueError(
                "province_grace_working_days cannot be negative, "
                f"got {self.province_grace_working_days}"
            )
        if self.resend_after <= timedelta(0):
            raise ValueError(f"resend_after must be positive, got {self.resend_after}")
        if self.max_resends < 0:
            raise ValueError(f"max_resends cannot be negative, got {self.max_resends}")
        if self.resend_after * self.max_resends >= self.reassign_after:
            raise ValueError(
                f"{self.max_resends} resends every {self.resend_after} would not all happen "
                f"before reassigning after {self.reassign_after}"
            )


@dataclass(frozen=True)
class AssignmentState:
    """The case's current assignment.

    ``sequence`` counts assignments of the case (1 for the first, 2 after the first
    reassignment). ``resends_done`` counts resends of this assignment already made,
    including by hand. ``last_action_at`` is the officer's latest action on the case;
    an action or acknowledgement after the deadline spares the province escalation.
    """

    assigned_at: datetime
    acknowledged_at: datetime | None
    officer_id: str
    resends_done: int = 0
    sequence: int = 1
    last_action_at: datetime | None = None

    def __post_init__(self) -> None:
        require_aware(self.assigned_at, "assigned_at")
        for name in ("acknowledged_at", "last_action_at"):
            moment = getattr(self, name)
            if moment is not None:
                require_aware(moment, name)
        if not self.officer_id:
            raise ValueError("an assignment needs an officer_id")
        if self.sequence < 1:
            raise ValueError(f"assignment sequence starts at 1, got {self.sequence}")
        if self.resends_done < 0:
            raise ValueError(f"resends_done cannot be negative, got {self.resends_done}")


@dataclass(frozen=True)
class LadderStep:
    """One rung to fire; ``key`` is unique per case, ``due_at`` is when it became due (UTC).

    ``officer_id`` is the assigned officer the step concerns, ``None`` while nobody is
    assigned; who else receives it (supervisor, province) follows from ``kind``.
    """

    key: str
    kind: StepKind
    due_at: datetime
    stage: str
    officer_id: str | None


def _clock_steps(
    clock: Clock,
    assignment: AssignmentState | None,
    now: datetime,
    calendar: WorkingCalendar,
    config: LadderConfig,
) -> list[LadderStep]:
    officer = assignment.officer_id if assignment else None
    deadline_day = calendar.local_date(clock.deadline)
    breach_at = clock.deadline + _TICK
    steps: list[LadderStep] = []

    if now >= breach_at:
        steps.append(
            LadderStep(
                breach_supervisor_key(clock.stage, deadline_day),
                "escalate_supervisor",
                breach_at,
                clock.stage,
                officer,
            )
        )
        province_at = breach_at
        if config.province_grace_working_days:
            province_at = (
                calendar.add_working_days(clock.deadline, config.province_grace_working_days)
                + _TICK
            )
        touches = (assignment.acknowledged_at, assignment.last_action_at) if assignment else ()
        touched = any(t is not None and t > clock.deadline for t in touches)
        if now >= province_at and not touched:
            steps.append(
                LadderStep(
                    breach_province_key(clock.stage, deadline_day),
                    "escalate_province",
                    province_at,
                    clock.stage,
                    officer,
                )
            )
        return steps

    # Only the most urgent reminder that is due; a reminder whose time came before the
    # clock started is never scheduled.
    due_reminders = [
        (clock.deadline - offset, offset)
        for offset in config.reminder_offsets
        if clock.started_at <= clock.deadline - offset <= now
    ]
    if due_reminders:
        due_at, offset = max(due_reminders)
        steps.append(
            LadderStep(
                reminder_key(clock.stage, deadline_day, offset),
                "reminder",
                due_at,
                clock.stage,
                officer,
            )
        )
    return steps


def _assignment_steps(
    clock: Clock, assignment: AssignmentState, now: datetime, config: LadderConfig
) -> list[LadderStep]:
    if assignment.acknowledged_at is not None:
        return []
    reassign_at = assignment.assigned_at + config.reassign_after
    if now >= reassign_at:
        return [
            LadderStep(
                reassign_key(assignment.sequence),
                "reassign",
                reassign_at,
                clock.stage,
                assignment.officer_id,
            )
        ]
    due = [
        k
        for k in range(assignment.resends_done + 1, config.max_resends + 1)
        if assignment.assigned_at + k * config.resend_after <= now
    ]
    if not due:
        return []
    k = max(due)
    return [
        LadderStep(
            resend_key(assignment.sequence, k),
            "resend",
            assignment.assigned_at + k * config.resend_after,
            clock.stage,
            assignment.officer_id,
        )
    ]


def due_steps(
    clock: Clock,
    assignment: AssignmentState | None,
    fired: Set[str],
    now: datetime,
    *,
    calendar: WorkingCalendar,
    config: LadderConfig | None = None,
) -> list[LadderStep]:
    """Every step due at ``now`` that has not fired yet, ordered by when it became due.

    A paused or stopped clock gets nothing. ``calendar`` must be the regency's: it
    counts the province grace period and dates the keys.
    """
    require_aware(now, "now")
    require_same_zone(clock, calendar)
    cfg = config if config is not None else LadderConfig()
    if clock.is_paused or clock.is_stopped:
        return []
    steps = _clock_steps(clock, assignment, now, calendar, cfg)
    if assignment is not None:
        steps += _assignment_steps(clock, assignment, now, cfg)
    pending = (replace(s, due_at=s.due_at.astimezone(UTC)) for s in steps if s.key not in fired)
    return sorted(pending, key=lambda s: (s.due_at, s.key))


def _schedule(
    clock: Clock, assignment: AssignmentState | None, calendar: WorkingCalendar, cfg: LadderConfig
) -> list[datetime]:
    """Every instant at which the answer of ``due_steps`` can change."""
    times = [clock.deadline - offset for offset in cfg.reminder_offsets]
    times.append(clock.deadline + _TICK)
    if cfg.province_grace_working_days:
        times.append(
            calendar.add_working_days(clock.deadline, cfg.province_grace_working_days) + _TICK
        )
    if assignment is not None:
        times += [
            assignment.assigned_at + k * cfg.resend_after for k in range(1, cfg.max_resends + 1)
        ]
        times.append(assignment.assigned_at + cfg.reassign_after)
    return times


def next_wakeup(
    clock: Clock,
    assignment: AssignmentState | None,
    fired: Set[str],
    now: datetime,
    *,
    calendar: WorkingCalendar,
    config: LadderConfig | None = None,
) -> datetime | None:
    """The first instant at or after ``now`` when ``due_steps`` returns something.

    ``now`` itself if a step is already due; ``None`` if nothing will ever be due with
    these inputs (a paused or stopped clock, everything fired). A scheduler sleeps
    until then, or until an event changes the inputs.
    """
    require_aware(now, "now")
    require_same_zone(clock, calendar)
    now = now.astimezone(UTC)
    cfg = config if config is not None else LadderConfig()
    if clock.is_paused or clock.is_stopped:
        return None
    candidates = sorted({now, *(t for t in _schedule(clock, assignment, calendar, cfg) if t > now)})
    for moment in candidates:
        if due_steps(clock, assignment, fired, moment, calendar=calendar, config=cfg):
            return moment
    return None
