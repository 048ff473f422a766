"""The public pages (being built): report and track."""

from __future__ import annotations

from flask import Blueprint, abort
from flask.typing import ResponseReturnValue

bp = Blueprint("public", __name__)


@bp.get("/lapor")
def report() -> ResponseReturnValue:
    abort(404)
