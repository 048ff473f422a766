"""Evidence files shown through intake, as the signed-in person: intake checks access, logs
every view and sends the cleaned file (no EXIF or GPS); the console only passes it on."""

from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue
from flask_login import login_required

from services.console.deps import deps
from services.console.web.person import current_person
from services.console.web.relay import relay

bp = Blueprint("evidence", __name__)


@bp.get("/kasus/<case_id>/bukti/<evidence_id>")
@login_required
def content(case_id: str, evidence_id: str) -> ResponseReturnValue:
    upstream = deps().intake.stream(
        f"/v1/cases/{case_id}/evidence/{evidence_id}/content", current_person().token
    )
    return relay(upstream)
