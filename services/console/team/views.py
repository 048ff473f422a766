"""Supervisor tools (being built): the team board and bulk actions."""

from __future__ import annotations

from flask import Blueprint, abort
from flask.typing import ResponseReturnValue
from flask_login import login_required

bp = Blueprint("team", __name__)


@bp.get("/tim")
@login_required
def board() -> ResponseReturnValue:
    abort(404)


@bp.post("/tim/massal")
@login_required
def bulk() -> ResponseReturnValue:
    abort(404)
