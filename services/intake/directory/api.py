"""The officer directory over HTTP: list, read, create, change (optimistically), deactivate.

Supervisors manage their regency's officers, operators their province's. Another region's
officer answers 404, as if absent, so ids cannot be probed.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, jsonify, request
from flask.typing import ResponseReturnValue
from pydantic import ValidationError

from services.intake.cases.schemas import field_errors
from services.intake.directory import officers as directory
from services.intake.directory.openapi import OfficerView
from services.intake.directory.schema import (
    ChangeRefused,
    OfficerCreate,
    OfficerListQuery,
    OfficerPatch,
)
from shared.auth import Principal, current_principal, requires
from shared.problems import Problem, json_body

bp = Blueprint("officers", __name__)

MANAGE_ROLES = ("supervisor", "operator")
LIST_ROLES = ("supervisor", "operator", "auditor")
# An officer may read their own entry (the key must name them), nobody else's.
READ_ROLES = (*LIST_ROLES, "officer")
MAX_BODY = 16_384


def _invalid(exc: ValidationError, what: str = "Some fields") -> Problem:
    return Problem(422, f"{what} need correcting; see 'errors'.", errors=field_errors(exc))


def _present(doc: dict[str, Any]) -> dict[str, Any]:
    view = OfficerView(
        officer_id=str(doc["_id"]),
        region=doc["region"],
        unit=doc["unit"],
        role=doc["role"],
        name=doc["name"],
        email=doc.get("email"),
        phone=doc.get("phone"),
        language=doc.get("language") or "id",
        timezone=doc["timezone"],
        conflicts=list(doc.get("conflicts") or []),
        active=bool(doc.get("active", True)),
        version=int(doc["version"]),
    )
    return view.model_dump(mode="json")


def _actor(principal: Principal) -> dict[str, Any]:
    return directory.actor_of(
        principal.name, principal.key_prefix, principal.officer_id, principal.role
    )


def _visible(officer_id: str, principal: Principal) -> dict[str, Any]:
    doc = directory.get(officer_id)
    if doc is None or not principal.can_see(doc["region"]):
        raise Problem(404, "No officer with this id in your region.")
    return doc


def _outside(principal: Principal) -> Problem:
    return Problem(
        422,
        f"You manage officers of {principal.region}"
        + (" and its regencies" if principal.is_provincial else "")
        + " only.",
        errors=[{"field": "region", "message": "outside your area", "code": "tenant"}],
    )


@bp.get("/v1/officers")
@requires(*LIST_ROLES)
def list_officers() -> ResponseReturnValue:
    principal = current_principal()
    try:
        query = OfficerListQuery.model_validate(request.args.to_dict())
    except ValidationError as exc:
        raise _invalid(exc, "Some filters") from exc
    docs = directory.list_officers(
        principal.region, region=query.region, unit=query.unit, active=query.active
    )
    return jsonify({"items": [_present(d) for d in docs]})


# Roles that see a whole province: only an operator may make someone one.
_PROVINCE_ROLES = ("operator", "auditor")


def _check_role_grant(principal: Principal, role: str) -> None:
    if role in _PROVINCE_ROLES and principal.role != "operator":
        raise Problem(
            403,
            f"Only an operator may give the role '{role}'.",
            errors=[{"field": "role", "message": "not yours to give", "code": "role"}],
        )


def _email_taken(exc: Exception) -> Problem:
    return Problem(
        409,
        "Another officer already has this e-mail address; people sign in with it.",
        errors=[{"field": "email", "message": "already used", "code": "email_taken"}],
    )


@bp.get("/v1/officers/<officer_id>")
@requires(*READ_ROLES)
def get_officer(officer_id: str) -> ResponseReturnValue:
    principal = current_principal()
    if principal.role == "officer" and principal.officer_id != officer_id:
        raise Problem(403, "Officers may read only their own entry (a key that names them).")
    return jsonify(_present(_visible(officer_id, principal)))


@bp.post("/v1/officers")
@requires(*MANAGE_ROLES)
def create_officer() -> ResponseReturnValue:
    principal = current_principal()
    try:
        body = OfficerCreate.model_validate(json_body(MAX_BODY))
    except ValidationError as exc:
        raise _invalid(exc) from exc
    if not principal.can_see(body.region):
        raise _outside(principal)
    _check_role_grant(principal, body.role)
    try:
        doc = directory.create(body, actor=_actor(principal), correlation_id=g.request_id)
    except directory.OfficerExists as exc:
        raise Problem(409, "This officer id is taken; choose another.") from exc
    except directory.EmailTaken as exc:
        raise _email_taken(exc) from exc
    answer = jsonify(_present(doc))
    answer.status_code = 201
    answer.headers["Location"] = f"/v1/officers/{doc['_id']}"
    return answer


@bp.patch("/v1/officers/<officer_id>")
@requires(*MANAGE_ROLES)
def update_officer(officer_id: str) -> ResponseReturnValue:
    principal = current_principal()
    raw = json_body(MAX_BODY)
    _visible(officer_id, principal)
    try:
        patch = OfficerPatch.model_validate(raw)
    except ValidationError as exc:
        raise _invalid(exc) from exc
    if patch.region is not None and not principal.can_see(patch.region):
        raise _outside(principal)
    if patch.role is not None:
        _check_role_grant(principal, patch.role)
    try:
        doc = directory.update(
            officer_id, patch, actor=_actor(principal), correlation_id=g.request_id
        )
    except directory.OfficerNotFound as exc:
        raise Problem(404, "No officer with this id in your region.") from exc
    except directory.StaleVersion as exc:
        raise Problem(409, str(exc), extra={"current_version": exc.current}) from exc
    except directory.EmailTaken as exc:
        raise _email_taken(exc) from exc
    except ChangeRefused as exc:
        raise Problem(
            422,
            f"{exc.message}.",
            errors=[{"field": exc.field, "message": exc.message, "code": exc.code}],
        ) from exc
    return jsonify(_present(doc))


@bp.delete("/v1/officers/<officer_id>")
@requires(*MANAGE_ROLES)
def deactivate_officer(officer_id: str) -> ResponseReturnValue:
    principal = current_principal()
    _visible(officer_id, principal)
    try:
        doc = directory.deactivate(officer_id, actor=_actor(principal), correlation_id=g.request_id)
    except directory.OfficerNotFound as exc:
        raise Problem(404, "No officer with this id in your region.") from exc
    except directory.AlreadyInactive as exc:
        raise Problem(409, "This officer is already deactivated.") from exc
    except directory.StaleVersion as exc:
        raise Problem(409, "The entry changed meanwhile; try again.") from exc
    return jsonify(_present(doc))
