"""A regency's triage configuration over HTTP: rules, routing table, roster and calendar.

``PUT`` replaces one kind with a new version after validation; ``DELETE`` goes back to the
shipped default (also as a new version, so the history shows it); ``PATCH`` on one officer
changes availability or declared conflicts. A refused payload answers 422 with every problem
found, and the version in force stays. Workers pick a new version up with their next message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue

from services.triage.api_access import (
    MANAGE_ROLES,
    READ_ROLES,
    plain,
    triage_deps,
    visible_regency,
)
from services.triage.config_schema import (
    KINDS,
    ConfigInvalid,
    ConfigKind,
    calendar_as_list,
)
from services.triage.roster import officers_as_list, table_as_dict
from services.triage.storage.config import TenantConfig
from shared.auth import current_principal, requires
from shared.problems import Problem, json_body

bp = Blueprint("triage_config", __name__)

_KIND_RULE = "<any(rules, routing, roster, calendar):kind>"
_MAX_REASON = 2_000
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


def _payload_and_reason() -> tuple[dict[str, Any], str]:
    raw = json_body()
    if not isinstance(raw, Mapping):
        raise Problem(
            422,
            "Send the configuration as a JSON object.",
            errors=[{"field": "(body)", "message": "must be a JSON object", "code": "type"}],
        )
    payload = dict(raw)
    reason = payload.pop("reason", "")
    if not isinstance(reason, str) or len(reason) > _MAX_REASON:
        raise Problem(
            422,
            f"'reason' must be text of at most {_MAX_REASON} characters.",
            errors=[{"field": "reason", "message": "invalid", "code": "type"}],
        )
    return payload, reason.strip()


def _save(tenant: str, kind: str, payload: dict[str, Any] | None, reason: str) -> Response:
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
@requires(*READ_ROLES)
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
@requires(*READ_ROLES)
def get_kind(code: str, kind: str) -> ResponseReturnValue:
    tenant = visible_regency(code, current_principal())
    return jsonify(_view(triage_deps().config.current(tenant), kind))


@bp.put(f"/v1/regions/<code>/{_KIND_RULE}")
@requires(*MANAGE_ROLES)
def put_kind(code: str, kind: str) -> ResponseReturnValue:
    """Replace one kind of configuration with a new, validated version."""
    tenant = visible_regency(code, current_principal())
    payload, reason = _payload_and_reason()
    return _save(tenant, kind, payload, reason)


@bp.delete(f"/v1/regions/<code>/{_KIND_RULE}")
@requires(*MANAGE_ROLES)
def reset_kind(code: str, kind: str) -> ResponseReturnValue:
    """Go back to the shipped default of one kind (recorded as a new version)."""
    tenant = visible_regency(code, current_principal())
    reason = request.args.get("reason", "back to the shipped default")[:_MAX_REASON]
    return _save(tenant, kind, None, reason)


@bp.patch("/v1/regions/<code>/roster/officers/<officer_id>")
@requires(*MANAGE_ROLES)
def patch_officer(code: str, officer_id: str) -> ResponseReturnValue:
    """Mark an officer (un)available or record the people they declared a conflict with."""
    tenant = visible_regency(code, current_principal())
    changes, reason = _payload_and_reason()
    unknown = sorted(k for k in changes if k not in ("available", "conflicts"))
    if unknown or not changes:
        raise Problem(
            422,
            "Only 'available' and 'conflicts' can be changed here.",
            errors=[{"field": k, "message": "unknown key", "code": "unknown"} for k in unknown]
            or [{"field": "(body)", "message": "nothing to change", "code": "empty"}],
        )
    config = triage_deps().config.current(tenant)
    officers = officers_as_list(config.officers, config.contacts)
    target = next((o for o in officers if o["id"] == officer_id), None)
    if target is None:
        raise Problem(404, f"No officer {officer_id} in {tenant}.")
    target.update(changes)
    return _save(tenant, "roster", {"officers": officers}, reason)


@bp.get("/v1/regions/<code>/config/history")
@requires(*READ_ROLES)
def get_history(code: str) -> ResponseReturnValue:
    """Stored versions of one kind, newest first: who changed what, when and why."""
    tenant = visible_regency(code, current_principal())
    kind = request.args.get("kind", "")
    if kind not in KINDS:
        raise Problem(
            422,
            f"Name the kind: one of {', '.join(KINDS)}.",
            errors=[{"field": "kind", "message": "unknown kind", "code": "kind"}],
        )
    versions = triage_deps().config.history(tenant, kind)
    return jsonify(
        region_code=tenant,
        kind=kind,
        versions=[
            {k: plain(v) for k, v in doc.items() if k not in ("_id", "tenant")} for doc in versions
        ],
    )
