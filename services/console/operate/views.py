"""Operator pages (being built)."""

from __future__ import annotations

from flask import Blueprint, abort
from flask.typing import ResponseReturnValue
from flask_login import login_required

bp = Blueprint("operate", __name__)


@bp.get("/operator")
@login_required
def home() -> ResponseReturnValue:
    abort(404)
