"""The statistics family's blueprint, and who may open its pages."""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user

bp = Blueprint("stats", __name__)


@bp.before_request
def _overseers_only() -> None:
    # Intake would refuse an officer's statistics too; saying so here spares the call and
    # gives the same page for every address of the family. Someone not signed in is sent to
    # sign in by the view itself.
    if current_user.is_authenticated and not current_user.watches:
        abort(403)
