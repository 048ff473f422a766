"""The questions the team pages ask intake and triage, as the signed-in person.

Each function is one call; pages compose them. Failures surface as the clients' exceptions
(``NotFound`` also for another regency's person or session: intake never says which).
"""

from __future__ import annotations

from typing import Any

from services.console.clients.base import Json
from services.console.deps import deps
from services.console.web.person import Person


def officers(person: Person, **filters: str) -> list[Json]:
    """Directory entries of the person's area (``region``, ``unit``, ``active`` narrow it)."""
    body = deps().intake.get("/v1/officers", person.token, params=filters)
    items: list[Json] = body.get("items", [])
    return items


def officer(person: Person, officer_id: str) -> Json:
    return deps().intake.get(f"/v1/officers/{officer_id}", person.token)


def workload(person: Person, due_before: str | None) -> Json:
    """Each officer's open cases in the person's area (``due_before``: the "due soon" line)."""
    params = {"due_before": due_before} if due_before else {}
    return deps().intake.get("/v1/workload", person.token, params=params)


def accounts(person: Person, officer_id: str | None = None) -> dict[str, Json]:
    """Where each person stands with signing in, by officer id."""
    params = {"officer": officer_id} if officer_id else {}
    body = deps().intake.get("/v1/accounts", person.token, params=params)
    return {str(item["officer_id"]): item for item in body.get("items", [])}


def open_cases(person: Person, officer_id: str) -> int:
    """How many open cases the officer holds."""
    body = deps().intake.get(
        "/v1/cases",
        person.token,
        params={"officer": officer_id, "open": "true", "limit": "1"},
    )
    return int(body.get("count") or 0)


def create(person: Person, entry: dict[str, Any]) -> Json:
    return deps().intake.post("/v1/officers", person.token, json=entry)


def update(person: Person, officer_id: str, changes: dict[str, Any]) -> Json:
    """Change an entry; ``changes`` carries the version read."""
    return (
        deps().intake.call("PATCH", f"/v1/officers/{officer_id}", person.token, json=changes).body
    )


def deactivate(person: Person, officer_id: str) -> Json:
    return deps().intake.call("DELETE", f"/v1/officers/{officer_id}", person.token).body


def invite(person: Person, officer_id: str) -> Json:
    """Have intake e-mail the person a one-time link to set their password."""
    return deps().intake.post(f"/v1/officers/{officer_id}/invitations", person.token)


def sessions(person: Person) -> list[Json]:
    """Open sessions of the people of the person's area, most recently used first."""
    items: list[Json] = deps().intake.get("/v1/sessions", person.token).get("items", [])
    return items


def end_session(person: Person, session_id: str) -> None:
    deps().intake.call("DELETE", f"/v1/sessions/{session_id}", person.token)
