"""Working days of a regency: the unit most statutory clocks are counted in.

A working day is a Monday-Friday that is neither a national public holiday (from the
``holidays`` package) nor a configured collective-leave day (cuti bersama) or extra
local holiday. Days are counted in the regency's own time zone, because "the end of
the third working day" in Kutai Timur (WITA) is an hour earlier than in Karo (WIB).

Deadlines end at the very end of a local day (23:59:59.999999) and are returned as
aware UTC datetimes, so storage and comparisons never depend on a local offset.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo

import holidays

COUNTRY = "ID"
_SATURDAY = 5

EntryKind = Literal["collective_leave", "holiday"]
_KIND_WORDS: dict[EntryKind, str] = {
    "collective_leave": "collective leave",
    "holiday": "an extra holiday",
}


class CalendarError(ValueError):
    """A question the calendar cannot answer truthfully, such as a day outside its years."""


def _national_holidays(years: Iterable[int]) -> Mapping[date, str]:
    # Public category only: cuti bersama comes from configuration, where a regency can
    # follow or deviate from the national decree.
    # A plain dict: the library's own mapping silently computes any year it is asked about.
    return dict(holidays.country_holidays(COUNTRY, years=sorted(set(years))))


def national_collective_leave(years: Iterable[int]) -> frozenset[date]:
    """The nationwide cuti bersama days the ``holidays`` package knows for ``years``.

    A starting point for a regency's configuration, which stays the authority: the
    decree is set each year and a regency may deviate from it.
    """
    government = holidays.country_holidays(
        COUNTRY, years=sorted(set(years)), categories=("government",)
    )
    return frozenset(government)


def require_aware(moment: datetime, name: str = "datetime") -> None:
    """Refuse naive datetimes: a statutory clock cannot guess which zone was meant."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {moment.isoformat()}")


