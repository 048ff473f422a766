"""The team board: one row per officer of the area with their open cases, and a row for
the cases nobody holds, grouped by regency for a province.

Pure: the directory entries and intake's workload rows in, the board out. An officer with
no open case still gets a row (of zeros): who is free matters as much as who is overloaded.
Someone who holds cases but is not an active officer of the region (deactivated, moved, or
known only from the cases) gets a row too, saying which, since their cases may need a new
holder.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal

# The roles triage routes cases to: each gets a row whether or not they hold cases.
ROUTED_ROLES: Final = frozenset({"officer", "supervisor"})


@dataclass(frozen=True)
class Figures:
    """Open cases and what is pressing among them."""

    open: int = 0
    overdue: int = 0
    due_soon: int | None = None  # None: the working-day calendar could not say
    awaiting_info: int = 0
    untouched: int = 0
    oldest_case_id: str | None = None
    oldest_since: str | None = None

    def plus(self, other: Figures) -> Figures:
        """Both added up; the older of the two oldest untouched cases."""
        oldest = min(
            (f for f in (self, other) if f.oldest_since is not None),
            key=lambda f: _moment(f.oldest_since),
            default=None,
        )
        return Figures(
            open=self.open + other.open,
            overdue=self.overdue + other.overdue,
            due_soon=(
                None
                if self.due_soon is None or other.due_soon is None
                else self.due_soon + other.due_soon
            ),
            awaiting_info=self.awaiting_info + other.awaiting_info,
            untouched=self.untouched + other.untouched,
            oldest_case_id=oldest.oldest_case_id if oldest else None,
            oldest_since=oldest.oldest_since if oldest else None,
        )


# Where a row's officer stands in the directory: ``active`` here; ``inactive`` (deactivated,
# their cases need a new holder); ``moved`` (now in another region); ``unlisted`` (known only
# from the cases, e.g. an officer of triage's routing roster without a directory entry).
RowState = Literal["active", "inactive", "moved", "unlisted"]


@dataclass(frozen=True)
class Row:
    officer_id: str
    name: str
    unit: str | None
    role: str | None
    figures: Figures
    state: RowState = "active"


@dataclass(frozen=True)
class RegionBoard:
    region: str
    rows: list[Row]
    unassigned: Figures
    totals: Figures = field(default_factory=Figures)


def figures_of(item: Mapping[str, Any] | None, *, due_known: bool) -> Figures:
    """A workload row's figures (zeros for an officer without one)."""
    zero_due = 0 if due_known else None
    if item is None:
        return Figures(due_soon=zero_due)
    oldest = item.get("oldest_untouched") or {}
    due = item.get("due_soon")
    return Figures(
        open=int(item.get("open") or 0),
        overdue=int(item.get("overdue") or 0),
        due_soon=int(due) if due_known and due is not None else zero_due,
        awaiting_info=int(item.get("awaiting_info") or 0),
        untouched=int(item.get("untouched") or 0),
        oldest_case_id=oldest.get("case_id"),
        oldest_since=oldest.get("submitted_at"),
    )


def build_board(
    officers: Iterable[Mapping[str, Any]],
    workload: Iterable[Mapping[str, Any]],
    *,
    due_known: bool,
) -> list[RegionBoard]:
    """The board by region code; rows by name within a region."""
    entries = {str(o["officer_id"]): o for o in officers}
    held: dict[tuple[str, str], Mapping[str, Any]] = {}
    unassigned: dict[str, Figures] = {}
    for item in workload:
        region = str(item["region"])
        if item.get("officer_id") is None:
            unassigned[region] = figures_of(item, due_known=due_known)
        else:
            held[(region, str(item["officer_id"]))] = item
    rows: dict[str, list[Row]] = {}
    for officer_id, entry in entries.items():
        if not entry.get("active", True) or entry.get("role") not in ROUTED_ROLES:
            continue
        region = str(entry["region"])
        mine = held.pop((region, officer_id)) if (region, officer_id) in held else None
        rows.setdefault(region, []).append(
            _row(officer_id, entry, mine, due_known=due_known, state="active")
        )
    # What is left is held by someone who is not an active officer here.
    for (region, officer_id), theirs in held.items():
        entry = entries.get(officer_id) or {}
        rows.setdefault(region, []).append(
            _row(officer_id, entry, theirs, due_known=due_known, state=_state_of(entry, region))
        )
    boards = []
    for region in sorted(set(rows) | set(unassigned)):
        region_rows = sorted(rows.get(region, []), key=lambda r: (r.name.casefold(), r.officer_id))
        nobody = unassigned.get(region, Figures(due_soon=0 if due_known else None))
        totals = nobody
        for row in region_rows:
            totals = totals.plus(row.figures)
        boards.append(RegionBoard(region, region_rows, nobody, totals))
    return boards


def _state_of(entry: Mapping[str, Any], region: str) -> RowState:
    """Why someone holding cases in ``region`` is not one of its active officers."""
    if not entry:
        return "unlisted"
    if not entry.get("active", True):
        return "inactive"
    return "moved" if entry.get("region") != region else "active"


def _row(
    officer_id: str,
    entry: Mapping[str, Any],
    item: Mapping[str, Any] | None,
    *,
    due_known: bool,
    state: RowState,
) -> Row:
    name = entry.get("name") or (item or {}).get("name") or officer_id
    return Row(
        officer_id=officer_id,
        name=str(name),
        unit=entry.get("unit"),
        role=entry.get("role"),
        figures=figures_of(item, due_known=due_known),
        state=state,
    )


def _moment(value: str | None) -> datetime:
    assert value is not None  # filtered by the caller
    return datetime.fromisoformat(value)
