"""The badges beside a case in a queue: overdue, working days left, paused clock, new.

Pure: the case as intake lists it, its clock as triage reports it, and when the person last
opened the case, in; a few labelled badges out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

CLOSED: Final = frozenset({"rejected", "sanction_imposed", "closed", "duplicate", "withdrawn"})
DUE_SOON_DAYS: Final = 2


@dataclass(frozen=True)
class Badge:
    kind: str  # a CSS class: overdue, soon, paused, new, urgent, high
    text: str


def badges(
    case: Mapping[str, Any],
    clock: Mapping[str, Any] | None,
    seen_at: datetime | None,
    updated_at: datetime | None,
) -> list[Badge]:
    """What deserves the person's eye about ``case``, most pressing first."""
    out: list[Badge] = []
    status = str(case.get("status") or "")
    priority = (case.get("triage") or {}).get("priority")
    if priority == "urgent":
        out.append(Badge("urgent", str(_l("Sangat mendesak"))))
    elif priority == "high":
        out.append(Badge("high", str(_l("Prioritas tinggi"))))
    if status not in CLOSED and clock:
        if clock.get("paused"):
            out.append(Badge("paused", str(_l("Jam berhenti: menunggu keterangan"))))
        elif clock.get("status") == "breached":
            out.append(Badge("overdue", str(_l("Lewat tenggat"))))
        else:
            left = clock.get("working_days_left")
            if isinstance(left, int):
                kind = "soon" if left <= DUE_SOON_DAYS else "left"
                text = ngettext("%(num)d hari kerja lagi", "%(num)d hari kerja lagi", left)
                if left == 0:
                    text = str(_l("Tenggat hari ini"))
                out.append(Badge(kind, text))
    if updated_at is not None and (seen_at is None or updated_at > seen_at):
        out.append(Badge("new", str(_l("Baru") if seen_at is None else _l("Ada perubahan"))))
    return out
