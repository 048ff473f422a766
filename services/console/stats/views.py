"""Statistics (being built)."""

from __future__ import annotations

from flask import Blueprint, abort
from flask.typing import ResponseReturnValue
from flask_login import login_required

bp = Blueprint("stats", __name__)


@bp.get("/statistik")
@login_required
def overview() -> ResponseReturnValue:
    abort(404)
