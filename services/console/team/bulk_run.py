"""Running a bulk action: one case after another, each read just before its own change and
sent with the version read, so each is still its own change with its own audit entry and
events. A refusal is that case's outcome and the run goes on; only when the services stop
answering are the remaining cases left untried (and listed as such)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.console.cases import gateway as cases
from services.console.clients.base import (
    NotFound,
    Refused,
    ServiceDown,
    SignedOut,
    Throttled,
)
from services.console.team.bulk import Outcome, changed_since, refusal_code, session_key
from services.console.web.person import Person


@dataclass(frozen=True)
class BulkRequest:
    """What the person asked: one action and one reason for every chosen case."""

    action: str  # acknowledge | reassign
    case_ids: tuple[str, ...]
    reason: str | None
    officer_id: str | None
    loaded_at: datetime | None  # when the person saw the list they chose from


def run(person: Person, asked: BulkRequest) -> list[Outcome]:
    """Every chosen case's outcome, in the order chosen."""
    own_key = session_key(person.token)
    outcomes: list[Outcome] = []
    stopped = False
    for case_id in asked.case_ids:
        if stopped:
            outcomes.append(Outcome(case_id, "skipped"))
            continue
        try:
            outcomes.append(_one(person, asked, case_id, own_key))
        except (ServiceDown, Throttled):
            # Nothing is known to have happened to this case; asking again for each of the
            # others would only make the person wait for the same answer a hundred times.
            stopped = True
            outcomes.append(Outcome(case_id, "skipped"))
    return outcomes


def _body(asked: BulkRequest, version: int) -> dict[str, Any]:
    body: dict[str, Any] = {"version": version}
    if asked.action == "reassign":
        body["officer_id"] = asked.officer_id
        body["reason"] = asked.reason
    elif asked.reason:
        body["reason"] = asked.reason
    return body


def _one(person: Person, asked: BulkRequest, case_id: str, own_key: str | None) -> Outcome:
    try:
        case = cases.case(person, case_id)
    except NotFound:
        return Outcome(case_id, "missing")
    title = str(case.get("title") or "") or None
    others = changed_since(case, asked.loaded_at, own_key=own_key, own_name=person.name)
    if others:
        return Outcome(case_id, "changed", title, by=others)
    try:
        cases.act(person, case_id, asked.action, _body(asked, int(case.get("version") or 1)))
    except NotFound:
        return Outcome(case_id, "missing", title)
    except (SignedOut, Throttled):
        raise
    except Refused as exc:
        if exc.status == 409 and exc.problem.get("current_version") is not None:
            # Changed between the read and the change: the version check caught it.
            return Outcome(case_id, "changed", title)
        code = refusal_code(exc.problem) or ("role" if exc.status == 403 else None)
        return Outcome(case_id, "refused", title, code=code, detail=exc.detail or None)
    return Outcome(case_id, "done", title)
