"""Who am I: lets a caller (and triage and notify, on a caller's behalf) check a key."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from services.intake.access.answers import Whoami
from shared.auth import current_principal
from shared.openapi import operation

bp = Blueprint("auth", __name__)


@bp.get("/v1/auth/whoami")
@operation(
    summary="The caller's key, region and role",
    answers={200: (Whoami, "The caller.")},
    problems=(401,),
)
def whoami() -> ResponseReturnValue:
    return jsonify(current_principal().as_dict())
