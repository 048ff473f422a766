"""The period a statistics page covers, from what its URL says: the last 30, 90 or 365 days,
or from one date to another, in days of the person's time zone.

Pure: dates in, instants out. The last N days end now and begin at midnight N-1 days ago, so
a period's start stays put through the day (the same link gives the same figures) and today
counts as one of the N. A chosen range includes its last day: it ends at the midnight after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Final

ROLLING: Final = ("30", "90", "365")
CUSTOM: Final = "custom"
PERIODS: Final = (*ROLLING, CUSTOM)
DEFAULT: Final = "90"
# The oldest date worth asking about: the suite's data starts after it, and a typo of a year
# (0224 for 2024) is caught instead of being sent.
EARLIEST: Final = date(2000, 1, 1)
# Intake refuses moments from 2100 on as impossible (shared.filter_types); the form says so
# beside the box instead of letting the page fail.
LATEST: Final = date(2099, 12, 31)


@dataclass(frozen=True)
class Bounds:
    """Submitted at or after ``start``; before ``end`` (None: up to now)."""

    start: datetime
    end: datetime | None


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone)


def bounds(
    period: str, first: date | None, last: date | None, *, today: date, zone: tzinfo
) -> Bounds:
    """The instants of ``period`` (one of ``PERIODS``); ``first`` and ``last`` are the chosen
    days of a custom period, which must both be given (``check_range`` says so)."""
    if period == CUSTOM:
        if first is None or last is None:
            raise ValueError("a custom period needs its first and last day")
        return Bounds(_midnight(first, zone), _midnight(last + timedelta(days=1), zone))
    days = int(period if period in ROLLING else DEFAULT)
    return Bounds(_midnight(today - timedelta(days=days - 1), zone), None)


def check_range(first: date | None, last: date | None) -> dict[str, str]:
    """What is wrong with a custom range, by field (``start``, ``end``); empty when fine.
    The values are message keys the form turns into words: ``missing``, ``too_early``,
    ``too_late``, ``reversed``."""
    problems: dict[str, str] = {}
    if first is None:
        problems["start"] = "missing"
    elif first < EARLIEST:
        problems["start"] = "too_early"
    elif first > LATEST:
        problems["start"] = "too_late"
    if last is None:
        problems["end"] = "missing"
    elif last < EARLIEST:
        problems["end"] = "too_early"
    elif last > LATEST:
        problems["end"] = "too_late"
    if not problems and first is not None and last is not None and last < first:
        problems["end"] = "reversed"
    return problems
