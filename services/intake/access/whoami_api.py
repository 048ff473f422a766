"""Who am I: lets a caller (and triage and notify, on a caller's behalf) check a key."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from services.intake.openapi import document
from shared.auth import current_principal

bp = Blueprint("auth", __name__)


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(document())


@bp.get("/v1/auth/whoami")
def whoami() -> ResponseReturnValue:
    return jsonify(current_principal().as_dict())
