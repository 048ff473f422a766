"""The weeks of the statistics' trend: Mondays at midnight in the caller's zone (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from services.intake.exports import weekly

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")


def test_twelve_weeks_end_with_the_week_holding_the_end() -> None:
    # Wednesday 27 November 2024, voting day, 10:00 WIB.
    edges = weekly.boundaries(datetime(2024, 11, 27, 3, 0, tzinfo=UTC), WIB)
    assert len(edges) == weekly.WEEKS + 1
    local = [edge.astimezone(WIB) for edge in edges]
    assert all((d.weekday(), d.hour, d.minute) == (0, 0, 0) for d in local)
    assert local[-2].date().isoformat() == "2024-11-25"
    assert local[0].date().isoformat() == "2024-09-09"
    assert all(b - a == timedelta(weeks=1) for a, b in pairwise(edges))


def test_an_end_at_monday_midnight_closes_the_week_before() -> None:
    monday = datetime(2024, 11, 25, tzinfo=WIB)
    edges = weekly.boundaries(monday, WIB)
    assert edges[-1] == monday
    assert edges[-2].astimezone(WIB).date().isoformat() == "2024-11-18"


def test_weeks_begin_at_local_midnight_in_the_callers_zone() -> None:
    edges = weekly.boundaries(datetime(2024, 11, 27, 3, 0, tzinfo=UTC), WITA)
    # Monday 00:00 WITA is Sunday 16:00 UTC.
    assert (edges[0].weekday(), edges[0].hour) == (6, 16)


def test_the_shape_has_every_week_with_zeros_where_nothing_happened() -> None:
    edges = weekly.boundaries(datetime(2024, 11, 27, 3, 0, tzinfo=UTC), WIB)
    naive = edges[3].replace(tzinfo=None)  # as a client without tz_aware reads it
    result = {
        "weekly_received": [{"_id": naive, "n": 4}],
        "weekly_closed": [{"_id": edges[11], "n": 2}],
    }
    rows = weekly.shape(result, edges, WIB)
    assert len(rows) == 12
    assert rows[3] == {"week_start": "2024-09-30", "received": 4, "closed": 0}
    assert rows[11] == {"week_start": "2024-11-25", "received": 0, "closed": 2}
    assert sum(r["received"] + r["closed"] for r in rows) == 6
