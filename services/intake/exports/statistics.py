"""Case statistics computed by MongoDB: one aggregation with a ``$facet`` per figure.

The pipeline is built and its result shaped here by pure functions; ``compute`` is the only
I/O. Nothing personal leaves: the pipeline groups by codes (category, status, tenant, month,
week) and measures durations, and never projects a name, title or description.

The period filters the cases each figure counts; the weekly trend (``weekly``) has its own
window, the twelve weeks up to the period's end, so the first ``$match`` lets through the
cases of either and each period figure starts by keeping its own.

Medians: MongoDB 7 has a ``$median`` accumulator, but deployments (and the tests' mongod)
still run 6.0, so each group pushes its durations into an array, sorts it with
``$sortArray`` and picks the middle inside the database. Only the figures come back; the
arrays live in the server's aggregation memory (8 bytes a case, well within limits at the
scale of a province's election season).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field
from pymongo.collection import Collection

from services.intake.cases.filters import region_scope
from services.intake.exports import weekly
from shared.auth import Principal
from shared.categories import Category
from shared.filter_types import Moment

_HOUR_MS: Final = 3_600_000
UNCLASSIFIED: Final = "unclassified"
# Statistics are read by people, and a wait on a large province must not hold a web worker.
MAX_TIME_MS: Final = 30_000


class StatisticsQuery(BaseModel):
    """Filters of ``GET /v1/statistics``: the area and the submission period."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    region_code: str | None = Field(
        default=None, max_length=5, description="One regency (or the province) of your area"
    )
    from_: Moment | None = Field(
        default=None, alias="from", description="Cases submitted at or after this moment"
    )
    to: Moment | None = Field(default=None, description="Cases submitted before this")
    category: Literal[Category, "unclassified"] | None = Field(
        default=None,
        description=f"One category's cases only ('{UNCLASSIFIED}': those not classified yet)",
    )


def scope_stage(query: StatisticsQuery, principal: Principal) -> dict[str, Any]:
    """The cases any figure may count: the caller's area (or one region of it), and one
    category if asked."""
    criteria = region_scope(principal, query.region_code)
    if query.category == UNCLASSIFIED:
        criteria["triage.category"] = None
    elif query.category:
        criteria["triage.category"] = query.category
    return criteria


def period_stage(query: StatisticsQuery) -> dict[str, Any]:
    """The cases the period figures count: submitted within the period ({} for all time)."""
    submitted: dict[str, Any] = {}
    if query.from_:
        submitted["$gte"] = query.from_
    if query.to:
        submitted["$lt"] = query.to
    return {"submitted_at": submitted} if submitted else {}


def _counts(key: Any) -> list[dict[str, Any]]:
    return [{"$group": {"_id": key, "n": {"$sum": 1}}}]


def _durations(start: str, end: str, key: Any) -> list[dict[str, Any]]:
    """Count, mean and median hours from ``start`` to ``end`` per ``key`` (None: all)."""
    median = {
        "$let": {
            "vars": {"sorted": {"$sortArray": {"input": "$values", "sortBy": 1}}},
            "in": {
                "$avg": [
                    {
                        "$arrayElemAt": [
                            "$$sorted",
                            {"$floor": {"$divide": [{"$add": ["$n", -1]}, 2]}},
                        ]
                    },
                    {"$arrayElemAt": ["$$sorted", {"$floor": {"$divide": ["$n", 2]}}]},
                ]
            },
        }
    }
    return [
        {"$match": {start: {"$type": "date"}, end: {"$type": "date"}}},
        {
            "$project": {
                "k": key,
                "h": {"$divide": [{"$subtract": [f"${end}", f"${start}"]}, _HOUR_MS]},
            }
        },
        # A negative duration is a data error (a clock set wrong), not a fast officer.
        {"$match": {"h": {"$gte": 0}}},
        {
            "$group": {
                "_id": "$k",
                "n": {"$sum": 1},
                "mean": {"$avg": "$h"},
                "values": {"$push": "$h"},
            }
        },
        {"$project": {"n": 1, "mean": 1, "median": median}},
    ]


def _deadline(key: Any) -> list[dict[str, Any]]:
    """Closed cases with a statutory deadline, and how many closed on or before it."""
    return [
        {"$match": {"closed_at": {"$type": "date"}, "triage.due_at": {"$type": "date"}}},
        {
            "$group": {
                "_id": key,
                "closed": {"$sum": 1},
                "within": {"$sum": {"$cond": [{"$lte": ["$closed_at", "$triage.due_at"]}, 1, 0]}},
            }
        },
    ]


