"""The public pages' calls to intake, with the public key and the citizen's stand-in.

Intake's public routes take multipart bodies: the JSON in its own part, files beside it.
A report and an answer each carry their sending's key (``Idempotency-Key``), so a resend
after a timeout is answered with the first answer instead of filing twice.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Final
from urllib.parse import quote

from services.console.clients.base import Json
from services.console.deps import deps
from services.console.public.abuse import intake_headers
from services.console.public.files import Picked

# Intake cleans every photo before it answers: a few large ones take longer than a page.
UPLOAD_TIMEOUT: Final = 120.0


def _parts(name: str, body: dict[str, Any], files: Sequence[Picked]) -> list[Any]:
    # A part without a file name is a form field: the JSON travels beside the files even
    # when there are none, so the body is multipart either way.
    return [(name, (None, json.dumps(body), "application/json")), *(f.part() for f in files)]


def file_report(payload: dict[str, Any], files: Sequence[Picked], sending: str) -> Json:
    """File the report; intake's answer (its tracking code, whether a receipt goes out)."""
    d = deps()
    return d.intake.call(
        "POST",
        "/v1/public/reports",
        d.public_key,
        files=_parts("report", payload, files),
        headers=intake_headers(sending),
        timeout=UPLOAD_TIMEOUT,
    ).body


def track(code: str) -> Json:
    """The report's status as a reporter may see it (NotFound alike for any wrong code)."""
    d = deps()
    return d.intake.get(f"/v1/track/{quote(code, safe='')}", d.public_key, headers=intake_headers())


def answer(code: str, text: str, files: Sequence[Picked], sending: str) -> Json:
    """Send the reporter's answer to the question open on the report."""
    d = deps()
    return d.intake.call(
        "POST",
        f"/v1/track/{quote(code, safe='')}/answer",
        d.public_key,
        files=_parts("answer", {"text": text}, files),
        headers=intake_headers(sending),
        timeout=UPLOAD_TIMEOUT,
    ).body
