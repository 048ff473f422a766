"""The officer directory over HTTP: list, read, create, change (optimistically), deactivate.

Supervisors manage their regency's officers, operators their province's. Another region's
officer answers 404, as if absent, so ids cannot be probed.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, jsonify
from flask.typing import ResponseReturnValue

from services.intake.directory import officers as directory
from services.intake.directory.answers import OfficerList, OfficerView
from services.intake.directory.schema import (
    ChangeRefused,
    OfficerCreate,
    OfficerListQuery,
    OfficerPatch,
)
from shared.auth import MANAGERS, OVERSEERS, READERS, Principal, current_principal, requires
from shared.openapi import operation
from shared.problems import Problem
from shared.request_input import parse_body, parse_query

bp = Blueprint("officers", __name__)

MAX_BODY = 16_384
_NOT_HERE = "No such officer, or not in your region."


def _present(doc: dict[str, Any]) -> dict[str, Any]:
    return OfficerView(**directory.entry_state(doc)).model_dump(mode="json")


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
@operation(
    summary="Officers of your region (a province sees its regencies)",
    query=OfficerListQuery,
    answers={200: (OfficerList, "By region, unit and id.")},
    problems=(401, 403, 422),
    texts={422: "A filter is not valid."},
)
@requires(*OVERSEERS)
def list_officers() -> ResponseReturnValue:
    principal = current_principal()
    query = parse_query(OfficerListQuery)
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


# An officer may read their own entry (the key must name them), nobody else's.
@bp.get("/v1/officers/<officer_id>")
@operation(
    summary="One officer's entry (an officer may read their own)",
    answers={200: (OfficerView, "The entry.")},
    problems=(401, 403, 404),
    texts={404: _NOT_HERE},
)
@requires(*READERS)
def get_officer(officer_id: str) -> ResponseReturnValue:
    principal = current_principal()
    if principal.role == "officer" and principal.officer_id != officer_id:
        raise Problem(403, "Officers may read only their own entry (a key that names them).")
    return jsonify(_present(_visible(officer_id, principal)))


@bp.post("/v1/officers")
@operation(
    summary="Add an officer (announced as officer.changed)",
    description="Phone numbers are stored in E.164; the time zone follows the region unless given.",
    body=OfficerCreate,
    answers={201: (OfficerView, "Added, version 1.")},
    problems=(400, 401, 403, 409, 413, 415, 422),
    texts={
        409: "The officer id is taken.",
        422: "Invalid data, or a region outside yours; 'errors' names every field.",
    },
)
@requires(*MANAGERS)
def create_officer() -> ResponseReturnValue:
    principal = current_principal()
    body = parse_body(OfficerCreate, max_bytes=MAX_BODY)
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
@operation(
    summary="Change some fields of an entry (send the version you read)",
    description="Only the fields given change; null removes an e-mail or phone. A stale "
    "version is refused with 409 and the current one.",
    body=OfficerPatch,
    answers={200: (OfficerView, "The entry as it now is.")},
    problems=(400, 401, 403, 404, 409, 413, 415, 422),
    texts={
        404: _NOT_HERE,
        409: "The entry changed since you read it (see current_version).",
    },
)
@requires(*MANAGERS)
def update_officer(officer_id: str) -> ResponseReturnValue:
    principal = current_principal()
    # The entry first: another region's officer is 404 before the body is looked at.
    _visible(officer_id, principal)
    patch = parse_body(OfficerPatch, max_bytes=MAX_BODY)
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
@operation(
    summary="Deactivate an officer (the entry is kept)",
    answers={200: (OfficerView, "The entry, now inactive.")},
    problems=(401, 403, 404, 409),
    texts={404: _NOT_HERE, 409: "Already deactivated, or changed meanwhile."},
)
@requires(*MANAGERS)
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
