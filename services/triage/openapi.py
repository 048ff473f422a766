"""Triage's OpenAPI 3.1 document, built from the pydantic models that validate its requests
(``OverrideBody``, ``DryRunBody``) and describe its answers (``decision_openapi``,
``config_openapi``), served at ``GET /openapi.json``.

Every operation that needs a key may also answer 503: intake, which checks the keys, or the
database cannot be reached for a moment.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from services.triage import config_openapi as cfg
from services.triage import decision_openapi as dec
from services.triage.api_decisions import MAX_CLUSTER_DAYS, DryRunBody, OverrideBody
from services.triage.config_schema import KINDS
from services.triage.domain.rules import CATEGORY_CODES
from shared import openapi as oa
from shared.metrics import VERSION

_CASE_ID = oa.path_parameter("case_id", "The case's id in intake.")
_REGION = oa.path_parameter("code", "A regency or city code, e.g. 12.06 (Kabupaten Karo).")
_KIND = oa.path_parameter("kind", "Which part of the configuration.", enum=list(KINDS))

_READ = (401, 403, 404, 503)
_WRITE = (400, 401, 403, 404, 413, 415, 422, 503)
_NOT_VISIBLE = "No triaged case with this id in your region."
_NO_REGION = "No such region for this key."
_BAD_REGION = "Not a region code, or a province where a regency is needed."


def _any_of(models: list[type[Any]]) -> dict[str, Any]:
    return {"anyOf": [oa.ref(m) for m in models]}


def _decision_paths() -> dict[str, Any]:
    return {
        "/v1/cases/{case_id}/triage": {
            "get": {
                "summary": "The decision in force for a case, why, its clock and assignment",
                "security": oa.BEARER,
                "parameters": [_CASE_ID],
                "responses": {
                    "200": oa.json_response(dec.TriageView, "The decision and its context."),
                    **oa.problems(*_READ, s404=_NOT_VISIBLE),
                },
            }
        },
        "/v1/cases/{case_id}/triage/history": {
            "get": {
                "summary": "Every decision made for a case, each with its rules version",
                "security": oa.BEARER,
                "parameters": [_CASE_ID],
                "responses": {
                    "200": oa.json_response(dec.TriageHistory, "Oldest first."),
                    **oa.problems(*_READ, s404=_NOT_VISIBLE),
                },
            }
        },
        "/v1/cases/{case_id}/triage/override": {
            "post": {
                "summary": "Replace the proposal with an officer's decision (who and why kept)",
                "security": oa.BEARER,
                "parameters": [_CASE_ID],
                "requestBody": oa.request_body(OverrideBody),
                "responses": {
                    "201": oa.json_response(dec.Decision, "The new decision in force."),
                    **oa.problems(*_WRITE, s404=_NOT_VISIBLE),
                },
            }
        },
        "/v1/triage/dry-run": {
            "post": {
                "summary": "Triage a text as if it were submitted now; nothing is stored",
                "security": oa.BEARER,
                "requestBody": oa.request_body(DryRunBody),
                "responses": {
                    "200": oa.json_response(dec.DryRunResult, "What triage would decide."),
                    **oa.problems(*_WRITE, s404=_NO_REGION),
                },
            }
        },
        "/v1/provinces/{province}/clusters": {
            "get": {
                "summary": "The same hoax reported in several regencies (provincial keys)",
                "security": oa.BEARER,
                "parameters": [
                    oa.path_parameter("province", "A province code, e.g. 12 (Sumatera Utara)."),
                    {
                        "name": "days",
                        "in": "query",
                        "required": False,
                        "description": "How far back to look.",
                        "schema": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": MAX_CLUSTER_DAYS,
                            "default": 30,
                        },
                    },
                    {
                        "name": "category",
                        "in": "query",
                        "required": False,
                        "description": "Only these categories (repeat the parameter).",
                        "schema": {"type": "array", "items": {"enum": list(CATEGORY_CODES)}},
                        "style": "form",
                        "explode": True,
                    },
                ],
                "responses": {
                    "200": oa.json_response(dec.ProvinceClusters, "Clusters, largest first."),
                    **oa.problems(
                        401,
                        403,
                        404,
                        422,
                        503,
                        s404="No such province for this key (or not a provincial key).",
                    ),
                },
            }
        },
    }


def _config_paths() -> dict[str, Any]:
    kind_view = {
        "description": "The kind of configuration in force.",
        "content": {"application/json": {"schema": _any_of(cfg.KIND_VIEWS)}},
    }
    refused = (
        "Not a region code, a province, or a payload refused; 'errors' names every problem "
        "and 'version_in_force' the version that stays."
    )
    return {
        "/v1/regions/{code}/config": {
            "get": {
                "summary": "Everything a regency's cases are triaged with",
                "security": oa.BEARER,
                "parameters": [_REGION],
                "responses": {
                    "200": oa.json_response(cfg.RegionConfig, "Each kind, with its version."),
                    **oa.problems(401, 403, 404, 422, 503, s404=_NO_REGION, s422=_BAD_REGION),
                },
            }
        },
        "/v1/regions/{code}/{kind}": {
            "get": {
                "summary": "One kind of configuration as it is in force",
                "security": oa.BEARER,
                "parameters": [_REGION, _KIND],
                "responses": {
                    "200": kind_view,
                    **oa.problems(401, 403, 404, 422, 503, s404=_NO_REGION, s422=_BAD_REGION),
                },
            },
            "put": {
                "summary": "Replace one kind with a new, validated version",
                "description": "The payload of the kind named in the path: rules {text}, "
                "routing {units, default_unit, by_category}, roster {officers} or calendar "
                "{entries}; 'reason' is kept in the history. A refused payload changes "
                "nothing.",
                "security": oa.BEARER,
                "parameters": [_REGION, _KIND],
                "requestBody": oa.request_body(_any_of(cfg.PAYLOADS)),
                "responses": {
                    "200": kind_view,
                    **oa.problems(*_WRITE, s404=_NO_REGION, s422=refused),
                },
            },
            "delete": {
                "summary": "Go back to the shipped default (recorded as a new version)",
                "security": oa.BEARER,
                "parameters": [
                    _REGION,
                    _KIND,
                    {
                        "name": "reason",
                        "in": "query",
                        "required": False,
                        "description": "Why; kept in the history.",
                        "schema": {"type": "string", "maxLength": cfg.MAX_REASON},
                    },
                ],
                "responses": {
                    "200": kind_view,
                    **oa.problems(401, 403, 404, 422, 503, s404=_NO_REGION, s422=refused),
                },
            },
        },
        "/v1/regions/{code}/roster/officers/{officer_id}": {
            "patch": {
                "summary": "Mark an officer (un)available or record declared conflicts",
                "security": oa.BEARER,
                "parameters": [_REGION, oa.path_parameter("officer_id", "The officer's id.")],
                "requestBody": oa.request_body(cfg.OfficerChange),
                "responses": {
                    "200": oa.json_response(cfg.RosterView, "The roster now in force."),
                    **oa.problems(
                        *_WRITE, s404="No such region for this key, or no such officer in it."
                    ),
                },
            }
        },
        "/v1/regions/{code}/config/history": {
            "get": {
                "summary": "Stored versions of one kind: who changed what, when and why",
                "security": oa.BEARER,
                "parameters": [
                    _REGION,
                    {
                        "name": "kind",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string", "enum": list(KINDS)},
                    },
                ],
                "responses": {
                    "200": oa.json_response(cfg.ConfigHistory, "Newest first."),
                    **oa.problems(401, 403, 404, 422, 503, s404=_NO_REGION),
                },
            }
        },
    }


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    """The OpenAPI document (built once per process)."""
    return oa.document(
        title="Pantau triage",
        version=VERSION,
        description="Triage decisions and their explanations, overrides, dry runs, province "
        "clusters and each regency's configuration. Keys are intake's API keys. Errors are "
        "application/problem+json (RFC 9457).",
        paths={**_decision_paths(), **_config_paths()},
        models=[OverrideBody, DryRunBody, *dec.MODELS, *cfg.MODELS],
    )
