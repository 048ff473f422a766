"""Notify's OpenAPI 3.1 document, built from the pydantic models of ``api_openapi`` (what the
API accepts and answers), served at ``GET /openapi.json``.

Every operation that needs a key may also answer 503: intake, which checks the keys, the
database or the broker cannot be reached for a moment.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from services.notify import api_openapi as m
from shared import openapi as oa
from shared.metrics import VERSION

_OFFICER = oa.path_parameter("officer_id", "The officer's id in the directory.")
_NO_OFFICER = "Notify knows no such officer in your region (officers appear with their first case)."


def _paths() -> dict[str, Any]:
    return {
        "/v1/cases/{case_id}/deliveries": {
            "get": {
                "summary": "Who was told what about a case, when, on which channel, and the result",
                "security": oa.BEARER,
                "parameters": [oa.path_parameter("case_id", "The case's id in intake.")],
                "responses": {
                    "200": oa.json_response(m.DeliveryHistory, "Oldest first."),
                    **oa.problems(
                        401,
                        403,
                        404,
                        503,
                        s404="No notifications are recorded for this case in your region.",
                    ),
                },
            }
        },
        "/v1/recipients/{officer_id}/preferences": {
            "get": {
                "summary": "An officer's channels, quiet hours and (masked) addresses",
                "description": "Officers read only their own (a key linked to them).",
                "security": oa.BEARER,
                "parameters": [_OFFICER],
                "responses": {
                    "200": oa.json_response(m.RecipientProfile, "The officer's profile."),
                    **oa.problems(
                        401,
                        403,
                        404,
                        503,
                        s403="The key's role may not do this, or an officer asks for a colleague.",
                        s404=_NO_OFFICER,
                    ),
                },
            },
            "put": {
                "summary": "Replace an officer's preferences (parts left out take their defaults)",
                "security": oa.BEARER,
                "parameters": [_OFFICER],
                "requestBody": oa.request_body(m.PreferencesUpdate),
                "responses": {
                    "200": oa.json_response(m.RecipientProfile, "The profile now in force."),
                    **oa.problems(
                        400,
                        401,
                        403,
                        404,
                        413,
                        415,
                        422,
                        503,
                        s403="The key's role may not do this, or an officer asks for a colleague.",
                        s404=_NO_OFFICER,
                    ),
                },
            },
        },
        "/v1/parked": {
            "get": {
                "summary": "Parked messages (broker parking queue) and parked or failed digests",
                "security": oa.BEARER,
                "parameters": [
                    {
                        "name": "limit",
                        "in": "query",
                        "required": False,
                        "description": "At most this many of each (1 to 500).",
                        "schema": {"type": "integer", "default": 100},
                    }
                ],
                "responses": {
                    "200": oa.json_response(m.ParkedList, "What waits for an operator."),
                    **oa.problems(400, 401, 403, 503, s400="limit is not a number."),
                },
            }
        },
        "/v1/parked/{ident}/replay": {
            "post": {
                "summary": "Put one parked message (or digest:<key>) back in line",
                "security": oa.BEARER,
                "parameters": [
                    oa.path_parameter("ident", "A parked message's id, or digest:<key>.")
                ],
                "responses": {
                    "200": oa.json_response(m.Replayed, "Back in line, attempts counted afresh."),
                    **oa.problems(401, 403, 404, 503, s404="Nothing parked with this id."),
                },
            }
        },
        "/v1/test-send": {
            "post": {
                "summary": "Send a test message to an officer on a channel",
                "description": "The provider's answer is reported (and kept in the ledger); a "
                "provider that refuses is a 200 with result failed or retry.",
                "security": oa.BEARER,
                "requestBody": oa.request_body(m.SendTestBody),
                "responses": {
                    "200": oa.json_response(m.SendTestAnswer, "What the provider answered."),
                    **oa.problems(
                        400,
                        401,
                        403,
                        404,
                        413,
                        415,
                        422,
                        503,
                        s404=_NO_OFFICER,
                        s422="No officer or channel named, a channel not configured here, or "
                        "no address of the officer on it.",
                    ),
                },
            }
        },
    }


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    """The OpenAPI document (built once per process)."""
    return oa.document(
        title="Pantau notify",
        version=VERSION,
        description="Delivery history, officers' preferences, parked notifications and test "
        "sends. Keys are intake's API keys. Errors are application/problem+json (RFC 9457).",
        paths=_paths(),
        models=m.MODELS,
    )