def end_of_local_day(day: date, tz: tzinfo) -> datetime:
    """The last instant of ``day`` as kept in ``tz``, as aware UTC."""
    return datetime.combine(day, time.max, tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class WorkingCalendar:
    """The non-working days of one regency for a fixed set of years, in its time zone.

    Questions about days outside ``years`` raise ``CalendarError`` instead of silently
    treating unknown holidays as working days; build the calendar with next year too
    when deadlines can cross New Year.
    """

    tz: ZoneInfo
    years: frozenset[int]
    holidays: frozenset[date]
    collective_leave: frozenset[date]

    def local_date(self, moment: datetime) -> date:
        """The calendar day ``moment`` falls on in this regency."""
        require_aware(moment)
        return moment.astimezone(self.tz).date()

    def end_of_day(self, day: date) -> datetime:
        """The last instant of local ``day``, as aware UTC."""
        return end_of_local_day(day, self.tz)

    def is_working_day(self, day: date) -> bool:
        if isinstance(day, datetime):
            # A datetime's date depends on its zone; make the caller say which one.
            raise TypeError("is_working_day takes a date; use local_date() on a datetime first")
        self._require_covered(day)
        return (
            day.weekday() < _SATURDAY
            and day not in self.holidays
            and day not in self.collective_leave
        )

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """The deadline of ``n`` working days counted from ``start``.

        The start day itself never counts, whatever the hour; the deadline is the end
        of the ``n``-th working day after it, local time, returned as aware UTC.
        """
        if n < 1:
            raise ValueError(f"a working-day deadline needs at least 1 day, got {n}")
        day = self.local_date(start)
        remaining = n
        while remaining:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return self.end_of_day(day)

    def add_calendar_days(self, start: datetime, n: int) -> datetime:
        """The deadline of ``n`` calendar days from ``start``: the end of local day start+n.

        Calendar-day deadlines ignore holidays, so this does not need the day in ``years``.
        """
        if n < 1:
            raise ValueError(f"a calendar-day deadline needs at least 1 day, got {n}")
        return self.end_of_day(self.local_date(start) + timedelta(days=n))

    def working_days_between(self, a: date | datetime, b: date | datetime) -> int:
        """Working days after ``a``'s day up to and including ``b``'s day (negative if b < a).

        The inverse of ``add_working_days``: ``working_days_between(s,
        add_working_days(s, n)) == n``.
        """
        first, last = self._as_local_date(a), self._as_local_date(b)
        if last < first:
            return -self.working_days_between(last, first)
        count = 0
        day = first
        while day < last:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def _as_local_date(self, value: date | datetime) -> date:
        return self.local_date(value) if isinstance(value, datetime) else value

    def _require_covered(self, day: date) -> None:
        if day.year not in self.years:
            covered = ", ".join(str(y) for y in sorted(self.years))
            raise CalendarError(
                f"{day.isoformat()} is outside the calendar's years ({covered}); "
                f"build the calendar with {day.year} included"
            )


def build_calendar(
    tz: ZoneInfo,
    years: Iterable[int],
    collective_leave: Iterable[date] = (),
    extra_holidays: Iterable[date] = (),
) -> WorkingCalendar:
    """A regency's calendar: national holidays for ``years`` plus its configured days off.

    Raises ``ValueError`` when a configured day lies outside ``years``; run
    ``validate_calendar_entries`` first to tell an operator everything that is wrong.
    """
    year_set = frozenset(years)
    if not year_set:
        raise ValueError("a working calendar needs at least one year")
    leave = frozenset(collective_leave)
    extra = frozenset(extra_holidays)
    outside = sorted(d for d in leave | extra if d.year not in year_set)
    if outside:
        listed = ", ".join(d.isoformat() for d in outside)
        raise ValueError(f"configured days outside the calendar's years: {listed}")
    return WorkingCalendar(
        tz=tz,
        years=year_set,
        holidays=frozenset(_national_holidays(year_set)) | extra,
        collective_leave=leave,
    )


@dataclass(frozen=True)
class CalendarEntry:
    """One line of a regency's calendar configuration: a day or an inclusive range."""

    kind: EntryKind
    start: date
    end: date | None = None
    label: str = ""

    @property
    def last(self) -> date:
        return self.start if self.end is None else self.end

    def days(self) -> tuple[date, ...]:
        span = (self.last - self.start).days
        return tuple(self.start + timedelta(days=i) for i in range(span + 1))

    def describe(self) -> str:
        name = f" '{self.label}'" if self.label else ""
        if self.last == self.start:
            return f"{_KIND_WORDS[self.kind]}{name} on {self.start.isoformat()}"
        return (
            f"{_KIND_WORDS[self.kind]}{name} from {self.start.isoformat()} "
            f"to {self.last.isoformat()}"
        )


def dates_of(entries: Iterable[CalendarEntry], kind: EntryKind) -> frozenset[date]:
    """All days the entries of one kind cover, ready for ``build_calendar``."""
    return frozenset(d for e in entries if e.kind == kind for d in e.days())


def validate_calendar_entries(entries: Iterable[CalendarEntry], years: Iterable[int]) -> list[str]:
    """Every problem in a regency's calendar configuration, one message each; empty if none.

    Reported: ranges that end before they start, days outside ``years``, a day listed
    by two entries (twice as the same kind, or as both kinds), and a day that is
    already a national holiday (usually a typo for the day next to it).
    """
    items = list(entries)
    year_set = frozenset(years)
    problems: list[str] = []
    if not year_set:
        problems.append("no years configured: the calendar would cover no day")
    covered = ", ".join(str(y) for y in sorted(year_set))

    # Which entries (by position) claim each day.
    claims: defaultdict[date, list[int]] = defaultdict(list)
    for index, entry in enumerate(items):
        if entry.end is not None and entry.end < entry.start:
            problems.append(
                f"{_KIND_WORDS[entry.kind]} '{entry.label or entry.start.isoformat()}' "
                f"ends {entry.end.isoformat()} before it starts {entry.start.isoformat()}"
            )
            continue
        outside = [d for d in entry.days() if d.year not in year_set]
        if outside:
            problems.append(
                f"{entry.describe()} has days outside the configured years ({covered}): "
                + ", ".join(d.isoformat() for d in outside)
            )
        for day in entry.days():
            claims[day].append(index)

    # One message per group of clashing entries, not per day, so a week-long overlap
    # reads as one problem.
    clashes: defaultdict[tuple[int, ...], list[date]] = defaultdict(list)
    for day in sorted(claims):
        if len(claims[day]) > 1:
            clashes[tuple(claims[day])].append(day)
    for positions, days in clashes.items():
        owners = [items[i] for i in positions]
        if len({e.kind for e in owners}) > 1:
            verb = "listed as both collective leave and an extra holiday"
        else:
            verb = "listed more than once"
        problems.append(
            f"{', '.join(d.isoformat() for d in days)} {verb}: "
            + "; ".join(e.describe() for e in owners)
        )

    national = _national_holidays(y for y in {d.year for d in claims} if y in year_set)
    for day in sorted(claims):
        if day in national:
            problems.append(
                f"{day.isoformat()} is already a national holiday ({national[day]}): "
                + "; ".join(items[i].describe() for i in claims[day])
            )
    return problems
