"""Bulk actions from the queue, the rules without the calls: which cases were chosen, whether
someone else changed a case since the person saw the list, and what became of each case.

Pure: no request, no network. ``bulk_run`` makes the calls, one case after another, each
read just before its own change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal

from shared import dates
from shared.contracts import CASE_ID_PATTERN

MAX_CASES: Final = 100
ACTIONS: Final = ("acknowledge", "reassign")
_CASE_ID: Final = re.compile(rf"^{CASE_ID_PATTERN}$")

# done: changed; changed: someone else changed the case meanwhile, nothing done; refused: the
# service said no (``code`` and ``detail`` say why); missing: no such case in the area;
# skipped: not tried, the services stopped answering.
Kind = Literal["done", "changed", "refused", "missing", "skipped"]
KINDS: Final[tuple[Kind, ...]] = ("done", "changed", "refused", "missing", "skipped")


@dataclass(frozen=True)
class Selection:
    """The chosen case ids, in the order shown, once each; and what was not a case id."""

    case_ids: tuple[str, ...]
    invalid: tuple[str, ...]

    @property
    def too_many(self) -> bool:
        return len(self.case_ids) > MAX_CASES


@dataclass(frozen=True)
class Outcome:
    case_id: str
    kind: Kind
    title: str | None = None
    code: str | None = None  # the refusal's code, for words of our own
    detail: str | None = None  # the service's own words, when we have none
    by: tuple[str, ...] = ()  # who changed the case meanwhile


def selection(values: Iterable[str]) -> Selection:
    """The case ids of a bulk form's ``case_id`` fields."""
    chosen: dict[str, None] = {}
    invalid: list[str] = []
    for raw in values:
        value = raw.strip()
        if _CASE_ID.match(value):
            chosen.setdefault(value, None)
        elif value:
            invalid.append(value[:40])
    return Selection(tuple(chosen), tuple(invalid))


def changed_since(
    case: Mapping[str, Any], since: datetime | None, *, own_key: str | None, own_name: str
) -> tuple[str, ...]:
    """Who (other than the person) changed the case after ``since``, by name, once each.

    Only people's changes count (timeline lines written by an action carry the actor's key);
    triage's and notify's lines (an alert sent, a deadline set) are not a colleague's work.
    """
    if since is None:
        return ()
    names: dict[str, None] = {}
    for entry in case.get("timeline") or []:
        key = entry.get("actor_key")
        if not key or key == own_key or entry.get("actor") == own_name:
            continue
        at = parse_moment(entry.get("at"))
        if at is not None and at > since:
            names.setdefault(str(entry.get("actor") or key), None)
    return tuple(names)


def refusal_code(problem: Mapping[str, Any]) -> str | None:
    """The code of a problem's first field error (what the page explains in its own words)."""
    for error in problem.get("errors") or []:
        code = error.get("code")
        if code:
            return str(code)
    return None


def counts(outcomes: Iterable[Outcome]) -> dict[Kind, int]:
    """How many cases ended each way (every kind present, zero or not)."""
    found: dict[Kind, int] = dict.fromkeys(KINDS, 0)
    for outcome in outcomes:
        found[outcome.kind] += 1
    return found


def session_key(token: str) -> str | None:
    """The key prefix intake records for changes made with a session token."""
    parts = token.split("_", 2)
    return parts[1] if len(parts) == 3 and parts[1] else None


def parse_moment(value: object) -> datetime | None:
    """A moment from an ISO string (UTC when it names no zone), or None."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    return dates.aware(moment)
