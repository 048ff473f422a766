"""What every triage endpoint shares: its dependencies, who may see what, JSON shapes.

Tenancy follows the suite's rule: a regency key sees its regency, a provincial key its
province; anything else answers 404, never 403, so ids and regions cannot be probed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from bson import ObjectId
from flask import current_app

from services.triage.deps import TriageDeps
from shared import outbox
from shared.auth import Principal
from shared.problems import Problem
from shared.regions import RegionCode, parse_region_code

Document = dict[str, Any]

EXTENSION = "pantau_triage"


def triage_deps() -> TriageDeps:
    deps: TriageDeps = current_app.extensions[EXTENSION]
    return deps


def region_param(code: str, *, field: str = "region_code") -> RegionCode:
    """A region code from the request, or a 422 problem saying what is wrong with it."""
    try:
        return parse_region_code(code)
    except ValueError as exc:
        raise Problem(
            422,
            f"Unknown region: {exc}",
            errors=[{"field": field, "message": str(exc), "code": "region"}],
        ) from exc


def visible_regency(code: str, principal: Principal) -> str:
    """A regency the caller may see, for configuration endpoints."""
    region = region_param(code)
    if region.is_province:
        raise Problem(
            422,
            "Configuration is kept per regency or city; name one (e.g. 12.06).",
            errors=[{"field": "region_code", "message": "a province code", "code": "region"}],
        )
    if not principal.can_see(region.code):
        raise Problem(404, "No such region for this key.")
    return region.code


def visible_state(case_id: str, principal: Principal) -> Document:
    """The triage state of a case the caller may see; 404 otherwise."""
    state = triage_deps().cases.find_one({"_id": case_id})
    if state is None or not principal.can_see(state["tenant"]):
        raise Problem(404, "No triaged case with this id.")
    return state


def plain(value: Any) -> Any:
    """A stored value as JSON: ids as strings, datetimes in ISO 8601."""
    if isinstance(value, ObjectId):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return value


def decision_json(doc: Mapping[str, Any]) -> Document:
    """A stored decision as the API shows it."""
    out = {k: plain(v) for k, v in doc.items() if k not in outbox.FIELDS and k != "_id"}
    out["decision_id"] = str(doc["_id"])
    return out
