"""What the OpenAPI documents of triage and notify share: the problem-details shape every
error has, and small builders for responses, so each service's document reads like a table.

Intake keeps its own (older) copy in ``services/intake/cases/answers.py``; both describe the
body ``shared.problems`` sends.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import models_json_schema

REF: Final = "#/components/schemas/{model}"
BEARER: Final[list[dict[str, list[str]]]] = [{"bearerKey": []}]
SECURITY_SCHEMES: Final = {"bearerKey": {"type": "http", "scheme": "bearer"}}
PROBLEM_JSON: Final = "application/problem+json"


class FieldError(BaseModel):
    field: str
    message: str
    code: str | None = None


class ProblemDetails(BaseModel):
    """RFC 9457 problem details, with the request id to quote and per-field errors."""

    # Some problems carry more (the version in force, the content type received).
    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldError] = Field(default_factory=list)


# What each status means when the operation does not say more.
PROBLEM_TEXT: Final[Mapping[int, str]] = {
    400: "Malformed request (empty body, not JSON, not UTF-8, or a bad parameter).",
    401: "Missing, unknown or revoked API key.",
    403: "The key's role may not do this.",
    404: "No such resource, or not in your region.",
    409: "Conflict with the current state.",
    413: "Body too large.",
    415: "Body is not JSON.",
    422: "Invalid data; 'errors' names every field.",
    429: "Rate limit reached; see Retry-After.",
    503: "A dependency (the database, the broker or the key check) is unavailable; "
    "see Retry-After.",
}


def ref(model: type[BaseModel] | str) -> dict[str, str]:
    name = model if isinstance(model, str) else model.__name__
    return {"$ref": REF.format(model=name)}


def json_response(model: type[BaseModel], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ref(model)}}}


def request_body(schema: type[BaseModel] | dict[str, Any]) -> dict[str, Any]:
    """A required JSON request body."""
    shown = ref(schema) if isinstance(schema, type) else schema
    return {"required": True, "content": {"application/json": {"schema": shown}}}


def problems(*statuses: int, **details: str) -> dict[str, Any]:
    """Problem+json responses; ``details`` (``s404="..."``) replace the default texts."""
    return {
        str(status): {
            "description": details.get(f"s{status}", PROBLEM_TEXT[status]),
            "content": {PROBLEM_JSON: {"schema": ref(ProblemDetails)}},
        }
        for status in statuses
    }


def path_parameter(name: str, description: str, **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", **schema},
    }


def components(models: Sequence[type[BaseModel]]) -> dict[str, Any]:
    """The schemas of ``models`` (and everything they use), keyed by model name."""
    _, definitions = models_json_schema([(m, "validation") for m in models], ref_template=REF)
    found: dict[str, Any] = definitions.get("$defs", {})
    return found


def document(
    *,
    title: str,
    version: str,
    description: str,
    paths: dict[str, Any],
    models: Sequence[type[BaseModel]],
) -> dict[str, Any]:
    """An OpenAPI 3.1 document with bearer keys and the problem-details schema."""
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": components([ProblemDetails, *models]),
            "securitySchemes": SECURITY_SCHEMES,
        },
    }
