"""Intake's OpenAPI 3.1 document, built from the same pydantic models that validate requests
and shape answers, so the document cannot drift from the code without a test noticing."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from services.intake.access import answers as access_answers
from services.intake.actions import openapi as actions_openapi
from services.intake.cases import answers as m
from services.intake.cases.api import CaseListQuery
from services.intake.cases.schemas import CaseSubmission
from services.intake.directory import openapi as officer_openapi
from services.intake.evidence import openapi as evidence_openapi
from services.intake.exports import openapi as exports
from services.intake.open311 import openapi as open311_openapi
from shared.metrics import VERSION

_REF = "#/components/schemas/{model}"
_MODELS: list[type[BaseModel]] = [
    CaseSubmission,
    m.ProblemDetails,
    m.CaseCreated,
    m.CaseDetail,
    m.CaseList,
    m.BatchRequest,
    m.BatchResult,
    m.TrackStatus,
    access_answers.Whoami,
    access_answers.RevealRequestDoc,
    access_answers.RevealResult,
    access_answers.AccessLogList,
    access_answers.KeyRequestDoc,
    access_answers.KeyCreated,
    access_answers.KeyList,
    *evidence_openapi.MODELS,
    *actions_openapi.MODELS,
    *open311_openapi.MODELS,
    *exports.MODELS,
    *officer_openapi.MODELS,
]


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": _REF.format(model=model.__name__)}


def _json(model: type[BaseModel], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(model)}}}


def _problems(*statuses: int) -> dict[str, Any]:
    text = {
        400: "Malformed request (not JSON, bad cursor or header).",
        401: "Missing, unknown or revoked API key.",
        403: "The key's role may not do this.",
        404: "No such resource, or not in your region.",
        409: "Conflict (a request with this Idempotency-Key is still running).",
        413: "Body too large.",
        415: "Body is not JSON.",
        422: "Invalid data; 'errors' names every field.",
        429: "Rate limit reached; see Retry-After.",
        503: "A dependency is unavailable; see Retry-After.",
    }
    return {
        str(s): {
            "description": text[s],
            "content": {"application/problem+json": {"schema": _ref(m.ProblemDetails)}},
        }
        for s in statuses
    }


_AUTH: list[dict[str, list[str]]] = [{"bearerKey": []}]
_IDEMPOTENCY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Any unique string (a UUID): a retry with the same key and body replays "
    "the first answer instead of filing the case again.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}
_CASE_ID = {"name": "case_id", "in": "path", "required": True, "schema": {"type": "string"}}


def _query_parameters() -> list[dict[str, Any]]:
    schema = CaseListQuery.model_json_schema()
    return [
        {"name": name, "in": "query", "required": False, "schema": prop}
        for name, prop in schema["properties"].items()
    ]


def _document_outages(paths: dict[str, Any]) -> None:
    """Every authenticated operation needs the database (for its key, when not yet cached, and
    for its data), so each can answer 503 while it is down; say so where the operation's own
    entry does not."""
    for operations in paths.values():
        for operation in operations.values():
            if operation.get("security") and "503" not in operation["responses"]:
                operation["responses"].update(_problems(503))


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    """The OpenAPI document (built once per process)."""
    _, definitions = models_json_schema(
        [(model, "validation") for model in _MODELS], ref_template=_REF
    )
    paths: dict[str, Any] = {
        "/v1/cases": {
            "post": {
                "summary": "Submit a case",
                "security": _AUTH,
                "parameters": [_IDEMPOTENCY],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref(CaseSubmission)}},
                },
                "responses": {
                    "201": _json(m.CaseCreated, "Case registered."),
                    "200": _json(m.CaseCreated, "Already registered (same source reference)."),
                    **_problems(400, 401, 403, 409, 413, 415, 422, 429, 503),
                },
            },
            "get": {
                "summary": "List cases of your region, newest first",
                "security": _AUTH,
                "parameters": _query_parameters(),
                "responses": {
                    "200": _json(m.CaseList, "One page of cases."),
                    **_problems(400, 401, 403, 422),
                },
            },
        },
        "/v1/cases:batch": {
            "post": {
                "summary": "Submit up to 100 cases collected offline",
                "security": _AUTH,
                "parameters": [_IDEMPOTENCY],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref(m.BatchRequest)}},
                },
                "responses": {
                    "200": _json(m.BatchResult, "A result per case, in order."),
                    **_problems(400, 401, 403, 409, 413, 415, 422, 429),
                },
            }
        },
        "/v1/cases/{case_id}": {
            "get": {
                "summary": "A case with its triage block and timeline",
                "security": _AUTH,
                "parameters": [_CASE_ID],
                "responses": {
                    "200": _json(m.CaseDetail, "The case."),
                    **_problems(401, 403, 404),
                },
            }
        },
        "/v1/cases/{case_id}/reporter:reveal": {
            "post": {
                "summary": "Reveal a reporter's identity (logged, with a reason)",
                "security": _AUTH,
                "parameters": [_CASE_ID],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": _ref(access_answers.RevealRequestDoc)}
                    },
                },
                "responses": {
                    "200": _json(access_answers.RevealResult, "The identity."),
                    **_problems(401, 403, 404, 422, 503),
                },
            }
        },
        "/v1/access-log": {
            "get": {
                "summary": "Who revealed what, when and why",
                "security": _AUTH,
                "responses": {
                    "200": _json(access_answers.AccessLogList, "Newest first."),
                    **_problems(401, 403),
                },
            }
        },
        "/v1/track/{code}": {
            "get": {
                "summary": "Status of a report by its tracking code (no account needed)",
                "parameters": [
                    {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": _json(m.TrackStatus, "Status in plain Bahasa Indonesia."),
                    **_problems(404, 429),
                },
            }
        },
        "/v1/auth/whoami": {
            "get": {
                "summary": "The caller's key, region and role",
                "security": _AUTH,
                "responses": {"200": _json(access_answers.Whoami, "The caller."), **_problems(401)},
            }
        },
        "/v1/keys": {
            "post": {
                "summary": "Create an API key (shown once)",
                "security": _AUTH,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref(access_answers.KeyRequestDoc)}},
                },
                "responses": {
                    "201": _json(access_answers.KeyCreated, "The key; store it now."),
                    **_problems(401, 403, 422),
                },
            },
            "get": {
                "summary": "List keys (never their secrets)",
                "security": _AUTH,
                "responses": {"200": _json(access_answers.KeyList, "Keys."), **_problems(401, 403)},
            },
        },
        "/v1/keys/{prefix}": {
            "delete": {
                "summary": "Revoke a key; it stops working at once",
                "security": _AUTH,
                "parameters": [
                    {"name": "prefix", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {"204": {"description": "Revoked."}, **_problems(401, 403, 404, 409)},
            }
        },
    }
    paths.update(evidence_openapi.paths())
    paths.update(actions_openapi.paths())
    paths.update(open311_openapi.paths())
    paths.update(exports.paths())
    paths.update(officer_openapi.paths())
    _document_outages(paths)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Pantau intake",
            "version": VERSION,
            "description": "The case registry regency offices submit to. Errors are "
            "application/problem+json (RFC 9457).",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {"bearerKey": {"type": "http", "scheme": "bearer"}},
        },
    }
