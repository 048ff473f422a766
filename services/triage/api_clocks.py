"""Statutory clocks for lists of cases, and the working-day calendar, over HTTP.

A queue shows, beside each case, how many working days are left; asking case by case would
cost a round trip each, so ``GET /v1/clocks`` answers for a page of cases at once. "Due
within N working days" needs the moment N working days from now in the region's calendar
(weekends, national holidays, collective leave): ``GET /v1/regions/{code}/working-days``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from pydantic import BaseModel, ConfigDict, Field

from services.triage.api_access import region_param, triage_deps
from services.triage.deps import TriageDeps
from services.triage.domain.calendar import WorkingCalendar, build_calendar
from services.triage.domain.sla import status as clock_status
from services.triage.storage.state_codec import clock_from_doc
from shared.auth import READERS, current_principal, requires
from shared.openapi import operation, path_parameter
from shared.problems import Problem
from shared.regions import timezone_for
from shared.request_input import parse_query

bp = Blueprint("triage_clocks", __name__)

MAX_CASES: Final = 100
MAX_AHEAD: Final = 60
# What "due soon" means for a clock's status, as the decision endpoint says it.
DUE_SOON: Final = timedelta(hours=24)


class ClocksQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_id: list[str] = Field(min_length=1, max_length=MAX_CASES)


class AheadQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ahead: int = Field(ge=1, le=MAX_AHEAD, description="Working days from today")


class ClockItem(BaseModel):
    case_id: str
    deadline: str
    working_days_left: int = Field(
        description="Working days from today to the deadline's day (0: today; negative: past)"
    )
    paused: bool
    stopped: bool
    status: str


class Clocks(BaseModel):
    items: list[ClockItem]


class WorkingDays(BaseModel):
    until: str = Field(description="The end of the N-th working day from today, in UTC")


@bp.get("/v1/clocks")
@operation(
    summary="The statutory clocks of up to 100 cases at once",
    description="Cases the caller may not see, or not triaged yet, are left out silently.",
    query=ClocksQuery,
    answers={200: (Clocks, "One item per visible triaged case.")},
    problems=(401, 403, 422),
)
@requires(*READERS)
def clocks() -> ResponseReturnValue:
    principal = current_principal()
    asked = parse_query(ClocksQuery)
    deps = triage_deps()
    now = deps.clock()
    calendars: dict[str, WorkingCalendar] = {}
    items: list[dict[str, Any]] = []
    states = deps.cases.find(
        {"_id": {"$in": list(dict.fromkeys(asked.case_id))}},
        {"tenant": 1, "clock": 1},
    )
    for state in states:
        if not principal.can_see(state["tenant"]) or not state.get("clock"):
            continue
        clock = clock_from_doc(state["clock"])
        calendar = calendars.get(state["tenant"])
        if calendar is None:
            config = deps.config.current(state["tenant"])
            calendar = deps.calendar(config, now, clock.deadline)
            calendars[state["tenant"]] = calendar
        items.append(
            {
                "case_id": str(state["_id"]),
                "deadline": clock.deadline.isoformat(),
                "working_days_left": _days_left(calendar, now, clock.deadline),
                "paused": clock.is_paused,
                "stopped": clock.is_stopped,
                "status": clock_status(clock, now, DUE_SOON),
            }
        )
    return jsonify(items=items)


@bp.get("/v1/regions/<code>/working-days")
@operation(
    summary="The end of the N-th working day from today in a region's calendar",
    description="A province code uses the national calendar; a regency its own days off too.",
    query=AheadQuery,
    parameters=[path_parameter("code", "A regency (12.06) or a province (12)")],
    answers={200: (WorkingDays, "The moment.")},
    problems=(401, 403, 404, 422),
)
@requires(*READERS)
def working_days(code: str) -> ResponseReturnValue:
    region = region_param(code)
    if not current_principal().can_see(region.code) and not (
        region.is_province and current_principal().region.startswith(region.code)
    ):
        raise Problem(404, "No such region for this key.")
    asked = parse_query(AheadQuery)
    deps = triage_deps()
    now = deps.clock()
    if region.is_province:
        calendar = build_calendar(timezone_for(region.code), range(now.year - 1, now.year + 2))
    else:
        calendar = deps.calendar(deps.config.current(region.code), now)
    return jsonify(until=calendar.add_working_days(now, asked.ahead).isoformat())


def working_days_left(deps: TriageDeps, tenant: str, now: datetime, deadline: datetime) -> int:
    """Working days from ``now`` to ``deadline``'s day in ``tenant``'s calendar."""
    return _days_left(deps.calendar(deps.config.current(tenant), now, deadline), now, deadline)


def _days_left(calendar: WorkingCalendar, now: datetime, deadline: datetime) -> int:
    try:
        return calendar.working_days_between(now, deadline)
    except ValueError:
        # A deadline beyond the calendar's years: count calendar days rather than fail.
        return (deadline - now).days
