"""The team board page (``/tim``): each officer's open cases, what is overdue, due within two
working days, waiting for the reporter, and the oldest case nobody has picked up; each figure
opens the queue filtered to it."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import login_required

from services.console.cases.gateway import working_day_deadline
from services.console.clients.base import ServiceDown
from services.console.team import gateway
from services.console.team.access import watcher
from services.console.team.board import build_board

# "Due soon" on the board: the queue's due_within filter with this many working days.
DUE_WITHIN_DAYS = 2


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
    )
