"""Evidence files shown through intake, as the signed-in person: intake checks access, logs
every view and sends the cleaned file (no EXIF or GPS); the console only passes it on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from flask import Blueprint, Response, stream_with_context
from flask.typing import ResponseReturnValue
from flask_login import login_required

from services.console.deps import deps
from services.console.web.person import current_person

bp = Blueprint("evidence", __name__)

CHUNK: Final = 64 * 1024
# Headers of intake's answer that the browser needs; nothing else is passed on.
_PASSED: Final = ("Content-Type", "Content-Length", "Content-Disposition", "ETag")


@bp.get("/kasus/<case_id>/bukti/<evidence_id>")
@login_required
def content(case_id: str, evidence_id: str) -> ResponseReturnValue:
    upstream = deps().intake.stream(
        f"/v1/cases/{case_id}/evidence/{evidence_id}/content", current_person().token
    )
    headers = {name: upstream.headers[name] for name in _PASSED if name in upstream.headers}
    # Evidence is personal data: kept by no shared cache, opened only as what it says it is.
    headers["Cache-Control"] = "private, no-store"
    headers["X-Content-Type-Options"] = "nosniff"

    def body() -> Iterator[bytes]:
        try:
            yield from upstream.iter_content(CHUNK)
        finally:
            upstream.close()

    return Response(stream_with_context(body()), status=200, headers=headers)
