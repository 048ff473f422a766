"""The questions the operators' pages ask the services, as the signed-in person.

Refusals and outages surface as the clients' exceptions; the pages decide which of them they
turn into words beside a field and which go to the error pages.
"""

from __future__ import annotations

from typing import Any

from services.console.clients.base import Json, Refused
from services.console.deps import deps
from services.console.web.person import Person


def keys(person: Person) -> list[Json]:
    """The API keys of the person's area, oldest first (never their secrets)."""
    items: list[Json] = deps().intake.get("/v1/keys", person.token).get("items", [])
    return items


def key(person: Person, prefix: str) -> Json | None:
    """One key of the person's area by its prefix."""
    return next((k for k in keys(person) if k.get("prefix") == prefix), None)


def create_key(person: Person, fields: dict[str, Any]) -> Json:
    """A new key: the answer holds the whole key, this once."""
    return deps().intake.post("/v1/keys", person.token, json=fields)


def revoke_key(person: Person, prefix: str) -> None:
    deps().intake.call("DELETE", f"/v1/keys/{prefix}", person.token)


def officer_names(person: Person) -> dict[str, str]:
    """Directory names by officer id, to show people rather than ids (empty when the
    directory cannot be read: the ids still say who)."""
    try:
        body = deps().intake.get("/v1/officers", person.token)
    except Refused:
        return {}
    return {
        str(o.get("officer_id") or o.get("id")): str(o.get("name") or "")
        for o in body.get("items", [])
    }


def sign_in_log(person: Person, officer: str | None, limit: int) -> list[Json]:
    """The newest entries of the sign-in log of the person's area."""
    params: dict[str, Any] = {"limit": limit}
    if officer:
        params["officer"] = officer
    items: list[Json] = (
        deps().intake.get("/v1/sign-in-log", person.token, params=params).get("items", [])
    )
    return items