def pipeline(
    scope: dict[str, Any],
    period: dict[str, Any],
    *,
    timezone: str,
    per_regency: bool,
    weeks: list[datetime],
    end: datetime,
) -> list[dict[str, Any]]:
    """The aggregation; months are calendar months in ``timezone`` (the caller's zone),
    ``weeks`` the trend's week boundaries and ``end`` where the trend stops."""
    month = {"$dateToString": {"format": "%Y-%m", "date": "$submitted_at", "timezone": timezone}}
    facets: dict[str, list[dict[str, Any]]] = {
        "total": [{"$count": "n"}],
        "by_category": _counts("$triage.category"),
        "by_status": _counts("$status"),
        "by_regency": _counts("$tenant"),
        "by_month": [{"$match": {"submitted_at": {"$type": "date"}}}, *_counts(month)],
        "first_action": _durations("submitted_at", "first_action_at", None),
        "close": _durations("submitted_at", "closed_at", None),
        "deadline": _deadline(None),
    }
    if per_regency:
        facets |= {
            "regency_status": _counts({"tenant": "$tenant", "status": "$status"}),
            "regency_first_action": _durations("submitted_at", "first_action_at", "$tenant"),
            "regency_close": _durations("submitted_at", "closed_at", "$tenant"),
            "regency_deadline": _deadline("$tenant"),
        }
    if period:
        facets = {name: [{"$match": period}, *stages] for name, stages in facets.items()}
        match = {"$and": [scope, {"$or": [period, weekly.window(weeks, end)]}]}
    else:
        match = scope
    facets |= weekly.facets(weeks, end)
    return [{"$match": match}, {"$facet": facets}]


# ------------------------------------------------------------------------------ shaping


def _rounded(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


def _duration(row: dict[str, Any] | None) -> dict[str, Any]:
    row = row or {}
    return {
        "count": int(row.get("n", 0)),
        "mean_hours": _rounded(row.get("mean")),
        "median_hours": _rounded(row.get("median")),
    }


def _deadline_share(row: dict[str, Any] | None) -> dict[str, Any]:
    row = row or {}
    closed, within = int(row.get("closed", 0)), int(row.get("within", 0))
    return {
        "closed_with_deadline": closed,
        "within_deadline": within,
        "share": round(within / closed, 4) if closed else None,
    }


def _count_map(rows: list[dict[str, Any]], missing: str) -> dict[str, int]:
    counts = {(row["_id"] if row["_id"] is not None else missing): int(row["n"]) for row in rows}
    return dict(sorted(counts.items()))


def _by_key(rows: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    return {row["_id"]: row for row in rows}


def shape(
    result: dict[str, Any],
    *,
    region: str,
    query: StatisticsQuery,
    per_regency: bool,
    weeks: list[datetime],
    zone: ZoneInfo,
) -> dict[str, Any]:
    """The answer from the ``$facet`` document: codes and figures only."""
    total = result["total"][0]["n"] if result["total"] else 0
    body: dict[str, Any] = {
        "region_code": region,
        "category": query.category,
        "period": {
            "from": query.from_.isoformat() if query.from_ else None,
            "to": query.to.isoformat() if query.to else None,
        },
        "total": int(total),
        "by_category": _count_map(result["by_category"], UNCLASSIFIED),
        "by_status": _count_map(result["by_status"], "unknown"),
        "by_regency": _count_map(result["by_regency"], "unknown"),
        "by_month": _count_map(result["by_month"], "unknown"),
        "time_to_first_action": _duration(next(iter(result["first_action"]), None)),
        "time_to_close": _duration(next(iter(result["close"]), None)),
        "closed_within_deadline": _deadline_share(next(iter(result["deadline"]), None)),
        "weekly": weekly.shape(result, weeks, zone),
        "regencies": None,
    }
    if per_regency:
        first, close = _by_key(result["regency_first_action"]), _by_key(result["regency_close"])
        deadline = _by_key(result["regency_deadline"])
        statuses: dict[str, dict[str, int]] = {}
        for row in result["regency_status"]:
            tenant = row["_id"].get("tenant") or "unknown"
            status = row["_id"].get("status") or "unknown"
            statuses.setdefault(tenant, {})[status] = int(row["n"])
        body["regencies"] = [
            {
                "region_code": tenant,
                "total": count,
                "by_status": dict(sorted(statuses.get(tenant, {}).items())),
                "time_to_first_action": _duration(first.get(tenant)),
                "time_to_close": _duration(close.get(tenant)),
                "closed_within_deadline": _deadline_share(deadline.get(tenant)),
            }
            for tenant, count in body["by_regency"].items()
        ]
    return body


def compute(
    cases: Collection[dict[str, Any]],
    query: StatisticsQuery,
    principal: Principal,
    *,
    timezone: str,
    now: datetime,
) -> dict[str, Any]:
    """Run the aggregation on ``cases`` for ``principal`` and shape its answer; the weekly
    trend ends at the period's end, or ``now``."""
    region = query.region_code or principal.region
    per_regency = principal.is_provincial and (query.region_code in (None, principal.region))
    zone = ZoneInfo(timezone)
    end = min(query.to, now) if query.to else now
    weeks = weekly.boundaries(end, zone)
    stages = pipeline(
        scope_stage(query, principal),
        period_stage(query),
        timezone=timezone,
        per_regency=per_regency,
        weeks=weeks,
        end=end,
    )
    result = next(cases.aggregate(stages, maxTimeMS=MAX_TIME_MS, allowDiskUse=True))
    return shape(
        result, region=region, query=query, per_regency=per_regency, weeks=weeks, zone=zone
    )
