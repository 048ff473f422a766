"""The officer actions' part of intake's OpenAPI document (see ``api_actions``).

Request bodies are the very models the views validate with; answers are the case as stored
after the change (``CaseDetail``) or the audit trail.
"""

from __future__ import annotations

from typing import Any, Final

from pydantic import BaseModel, ConfigDict

from services.intake.actions import api as a


class AuditChange(BaseModel):
    model_config = ConfigDict(extra="allow")

    field: str
    before: Any = None
    after: Any = None


class AuditItem(BaseModel):
    case_id: str
    seq: int
    tenant: str
    at: str
    actor: dict[str, Any]
    action: str
    changes: list[AuditChange]
    request_id: str | None
    prev: str
    hash: str


class AuditTrail(BaseModel):
    case_id: str
    intact: bool
    problems: list[str]
    items: list[AuditItem]


MODELS: Final[list[type[BaseModel]]] = [
    a.StatusChangeBody,
    a.ReopenBody,
    a.AcknowledgeBody,
    a.CommentBody,
    a.InformationRequestBody,
    a.ReassignBody,
    a.TransferBody,
    a.DuplicateLinkBody,
    AuditTrail,
]

_AUTH: Final[list[dict[str, list[str]]]] = [{"bearerKey": []}]
_PATH: Final = {"in": "path", "required": True, "schema": {"type": "string"}}
_TEXT: Final = {
    400: "Malformed request (not JSON).",
    401: "Missing, unknown or revoked API key.",
    403: "The key's role may not do this, or the case is another officer's.",
    404: "No such case, or not in your region.",
    409: "Stale version (reload the case), or a change the case's status does not allow "
    "('allowed' lists what is).",
    413: "Body too large.",
    415: "Body is not JSON.",
    422: "Invalid or missing fields; 'errors' names each.",
    503: "The database is unavailable; see Retry-After.",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _problems(*statuses: int) -> dict[str, Any]:
    return {
        str(s): {
            "description": _TEXT[s],
            "content": {"application/problem+json": {"schema": _ref("ProblemDetails")}},
        }
        for s in statuses
    }


def _action(summary: str, body: type[BaseModel], description: str = "") -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            **({"description": description} if description else {}),
            "security": _AUTH,
            "parameters": [{"name": "case_id", **_PATH}],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref(body.__name__)}},
            },
            "responses": {
                "200": {
                    "description": "The case after the change, with its new version and "
                    "the statuses allowed next.",
                    "content": {"application/json": {"schema": _ref("CaseDetail")}},
                },
                **_problems(400, 401, 403, 404, 409, 413, 415, 422, 503),
            },
        }
    }


def paths() -> dict[str, Any]:
    """The officer actions, in the shape of the document's ``paths``."""
    return {
        "/v1/cases/{case_id}/status": _action(
            "Change the case's status",
            a.StatusChangeBody,
            "Only the transitions of the case flow are allowed; a rejection, withdrawal, "
            "closure or pause needs a reason, a recommendation a finding (and a sanction level "
            "when proven), an imposed sanction its level and decision letter number.",
        ),
        "/v1/cases/{case_id}/reopen": _action("Reopen a closed case (supervisor)", a.ReopenBody),
        "/v1/cases/{case_id}/acknowledge": _action(
            "Acknowledge an assigned case (stops reminders)", a.AcknowledgeBody
        ),
        "/v1/cases/{case_id}/comments": _action(
            "Add a comment, internal or visible to the reporter", a.CommentBody
        ),
        "/v1/cases/{case_id}/information-requests": _action(
            "Ask the reporter for more information (the clock pauses)",
            a.InformationRequestBody,
        ),
        "/v1/cases/{case_id}/reassign": _action(
            "Give the case to another officer of its regency (supervisor)", a.ReassignBody
        ),
        "/v1/cases/{case_id}/transfer": _action(
            "Move the case to another regency or up to the province (supervisor)",
            a.TransferBody,
        ),
        "/v1/cases/{case_id}/duplicates": _action(
            "Link another case as a duplicate of this one", a.DuplicateLinkBody
        ),
        "/v1/cases/{case_id}/duplicates/{other_id}": {
            "delete": {
                "summary": "Remove a duplicate link",
                "security": _AUTH,
                "parameters": [
                    {"name": "case_id", **_PATH},
                    {"name": "other_id", **_PATH},
                    {
                        "name": "version",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 1},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "The case after the change.",
                        "content": {"application/json": {"schema": _ref("CaseDetail")}},
                    },
                    **_problems(401, 403, 404, 409, 422, 503),
                },
            }
        },
        "/v1/cases/{case_id}/audit": {
            "get": {
                "summary": "The case's audit trail and whether its hash chain verifies",
                "security": _AUTH,
                "parameters": [{"name": "case_id", **_PATH}],
                "responses": {
                    "200": {
                        "description": "Entries, oldest first.",
                        "content": {"application/json": {"schema": _ref("AuditTrail")}},
                    },
                    **_problems(401, 403, 404, 503),
                },
            }
        },
    }
