"""The public pages' blueprint, shared by the report and tracking views."""

from __future__ import annotations

from flask import Blueprint, Response

bp = Blueprint("public", __name__)


@bp.after_request
def _not_kept(response: Response) -> Response:
    # Every public page holds either a one-time challenge and sending key (the form) or a
    # report's status and code: no browser or proxy may keep or replay it.
    response.headers["Cache-Control"] = "no-store"
    return response
