"""A regency's triage configuration over HTTP: rules, routing table, roster and calendar.

``PUT`` replaces one kind with a new version after validation; ``DELETE`` goes back to the
shipped default (also as a new version, so the history shows it); ``PATCH`` on one officer
changes availability or declared conflicts. A refused payload answers 422 with every problem
found, and the version in force stays. Workers pick a new version up with their next message.
"""

from __future__ import annotations

from typing import Any, cast

from flask import Blueprint, Response, jsonify
from flask.typing import ResponseReturnValue
from pydantic import BaseModel, ConfigDict, Field

from services.triage import config_openapi as shapes
from services.triage.api_access import plain, triage_deps, visible_regency
from services.triage.config_schema import (
    KINDS,
    ConfigInvalid,
    ConfigKind,
    calendar_as_list,
    parse_rules_payload,
)
from services.triage.learning import evaluate_candidate, evaluation_figures
from services.triage.roster import officers_as_list, table_as_dict
from services.triage.storage.config import TenantConfig
from shared.auth import MANAGERS, READERS, current_principal, requires
from shared.openapi import json_answer, operation, path_parameter
from shared.problems import Problem
from shared.request_input import parse_body, parse_query

bp = Blueprint("triage_config", __name__)

_KIND_RULE = "<any(rules, routing, roster, calendar):kind>"
_MAX_REASON = shapes.MAX_REASON
_WHAT = {
    "rules": "The rules",
    "routing": "The routing table",
    "roster": "The roster",
    "calendar": "The calendar",
}


def _view(config: TenantConfig, kind: str) -> dict[str, Any]:
    """One kind of configuration as it is in force."""
    version = config.versions.get(kind, 0)
    body: dict[str, Any] = {
        "region_code": config.tenant,
        "kind": kind,
        "version": version,
        "source": "override" if version else "shipped",
    }
    if kind == "rules":
        body["rules_version"] = config.rules.version
        body["text"] = triage_deps().config.rules_text(config)
    elif kind == "routing":
        body["table"] = table_as_dict(config.table) if config.table else None
    elif kind == "roster":
        body["officers"] = officers_as_list(config.officers, config.contacts)
        body["province_desk"] = config.province_desk.model_dump() if config.province_desk else None
    else:
        body["entries"] = calendar_as_list(config.calendar_entries)
    return body


