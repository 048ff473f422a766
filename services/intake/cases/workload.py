"""Each officer's open cases in a region, counted by MongoDB: the supervisor's team board.

One aggregation groups the area's open cases by regency and assigned officer and counts, for
each, the open ones, the overdue ones, those due before a moment the caller names (the
console computes it from triage's working-day calendar), those waiting for the reporter, and
those nobody has picked up yet, with the oldest of these. Cases at the province desk or not
routed yet form a row of their own (no officer). The figures follow the same rules as the
case list's filters (``filters.build_criteria``), so a figure and the list it links to agree.

The pipeline is built and its result shaped here by pure functions; ``compute`` is the only
I/O.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field
from pymongo.collection import Collection

from services.intake.cases.filters import CLOSED_STATUSES, region_scope
from shared.auth import Principal
from shared.filter_types import Moment

# The board is read by people waiting on a page: a slow count must not hold a web worker.
MAX_TIME_MS: Final = 10_000
# A case nobody has picked up: still as it arrived, and not acknowledged by anyone.
UNTOUCHED_STATUS: Final = "received"


class WorkloadQuery(BaseModel):
    """Filters of ``GET /v1/workload``."""

    model_config = ConfigDict(extra="forbid")

    region_code: str | None = Field(
        default=None, max_length=5, description="One regency (or the province) of your area"
    )
    due_before: Moment | None = Field(
        default=None,
        description="Count open cases whose statutory deadline is before this moment "
        "(e.g. the end of the second working day from now, from triage's calendar)",
    )


class UntouchedCase(BaseModel):
    case_id: str
    submitted_at: str


class WorkloadRow(BaseModel):
    """One officer's open cases in one region (or the region's unassigned ones)."""

    region: str
    officer_id: str | None = Field(
        description="null: cases nobody holds (at the province desk, or not routed yet)"
    )
    name: str | None = Field(description="The assignee's name as the cases record it")
    open: int
    overdue: int = Field(description="Deadline passed")
    due_soon: int | None = Field(
        description="Deadline before due_before, overdue ones included (the case list's "
        "due_before filter counts the same); null when due_before was not given"
    )
    awaiting_info: int = Field(description="Waiting for the reporter (clock paused)")
    untouched: int = Field(description="Still received and acknowledged by nobody")
    oldest_untouched: UntouchedCase | None


class Workload(BaseModel):
    as_of: str
    due_before: str | None
    items: list[WorkloadRow]


def _deadline_before(moment: datetime) -> dict[str, Any]:
    # A case without a deadline (not triaged yet) is never overdue nor due: compare dates only,
    # since a missing field sorts below every date.
    return {
        "$and": [
            {"$eq": [{"$type": "$triage.due_at"}, "date"]},
            {"$lt": ["$triage.due_at", moment]},
        ]
    }


def _count_if(condition: dict[str, Any]) -> dict[str, Any]:
    return {"$sum": {"$cond": [condition, 1, 0]}}


_UNTOUCHED: Final = {
    "$and": [
        {"$eq": ["$status", UNTOUCHED_STATUS]},
        {"$in": [{"$type": "$acknowledged_at"}, ["missing", "null"]]},
    ]
}


def match_stage(query: WorkloadQuery, principal: Principal) -> dict[str, Any]:
    """The open cases of the caller's area (or of one region of it)."""
    criteria = region_scope(principal, query.region_code)
    criteria["status"] = {"$nin": list(CLOSED_STATUSES)}
    return criteria


def pipeline(
    match: dict[str, Any], *, now: datetime, due_before: datetime | None
) -> list[dict[str, Any]]:
    """The aggregation: one group per (region, assigned officer)."""
    group: dict[str, Any] = {
        "_id": {"region": "$tenant", "officer_id": "$triage.assignee.officer_id"},
        "name": {"$max": "$triage.assignee.name"},
        "open": {"$sum": 1},
        "overdue": _count_if(_deadline_before(now)),
        "awaiting_info": _count_if({"$eq": ["$status", "awaiting_info"]}),
        "untouched": _count_if(_UNTOUCHED),
        # $min skips the nulls the other cases give: the oldest untouched case, or none.
        "oldest_untouched": {
            "$min": {"$cond": [_UNTOUCHED, {"at": "$submitted_at", "id": "$_id"}, None]}
        },
    }
    if due_before is not None:
        group["due_soon"] = _count_if(_deadline_before(due_before))
    return [
        {"$match": match},
        {"$group": group},
        {"$sort": {"_id.region": 1, "_id.officer_id": 1}},
    ]


def shape(
    rows: list[dict[str, Any]], *, now: datetime, due_before: datetime | None
) -> dict[str, Any]:
    """The answer from the grouped rows."""
    items = []
    for row in rows:
        oldest = row.get("oldest_untouched")
        items.append(
            {
                "region": row["_id"]["region"],
                "officer_id": row["_id"].get("officer_id"),
                "name": row.get("name"),
                "open": int(row["open"]),
                "overdue": int(row["overdue"]),
                "due_soon": int(row["due_soon"]) if due_before is not None else None,
                "awaiting_info": int(row["awaiting_info"]),
                "untouched": int(row["untouched"]),
                "oldest_untouched": (
                    {"case_id": str(oldest["id"]), "submitted_at": _iso(oldest["at"])}
                    if oldest
                    else None
                ),
            }
        )
    return {
        "as_of": now.isoformat(),
        "due_before": due_before.isoformat() if due_before is not None else None,
        "items": items,
    }


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def compute(
    cases: Collection[dict[str, Any]], query: WorkloadQuery, principal: Principal, *, now: datetime
) -> dict[str, Any]:
    """Run the aggregation on ``cases`` for ``principal`` and shape its answer."""
    stages = pipeline(match_stage(query, principal), now=now, due_before=query.due_before)
    rows = list(cases.aggregate(stages, maxTimeMS=MAX_TIME_MS))
    return shape(rows, now=now, due_before=query.due_before)
