"""What a case's status change does to its statutory clock and its assignment.

Statuses are intake's; triage reads four things from them:

- ``awaiting_info`` pauses the clock (the office asked the reporter for more) and leaving
  it resumes the clock, the deadline moving by the days the pause gave back;
- a closed status stops the clock and, with it, the escalation ladder; leaving a closed
  status (a reopened case) starts a fresh clock;
- a status that opens a later stage (``verified``: the agency's answer is due) stops the
  finished stage's clock and starts the next one;
- any change is an officer's action on the case, and leaving ``received`` (or an explicit
  acknowledgement, sent as a change to the same status) acknowledges the assignment, which
  stops resends and reassignment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType

from services.triage.domain.calendar import WorkingCalendar, require_aware
from services.triage.domain.ladder import AssignmentState
from services.triage.domain.sla import (
    DEFAULT_RULES,
    LAPOR_ANSWER,
    LAPOR_CLOSURE,
    LAPOR_VERIFICATION,
    PPK_DECISION_DELIVERY,
    Clock,
    ClockError,
    pause,
    resume,
    start_clock,
    stop,
)
from shared.ladder_steps import stage_label

RECEIVED = "received"
AWAITING_INFO = "awaiting_info"
CLOSED_STATUSES: frozenset[str] = frozenset(
    {"closed", "rejected", "sanction_imposed", "withdrawn", "duplicate"}
)
# The status that opens each later stage, and the clock it runs on.
STAGE_BY_STATUS: Mapping[str, str] = MappingProxyType(
    {
        "verified": LAPOR_ANSWER,
        "answered": LAPOR_CLOSURE,
        # Intake's case flow: a recommendation is the follow-up after which the case must
        # close; a case awaiting the PPK runs on the PPK's delivery deadline.
        "recommendation_issued": LAPOR_CLOSURE,
        "awaiting_ppk": PPK_DECISION_DELIVERY,
        "sanction_decided": PPK_DECISION_DELIVERY,
    }
)
FIRST_STAGE = LAPOR_VERIFICATION
# Statuses an officer reaches only after checking the report: a case moved to one of them
# without an override confirms triage's category (a labelled example, ``storage/examples``).
# A rejection confirms nothing: the report was not a case to classify.
CONFIRMING_STATUSES: frozenset[str] = frozenset(
    {
        "verified",
        "under_examination",
        "recommendation_issued",
        "awaiting_ppk",
        "sanction_imposed",
        "answered",
        "sanction_decided",
    }
)


@dataclass(frozen=True)
class StatusOutcome:
    """The clock and assignment after a status change, and what an officer should know."""

    clock: Clock
    assignment: AssignmentState | None
    open: bool
    deadline_changed: bool  # a new due date to announce
    finished: Clock | None  # the stage clock that ended because another stage began
    notes: tuple[str, ...]


def is_closed(status: str) -> bool:
    return status in CLOSED_STATUSES


def confirms_proposal(to_status: str) -> bool:
    """Whether a case moved to ``to_status`` has had its category checked by an officer."""
    return to_status in CONFIRMING_STATUSES


def moved_deadline(before: datetime, outcome: StatusOutcome) -> datetime | None:
    """The new deadline to tell the assigned officer of, or None when there is none.

    A change counts only on an open case and when the deadline an officer reads (to the
    minute) differs: a stage that ends and one that begins on the same date, or a pause
    shorter than a minute, announce nothing.
    """
    if not outcome.open or not outcome.deadline_changed:
        return None
    after = outcome.clock.deadline
    if after.replace(second=0, microsecond=0) == before.replace(second=0, microsecond=0):
        return None
    return after


def apply_status(
    clock: Clock,
    assignment: AssignmentState | None,
    from_status: str,
    to_status: str,
    at: datetime,
    calendar: WorkingCalendar,
    actor: str = "",
) -> StatusOutcome:
    """Apply one status change made at ``at``.

    Events can arrive late or out of order (retries): a change older than the clock's last
    event is applied at that event's time, so the clock's history stays in order.
    """
    require_aware(at, "at")
    at = max(at, clock.history[-1].at)
    notes: list[str] = []
    before = clock.deadline
    finished: Clock | None = None
    is_open = not is_closed(to_status)

    if assignment is not None:
        last = assignment.last_action_at
        assignment = replace(assignment, last_action_at=at if last is None else max(last, at))
        # Leaving ``received`` acknowledges; so does an officer's action that keeps the
        # status (intake's "acknowledge" is sent as a change to the same status).
        acknowledging = to_status != RECEIVED or from_status == to_status
        if acknowledging and assignment.acknowledged_at is None:
            assignment = replace(assignment, acknowledged_at=at)

    reason = f"status {to_status}" + (f" oleh {actor}" if actor else "")
    if not is_open:
        if not clock.is_stopped:
            clock = stop(clock, at, calendar, reason=reason)
        return StatusOutcome(clock, assignment, False, False, None, ())

    restarted = False
    if is_closed(from_status) or clock.is_stopped:
        stage = STAGE_BY_STATUS.get(to_status, FIRST_STAGE)
        clock = start_clock(DEFAULT_RULES[stage], at, calendar)
        restarted = True
        notes.append("kasus dibuka kembali: tenggat dihitung ulang")
    if to_status == AWAITING_INFO:
        if not clock.is_paused:
            try:
                clock = pause(clock, at, reason)
            except ClockError:
                notes.append("tenggat tidak dapat dijeda karena sudah terlewati")
    elif clock.is_paused:
        clock = resume(clock, at, calendar, reason=reason)
    next_stage = STAGE_BY_STATUS.get(to_status)
    if next_stage is not None and next_stage != clock.stage:
        finished = stop(clock, at, calendar, reason=f"tahap selesai: {reason}")
        clock = start_clock(DEFAULT_RULES[next_stage], at, calendar)
        # Read by officers in the decision's explanation: the stage in words, not its code.
        notes.append(f"tahap {stage_label(next_stage, 'id')} dimulai")
    changed = restarted or finished is not None or clock.deadline != before
    return StatusOutcome(clock, assignment, True, changed, finished, tuple(notes))
