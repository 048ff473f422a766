"""API keys for operators: create (shown once), list, revoke."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from pydantic import BaseModel, ConfigDict, Field

from services.intake.access.answers import KeyCreated, KeyList
from services.intake.access.keys import OfficerLinkRefused, create_key, revoke
from services.intake.access.models import ApiKey
from shared.auth import AUDITORS, OPERATORS, ROLES, current_principal, requires
from shared.openapi import empty_answer, operation
from shared.problems import Problem
from shared.request_input import parse_body, parse_query

bp = Blueprint("keys", __name__)

MAX_REQUEST_BYTES = 4096


class KeyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    region: str = Field(min_length=2, max_length=5)
    role: str
    officer_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="An active officer of the key's region, whose key this is",
    )


class KeyListQuery(BaseModel):
    region: str | None = Field(default=None, description="Only the keys of this region")


def _present(key: ApiKey) -> dict[str, object]:
    return {
        "prefix": key.prefix,
        "name": key.name,
        "region": key.region,
        "role": key.role,
        "officer_id": key.officer_id,
        "created_at": key.created_at.isoformat(),
        "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
    }


@bp.post("/v1/keys")
@operation(
    summary="Create an API key (shown once)",
    body=KeyRequest,
    answers={201: (KeyCreated, "The key; store it now.")},
    problems=(400, 401, 403, 413, 415, 422),
)
@requires(*OPERATORS)
def create() -> ResponseReturnValue:
    principal = current_principal()
    body = parse_body(KeyRequest, max_bytes=MAX_REQUEST_BYTES)
    if body.role not in ROLES:
        raise Problem(
            422,
            f"Unknown role; one of: {', '.join(ROLES)}.",
            errors=[{"field": "role", "message": "unknown role", "code": "role"}],
        )
    if not principal.can_see(body.region):
        raise Problem(
            422,
            f"You may create keys for region {principal.region} and its regencies only.",
            errors=[{"field": "region", "message": "outside your area", "code": "tenant"}],
        )
    try:
        token, record = create_key(
            name=body.name, region=body.region, role=body.role, officer_id=body.officer_id
        )
    except OfficerLinkRefused as exc:
        raise Problem(
            422,
            str(exc),
            errors=[{"field": "officer_id", "message": str(exc), "code": "officer"}],
        ) from exc
    except ValueError as exc:
        raise Problem(
            422, str(exc), errors=[{"field": "region", "message": str(exc), "code": "region"}]
        ) from exc
    answer = jsonify(
        {**_present(record), "key": token, "note": "Store this key now; it is not shown again."}
    )
    answer.status_code = 201
    return answer


@bp.get("/v1/keys")
@operation(
    summary="List keys (never their secrets)",
    query=KeyListQuery,
    answers={200: (KeyList, "Keys.")},
    problems=(401, 403),
)
@requires(*AUDITORS)
def list_keys() -> ResponseReturnValue:
    principal = current_principal()
    region = parse_query(KeyListQuery).region
    keys = [k for k in ApiKey.objects().order_by("created_at") if principal.can_see(k.region)]
    if region:
        keys = [k for k in keys if k.region == region]
    return jsonify({"items": [_present(k) for k in keys]})


@bp.delete("/v1/keys/<prefix>")
@operation(
    summary="Revoke a key; it stops working at once",
    answers={204: empty_answer("Revoked.")},
    problems=(401, 403, 404, 409),
    texts={409: "This key is already revoked."},
)
@requires(*OPERATORS)
def revoke_key(prefix: str) -> ResponseReturnValue:
    principal = current_principal()
    key = ApiKey.objects(prefix=prefix).first()
    if key is None or not principal.can_see(key.region):
        raise Problem(404, "No key with this prefix.")
    if not revoke(prefix):
        raise Problem(409, "This key is already revoked.")
    return "", 204
