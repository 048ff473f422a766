"""The weekly trend of the statistics: cases received and cases closed in each of the last
twelve weeks, in the caller's time zone.

Pure: the weeks are computed here, once, as instants (Monday 00:00 local), and MongoDB only
drops each case into one of them with ``$bucket``; the database and this module therefore
cannot disagree about where a week begins. Indonesia keeps no daylight saving time, so every
week is exactly seven days long in every zone it uses.

The trend ignores the period's start: a supervisor who looks at the last 30 days still sees
how the weeks before led there. It ends where the period ends (or now), and counts closed
cases by the week they were closed, whenever they were received.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from shared import dates

WEEKS: Final = 12


def boundaries(end: datetime, zone: ZoneInfo, weeks: int = WEEKS) -> list[datetime]:
    """The starts of the ``weeks`` weeks up to the one holding the last moment before
    ``end``, then the start of the week after: ``weeks + 1`` instants in UTC."""
    last = (end - timedelta(microseconds=1)).astimezone(zone)
    monday = datetime.combine(last.date() - timedelta(days=last.weekday()), time(), tzinfo=zone)
    first = monday - timedelta(weeks=weeks - 1)
    return [(first + timedelta(weeks=i)).astimezone(UTC) for i in range(weeks + 1)]


def _bucket(field: str, edges: list[datetime], end: datetime) -> list[dict[str, Any]]:
    return [
        {"$match": {field: {"$gte": edges[0], "$lt": end}}},
        {"$bucket": {"groupBy": f"${field}", "boundaries": edges, "output": {"n": {"$sum": 1}}}},
    ]


def facets(edges: list[datetime], end: datetime) -> dict[str, list[dict[str, Any]]]:
    """The ``$facet`` branches that count received and closed cases per week."""
    return {
        "weekly_received": _bucket("submitted_at", edges, end),
        "weekly_closed": _bucket("closed_at", edges, end),
    }


def window(edges: list[datetime], end: datetime) -> dict[str, Any]:
    """The query part selecting every case the trend counts (received or closed in it)."""
    bounds = {"$gte": edges[0], "$lt": end}
    return {"$or": [{"submitted_at": bounds}, {"closed_at": bounds}]}


def _counts(rows: list[dict[str, Any]]) -> dict[datetime, int]:
    found: dict[datetime, int] = {}
    for row in rows:
        found[dates.aware(row["_id"])] = int(row["n"])
    return found


def shape(result: dict[str, Any], edges: list[datetime], zone: ZoneInfo) -> list[dict[str, Any]]:
    """One row per week, oldest first, weeks without cases included as zeros."""
    received = _counts(result["weekly_received"])
    closed = _counts(result["weekly_closed"])
    return [
        {
            "week_start": _local_day(start, zone).isoformat(),
            "received": received.get(start, 0),
            "closed": closed.get(start, 0),
        }
        for start in edges[:-1]
    ]


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()
