"""The officer directory's answer models and its part of intake's OpenAPI document.

``api_officers`` builds its answers through these models, so the document describes what the
code sends. ``MODELS`` go into the document's components, ``paths()`` into its paths.
"""

from __future__ import annotations

from typing import Any, Final

from pydantic import BaseModel, Field

from services.intake.directory.schema import (
    Language,
    OfficerCreate,
    OfficerListQuery,
    OfficerPatch,
    OfficerRole,
    Unit,
)


class OfficerView(BaseModel):
    """An officer's directory entry."""

    officer_id: str
    region: str
    unit: Unit
    role: OfficerRole
    name: str
    email: str | None
    phone: str | None = Field(description="E.164, e.g. +6281260000001")
    language: Language
    timezone: str
    conflicts: list[str] = Field(description="Names or NIPs of people they must not judge")
    active: bool
    version: int = Field(ge=1, description="Send it back with a change (PATCH)")


class OfficerList(BaseModel):
    items: list[OfficerView]


MODELS: Final[list[type[BaseModel]]] = [OfficerCreate, OfficerPatch, OfficerView, OfficerList]

_AUTH: Final[list[dict[str, list[str]]]] = [{"bearerKey": []}]
_OFFICER_ID: Final = {
    "name": "officer_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(model: type[BaseModel], description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref(model.__name__)}},
    }


def _body(model: type[BaseModel]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": _ref(model.__name__)}}}


def _problems(descriptions: dict[int, str]) -> dict[str, Any]:
    return {
        str(status): {
            "description": text,
            "content": {"application/problem+json": {"schema": _ref("ProblemDetails")}},
        }
        for status, text in descriptions.items()
    }


_AUTH_PROBLEMS: Final = {
    401: "Missing, unknown or revoked API key.",
    403: "The key's role may not do this.",
}
_BODY_PROBLEMS: Final = {
    400: "The body is not JSON.",
    413: "Body too large.",
    415: "Body is not JSON.",
}


def _query_parameters() -> list[dict[str, Any]]:
    schema = OfficerListQuery.model_json_schema()
    return [
        {"name": name, "in": "query", "required": False, "schema": prop}
        for name, prop in schema["properties"].items()
    ]


def paths() -> dict[str, Any]:
    """The directory operations, in the shape of the document's ``paths``."""
    return {
        "/v1/officers": {
            "get": {
                "summary": "Officers of your region (a province sees its regencies)",
                "security": _AUTH,
                "parameters": _query_parameters(),
                "responses": {
                    "200": _json(OfficerList, "By region, unit and id."),
                    **_problems({**_AUTH_PROBLEMS, 422: "A filter is not valid."}),
                },
            },
            "post": {
                "summary": "Add an officer (announced as officer.changed)",
                "description": "Phone numbers are stored in E.164; the time zone follows "
                "the region unless given.",
                "security": _AUTH,
                "requestBody": _body(OfficerCreate),
                "responses": {
                    "201": _json(OfficerView, "Added, version 1."),
                    **_problems(
                        {
                            **_BODY_PROBLEMS,
                            **_AUTH_PROBLEMS,
                            409: "The officer id is taken.",
                            422: "Invalid data, or a region outside yours; 'errors' names "
                            "every field.",
                        }
                    ),
                },
            },
        },
        "/v1/officers/{officer_id}": {
            "get": {
                "summary": "One officer's entry (an officer may read their own)",
                "security": _AUTH,
                "parameters": [_OFFICER_ID],
                "responses": {
                    "200": _json(OfficerView, "The entry."),
                    **_problems({**_AUTH_PROBLEMS, 404: "No such officer, or not in your region."}),
                },
            },
            "patch": {
                "summary": "Change some fields of an entry (send the version you read)",
                "description": "Only the fields given change; null removes an e-mail or "
                "phone. A stale version is refused with 409 and the current one.",
                "security": _AUTH,
                "parameters": [_OFFICER_ID],
                "requestBody": _body(OfficerPatch),
                "responses": {
                    "200": _json(OfficerView, "The entry as it now is."),
                    **_problems(
                        {
                            **_BODY_PROBLEMS,
                            **_AUTH_PROBLEMS,
                            404: "No such officer, or not in your region.",
                            409: "The entry changed since you read it (see current_version).",
                            422: "Invalid data; 'errors' names every field.",
                        }
                    ),
                },
            },
            "delete": {
                "summary": "Deactivate an officer (the entry is kept)",
                "security": _AUTH,
                "parameters": [_OFFICER_ID],
                "responses": {
                    "200": _json(OfficerView, "The entry, now inactive."),
                    **_problems(
                        {
                            **_AUTH_PROBLEMS,
                            404: "No such officer, or not in your region.",
                            409: "Already deactivated.",
                        }
                    ),
                },
            },
        },
    }
