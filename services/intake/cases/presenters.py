"""How cases look to API clients: dates in ISO 8601, no internal bookkeeping fields."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared import outbox

_INTERNAL = outbox.FIELDS | {
    "processed_events",
    "_id",
    # Sort keys of the queues (cases/ordering.py), not facts of the case.
    "due_key",
    "priority_rank",
}


def json_dates(value: Any) -> Any:
    """``value`` with every datetime in it as ISO 8601 text."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: json_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_dates(v) for v in value]
    return value


def case_links(case_id: str, tracking_code: str) -> dict[str, str]:
    # Plain formatting: url_for costs more than the rest of a submission's own work.
    return {"self": f"/v1/cases/{case_id}", "track": f"/v1/track/{tracking_code}"}


def case_summary(doc: dict[str, Any]) -> dict[str, Any]:
    """The answer to a submission."""
    case_id = str(doc["_id"])
    return {
        "id": case_id,
        "tracking_code": doc["tracking_code"],
        "status": doc.get("status", "received"),
        "tenant": doc["tenant"],
        "late_filing": doc.get("late_filing", False),
        "links": case_links(case_id, doc["tracking_code"]),
    }


def case_detail(doc: dict[str, Any]) -> dict[str, Any]:
    """A case as an officer sees it, with its triage block and timeline."""
    body = {k: json_dates(v) for k, v in doc.items() if k not in _INTERNAL}
    body["id"] = str(doc["_id"])
    body["links"] = case_links(body["id"], doc["tracking_code"])
    return body
