"""An export job as its page and its script show it: the state in words, how far it is,
and what can be done next."""

from __future__ import annotations

from typing import Any, Final

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

STATE_LABELS: Final = {
    "queued": _l("Menunggu giliran"),
    "running": _l("Sedang ditulis"),
    "done": _l("Siap diunduh"),
    "failed": _l("Gagal"),
}
ACTIVE: Final = ("queued", "running")


def progress(job: dict[str, Any]) -> dict[str, Any]:
    """What the page and its script need of intake's job, in the person's language."""
    state = str(job.get("status") or "queued")
    written = int(job.get("rows_written") or 0)
    total = int(job.get("total_estimated") or 0)
    percent = float(job.get("percent") or 0)
    if state == "done":
        summary = _("%(rows)s baris siap diunduh.", rows=format_decimal(written))
    elif state == "failed":
        summary = _("Berkas tidak dapat dibuat. Coba buat ekspor baru.")
    elif state == "queued":
        summary = _("%(total)s kasus akan ditulis; menunggu giliran.", total=format_decimal(total))
    else:
        summary = _(
            "%(rows)s dari %(total)s baris ditulis (%(percent)s%%).",
            rows=format_decimal(written),
            total=format_decimal(total),
            percent=format_decimal(round(percent)),
        )
    return {
        "id": str(job.get("id") or ""),
        "status": state,
        "label": str(STATE_LABELS.get(state, state)),
        "rows_written": written,
        "total": total,
        "percent": percent,
        "percent_text": f"{format_decimal(round(percent))}%",
        "summary": summary,
        "active": state in ACTIVE,
        "done": state == "done",
        "failed": state == "failed",
    }
