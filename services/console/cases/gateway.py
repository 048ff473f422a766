"""The questions case pages ask the services, as the signed-in person.

Each function is one or a few calls; pages compose them. Failures surface as the clients'
exceptions (``NotFound``, ``Refused``, ``ServiceDown``), which the pages or the error
handlers turn into what the person sees.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

from flask import copy_current_request_context

from services.console.clients.base import Json, NotFound, Refused, ServiceDown
from services.console.deps import deps
from services.console.web.person import Person
from shared.contracts import CASE_ID_PATTERN

# A case page asks four or five services at once; one pool per process bounds the threads.
_POOL: Final = ThreadPoolExecutor(max_workers=16, thread_name_prefix="console-calls")
# What intake's case ids look like: anything else in a stored link is not asked about.
_CASE_ID: Final = re.compile(CASE_ID_PATTERN)


def together(*calls: Callable[[], Any]) -> list[Any]:
    """Run independent calls to the services at the same time; their results in order.

    The page waits for the slowest instead of the sum, which on a weak link to a busy
    deployment is the difference people notice. The first failure is raised, as if the calls
    had been made one after the other.
    """
    futures = [_POOL.submit(copy_current_request_context(call)) for call in calls]
    return [future.result() for future in futures]


def case(person: Person, case_id: str) -> Json:
    """The case as intake keeps it (with timeline, triage block and version)."""
    return deps().intake.get(f"/v1/cases/{case_id}", person.token)


def related(person: Person, case_ids: Iterable[str], most: int = 50) -> dict[str, Json]:
    """Title, tracking code and status of the cases a page names (a possible repeat, the
    cases triage found related, those its timeline mentions), by id, in one request. One the
    person may not see is absent, and so are all when intake cannot answer now: the page then
    shows ids as before, since the names help and the page must not fail for want of them."""
    ids = [c for c in dict.fromkeys(case_ids) if _CASE_ID.fullmatch(c)][:most]
    if not ids:
        return {}
    params = [("id", case_id) for case_id in ids] + [("limit", str(len(ids)))]
    try:
        found = deps().intake.get("/v1/cases", person.token, params=params)
    except (Refused, ServiceDown):
        return {}
    return {
        str(item["id"]): {k: item.get(k) for k in ("title", "tracking_code", "status")}
        for item in found.get("items", [])
    }


def cases(person: Person, params: list[tuple[str, str]]) -> Json:
    return deps().intake.get("/v1/cases", person.token, params=params)


def decision(person: Person, case_id: str) -> Json | None:
    """Triage's decision and clock for a case; None while it is not triaged yet."""
    try:
        return deps().triage.get(f"/v1/cases/{case_id}/triage", person.token)
    except NotFound:
        return None


def clocks(person: Person, case_ids: Iterable[str]) -> dict[str, Json]:
    """The statutory clocks of several cases, by case id (absent: not triaged yet)."""
    ids = list(case_ids)
    if not ids:
        return {}
    body = deps().triage.get(
        "/v1/clocks", person.token, params=[("case_id", case_id) for case_id in ids]
    )
    return {str(item["case_id"]): item for item in body.get("items", [])}


def working_day_deadline(person: Person, region: str, days: int) -> str | None:
    """The moment ``days`` working days from now in ``region`` (None when triage cannot say)."""
    try:
        body = deps().triage.get(
            f"/v1/regions/{region}/working-days", person.token, params={"ahead": days}
        )
    except Refused:
        return None
    value = body.get("until")
    return str(value) if value else None


def deliveries(person: Person, case_id: str) -> list[Json]:
    """The alerts sent about the case and what became of each."""
    try:
        body = deps().notify.get(f"/v1/cases/{case_id}/deliveries", person.token)
    except NotFound:
        return []
    items: list[Json] = body.get("deliveries", [])
    return items


def audit(person: Person, case_id: str) -> Json | None:
    """The audit trail (supervisors, operators and auditors); None for other roles."""
    if not person.watches:
        return None
    return deps().intake.get(f"/v1/cases/{case_id}/audit", person.token)


def evidence(person: Person, case_id: str) -> list[Json]:
    body = deps().intake.get(f"/v1/cases/{case_id}/evidence", person.token)
    items: list[Json] = body.get("items", [])
    return items


def officers(person: Person) -> list[Json]:
    """The directory entries the person may see (supervisors and up), for pickers."""
    if not person.watches:
        return []
    body = deps().intake.get("/v1/officers", person.token, params={"active": "true"})
    items: list[Json] = body.get("items", [])
    return items


def act(person: Person, case_id: str, action: str, body: dict[str, Any]) -> Json:
    """One officer action on a case (``action`` is the path after the case)."""
    return deps().intake.post(f"/v1/cases/{case_id}/{action}", person.token, json=body)
