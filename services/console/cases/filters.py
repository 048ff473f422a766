"""What a queue shows: the filters in the URL (so a view can be bookmarked and shared), and
the questions they become for intake and triage.

Pure: no request, no network. ``QueueFilters.from_args`` reads a query string, dropping what
it cannot understand (a shared link with a typo still opens a queue) and reporting it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Final
from urllib.parse import urlencode

from services.console.web.labels import CATEGORY_CODES, PRIORITY_CODES, STATUS_LABELS
from shared.tracking_codes import normalise_tracking_code

SORTS: Final = ("due", "priority", "updated", "newest")
MAX_DUE_WITHIN: Final = 60
MAX_TEXT: Final = 200
_SIMPLE: Final = ("status", "category", "priority", "unit", "officer", "region", "q", "cursor")
UNITS: Final = ("DISKOMINFO", "BKPSDM", "INSPEKTORAT", "BAWASLU_LIAISON", "PROVINSI")
# Intake refuses a code it does not know; a link with a typo in one still opens the queue.
_KNOWN: Final[Mapping[str, tuple[str, ...]]] = {
    "status": tuple(STATUS_LABELS),
    "category": CATEGORY_CODES,
    "priority": PRIORITY_CODES,
    "unit": UNITS,
}


@dataclass(frozen=True)
class QueueFilters:
    """One view of the cases; every field is optional."""

    status: str | None = None
    category: str | None = None
    priority: str | None = None
    unit: str | None = None
    officer: str | None = None  # an officer id, or "me"
    region: str | None = None
    q: str | None = None
    cursor: str | None = None
    overdue: bool = False
    due_within: int | None = None  # working days
    # Closed cases are out of the way unless asked for (or a closed status is chosen).
    include_closed: bool = False
    sort: str = "due"
    ignored: tuple[str, ...] = field(default=())

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> QueueFilters:
        values: dict[str, object] = {}
        ignored: list[str] = []
        for name in _SIMPLE:
            raw = (args.get(name) or "").strip()
            if raw and name in _KNOWN and raw not in _KNOWN[name]:
                ignored.append(name)
            elif raw:
                values[name] = raw[:MAX_TEXT]
        if args.get("overdue") in ("1", "true", "on"):
            values["overdue"] = True
        if args.get("closed") in ("1", "true", "on"):
            values["include_closed"] = True
        raw_days = (args.get("due_within") or "").strip()
        if raw_days:
            if raw_days.isdigit() and 1 <= int(raw_days) <= MAX_DUE_WITHIN:
                values["due_within"] = int(raw_days)
            else:
                ignored.append("due_within")
        sort = args.get("sort") or "due"
        if sort in SORTS:
            values["sort"] = sort
        else:
            ignored.append("sort")
        return cls(**values, ignored=tuple(ignored))  # type: ignore[arg-type]

    def query_string(self, **changes: object) -> str:
        """This view with ``changes`` as a query string (the cursor is dropped unless given)."""
        view = replace(self, cursor=None, ignored=())
        view = replace(view, **changes)  # type: ignore[arg-type]
        pairs: list[tuple[str, str]] = []
        for name in _SIMPLE:
            value = getattr(view, name)
            if value:
                pairs.append((name, str(value)))
        if view.overdue:
            pairs.append(("overdue", "1"))
        if view.include_closed:
            pairs.append(("closed", "1"))
        if view.due_within:
            pairs.append(("due_within", str(view.due_within)))
        if view.sort != "due":
            pairs.append(("sort", view.sort))
        return urlencode(pairs)

    @property
    def tracking_code(self) -> str | None:
        """The tracking code the search box holds, written the one way; None for words."""
        return normalise_tracking_code(self.q) if self.q else None

    def intake_params(self, *, officer_id: str, due_before: str | None) -> list[tuple[str, str]]:
        """The question for intake's ``GET /v1/cases`` (``due_before`` from triage's calendar,
        for "due within N working days").

        A tracking code typed into the search box (a reporter reading theirs over the phone)
        asks for that one case alone, whoever holds it and whatever its status: the view's
        other filters would only hide it."""
        params: list[tuple[str, str]] = [("sort", self.sort), ("limit", "25")]
        if self.tracking_code is not None:
            return [*params, ("tracking_code", self.tracking_code)]
        for name, value in (
            ("status", self.status),
            ("category", self.category),
            ("priority", self.priority),
            ("unit", self.unit),
            ("region_code", self.region),
            ("q", self.q),
            ("cursor", self.cursor),
        ):
            if value:
                params.append((name, value))
        if self.officer:
            params.append(("officer", officer_id if self.officer == "me" else self.officer))
        if self.overdue:
            params.append(("overdue", "true"))
        if due_before:
            params.append(("due_before", due_before))
        if not self.include_closed and not self.status:
            params.append(("open", "true"))
        return params


def default_view(role: str) -> QueueFilters:
    """Where each role starts: officers with their own cases, the others with their area's."""
    return QueueFilters(officer="me") if role == "officer" else QueueFilters()
