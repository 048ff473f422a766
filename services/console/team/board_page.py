"""The team board page (``/tim``): each officer's open cases, what is overdue, due within two
working days, waiting for the reporter, and the oldest case nobody has picked up; each figure
opens the queue filtered to it."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from services.console.cases.gateway import working_day_deadline
from services.console.clients.base import ServiceDown
from services.console.team import gateway
from services.console.team.access import watcher
from services.console.team.board import build_board

# "Due soon" on the board: the queue's due_within filter with this many working days.
DUE_WITHIN_DAYS = 2
# What a row says of an officer who holds cases but is not one of the region's active ones.
STATES = {
    "inactive": _l("tidak aktif: alihkan kasusnya"),
    "moved": _l("kini bertugas di wilayah lain: alihkan kasusnya"),
    "unlisted": _l("belum ada di direktori"),
}


@login_required
def board() -> ResponseReturnValue:
    person = watcher()
    # The queue a figure links to computes "due within" from the same calendar (the person's
    # region's), so the figure and the list agree. Without triage's answer the column is empty.
    try:
        due_before = working_day_deadline(person, person.region, DUE_WITHIN_DAYS)
    except ServiceDown:
        due_before = None
    workload = gateway.workload(person, due_before)
    boards = build_board(
        gateway.officers(person),
        workload.get("items", []),
        due_known=due_before is not None,
    )
    return render_template(
        "team/board.html",
        boards=boards,
        due_days=DUE_WITHIN_DAYS,
        due_known=due_before is not None,
        as_of=workload.get("as_of"),
        states={k: str(v) for k, v in STATES.items()},
        labels=_column_labels(),
    )


def _column_labels() -> dict[str, str]:
    """The columns' names, in the header and beside each figure on a phone."""
    return {
        "open": _("Terbuka"),
        "overdue": _("Lewat tenggat"),
        "due_soon": _("Tenggat ≤ %(days)s hari kerja", days=DUE_WITHIN_DAYS),
        "awaiting_info": _("Menunggu pelapor"),
        "untouched": _("Belum disentuh"),
    }