class ConfigChange(BaseModel):
    """A new version of one kind: its payload, which ``config_schema`` checks (naming every
    problem), and why it changes."""

    model_config = ConfigDict(extra="allow")

    reason: str | None = Field(default=None, max_length=_MAX_REASON)
    # Rules only: activate a version that agrees less often with officers' labels.
    force: bool = False

    def payload(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class ResetQuery(BaseModel):
    # Cut rather than refused: going back to the default must not fail on a long note.
    reason: str = Field(
        default="back to the shipped default",
        description="Why; kept in the history.",
        json_schema_extra={"maxLength": _MAX_REASON},
    )


class HistoryQuery(BaseModel):
    kind: ConfigKind


# The OpenAPI parts the operations share.
_REGION = path_parameter("code", "A regency or city code, e.g. 12.06 (Kabupaten Karo).")
_KIND = path_parameter("kind", "Which part of the configuration.", enum=list(KINDS))
_KIND_VIEW = json_answer(shapes.KIND_VIEWS, "The kind of configuration in force.")
_READ = (401, 403, 404, 422, 503)
_WRITE = (400, 401, 403, 404, 413, 415, 422, 503)
_NO_REGION = "No such region for this key."
_BAD_REGION = "Not a region code, or a province where a regency is needed."
_REFUSED = (
    "Not a region code, a province, or a payload refused; 'errors' names every problem and "
    "'version_in_force' the version that stays."
)


def _save(
    tenant: str,
    kind: str,
    payload: dict[str, Any] | None,
    reason: str,
    record: dict[str, Any] | None = None,
) -> Response:
    principal = current_principal()
    store = triage_deps().config
    before = store.current(tenant).versions.get(kind, 0)
    try:
        config = store.save(
            tenant,
            cast(ConfigKind, kind),
            payload,
            by=f"{principal.name} ({principal.key_prefix})",
            reason=reason,
            record=record,
        )
    except ConfigInvalid as exc:
        raise Problem(
            422,
            f"{_WHAT[kind]} of {tenant} was refused; version {before} stays in force. "
            "See 'errors' for every problem.",
            errors=[{**p.as_dict(), "code": "invalid"} for p in exc.problems],
            extra={"version_in_force": before},
        ) from exc
    return jsonify(_view(config, kind))


@bp.get("/v1/regions/<code>/config")
@operation(
    summary="Everything a regency's cases are triaged with",
    parameters=[_REGION],
    answers={200: (shapes.RegionConfig, "Each kind, with its version.")},
    problems=_READ,
    texts={404: _NO_REGION, 422: _BAD_REGION},
)
@requires(*READERS)
def get_config(code: str) -> ResponseReturnValue:
    """Everything a regency's cases are triaged with, and the versions in force."""
    tenant = visible_regency(code, current_principal())
    config = triage_deps().config.current(tenant)
    return jsonify(
        region_code=tenant,
        versions=dict(config.versions),
        **{kind: _view(config, kind) for kind in KINDS},
    )


@bp.get(f"/v1/regions/<code>/{_KIND_RULE}")
@operation(
    summary="One kind of configuration as it is in force",
    parameters=[_REGION, _KIND],
    answers={200: _KIND_VIEW},
    problems=_READ,
    texts={404: _NO_REGION, 422: _BAD_REGION},
)
@requires(*READERS)
def get_kind(code: str, kind: str) -> ResponseReturnValue:
    tenant = visible_regency(code, current_principal())
    return jsonify(_view(triage_deps().config.current(tenant), kind))


@bp.put(f"/v1/regions/<code>/{_KIND_RULE}")
@operation(
    summary="Replace one kind with a new, validated version",
    description="The payload of the kind named in the path: rules {text}, routing {units, "
    "default_unit, by_category}, roster {officers} or calendar {entries}; 'reason' is kept in "
    "the history. A refused payload changes nothing. Rules are first run over every case "
    "officers have labelled; rules that agree with them less often are refused (409) unless "
    "'force' is true and a reason given.",
    parameters=[_REGION, _KIND],
    body=shapes.PAYLOADS,
    answers={200: _KIND_VIEW},
    problems=(*_WRITE, 409),
    texts={
        404: _NO_REGION,
        409: "Rules that agree with officers' labels on fewer confirmed cases than those in "
        "force; 'evaluation' holds the figures. Send 'force': true with a reason to activate "
        "them anyway.",
        422: _REFUSED,
    },
)
@requires(*MANAGERS)
def put_kind(code: str, kind: str) -> ResponseReturnValue:
    """Replace one kind of configuration with a new, validated version."""
    tenant = visible_regency(code, current_principal())
    change = parse_body(ConfigChange, detail="The configuration needs correcting; see 'errors'.")
    reason = (change.reason or "").strip()
    if kind != "rules":
        if "force" in change.model_fields_set:
            raise Problem(
                422,
                "Only a rules version is evaluated before it is activated.",
                errors=[{"field": "force", "message": "unknown key", "code": "invalid"}],
            )
        return _save(tenant, kind, change.payload(), reason)
    record = _evaluated(tenant, change.payload(), force=change.force, reason=reason)
    return _save(tenant, kind, change.payload(), reason, record)


def _evaluated(
    tenant: str, payload: dict[str, Any], *, force: bool, reason: str
) -> dict[str, Any] | None:
    """The evaluation a rules version is activated with, run over every case officers have
    labelled: a version that agrees with them less often than the one in force is refused
    (409, with the figures) unless forced with a reason. None when the rules are refused
    anyway (``_save`` names every problem)."""
    try:
        candidate = parse_rules_payload(payload)
    except ConfigInvalid:
        return None
    result = evaluate_candidate(triage_deps(), tenant, candidate)
    figures = evaluation_figures(result)
    if not result.lowers_accuracy:
        return {"evaluation": {**figures, "forced": False}}
    if not force:
        raise Problem(
            409,
            f"Rules {candidate.version} would agree with officers on {result.correct_after} of "
            f"{result.examples} confirmed cases, against {result.correct_before} for the rules "
            "in force; see POST /v1/triage/evaluations for the cases, or send 'force': true "
            "with a reason.",
            errors=[
                {
                    "field": "text",
                    "message": "lowers accuracy on confirmed cases "
                    f"({figures['accuracy_before']} to {figures['accuracy_after']})",
                    "code": "lowers_accuracy",
                }
            ],
            extra={"evaluation": figures},
        )
    if not reason:
        raise Problem(
            422,
            "A forced activation needs a reason; it is kept with the evaluation's figures.",
            errors=[{"field": "reason", "message": "required when forced", "code": "missing"}],
            extra={"evaluation": figures},
        )
    return {"evaluation": {**figures, "forced": True}}


@bp.delete(f"/v1/regions/<code>/{_KIND_RULE}")
@operation(
    summary="Go back to the shipped default (recorded as a new version)",
    parameters=[_REGION, _KIND],
    query=ResetQuery,
    answers={200: _KIND_VIEW},
    problems=_READ,
    texts={404: _NO_REGION, 422: _REFUSED},
)
@requires(*MANAGERS)
def reset_kind(code: str, kind: str) -> ResponseReturnValue:
    """Go back to the shipped default of one kind (recorded as a new version)."""
    tenant = visible_regency(code, current_principal())
    reason = parse_query(ResetQuery).reason[:_MAX_REASON]
    return _save(tenant, kind, None, reason)


@bp.patch("/v1/regions/<code>/roster/officers/<officer_id>")
@operation(
    summary="Mark an officer (un)available or record declared conflicts",
    parameters=[_REGION, path_parameter("officer_id", "The officer's id.")],
    body=shapes.OfficerChange,
    answers={200: (shapes.RosterView, "The roster now in force.")},
    problems=_WRITE,
    texts={404: "No such region for this key, or no such officer in it."},
)
@requires(*MANAGERS)
def patch_officer(code: str, officer_id: str) -> ResponseReturnValue:
    """Mark an officer (un)available or record the people they declared a conflict with."""
    tenant = visible_regency(code, current_principal())
    only = "Only 'available' and 'conflicts' can be changed here."
    change = parse_body(shapes.OfficerChange, detail=only)
    changes = change.model_dump(exclude_unset=True, exclude={"reason"})
    if not changes:
        raise Problem(
            422, only, errors=[{"field": "", "message": "nothing to change", "code": "empty"}]
        )
    reason = (change.reason or "").strip()
    config = triage_deps().config.current(tenant)
    officers = officers_as_list(config.officers, config.contacts)
    target = next((o for o in officers if o["id"] == officer_id), None)
    if target is None:
        raise Problem(404, f"No officer {officer_id} in {tenant}.")
    target.update(changes)
    return _save(tenant, "roster", {"officers": officers}, reason)


@bp.get("/v1/regions/<code>/config/history")
@operation(
    summary="Stored versions of one kind: who changed what, when and why",
    parameters=[_REGION],
    query=HistoryQuery,
    answers={200: (shapes.ConfigHistory, "Newest first.")},
    problems=_READ,
    texts={404: _NO_REGION},
)
@requires(*READERS)
def get_history(code: str) -> ResponseReturnValue:
    """Stored versions of one kind, newest first: who changed what, when and why."""
    tenant = visible_regency(code, current_principal())
    kind = parse_query(HistoryQuery, detail=f"Name the kind: one of {', '.join(KINDS)}.").kind
    versions = triage_deps().config.history(tenant, kind)
    return jsonify(
        region_code=tenant,
        kind=kind,
        versions=[
            {k: plain(v) for k, v in doc.items() if k not in ("_id", "tenant")} for doc in versions
        ],
    )
