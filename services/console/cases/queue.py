"""The queue: "my cases" for officers, the regency's for supervisors, the province's for
provincial roles; filters in the URL, sorting, counts, cursor pages and badges."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required

from services.console.cases import gateway, visits
from services.console.cases.badges import badges
from services.console.cases.filters import UNITS, QueueFilters, default_view
from services.console.web.i18n import parse_moment
from services.console.web.labels import CATEGORY_CODES, PRIORITY_CODES, STATUS_LABELS
from services.console.web.person import current_person

bp = Blueprint("cases", __name__)


@bp.get("/kasus")
@login_required
def queue() -> ResponseReturnValue:
    person = current_person()
    shown = {k: v for k, v in request.args.items() if k != "lang"}
    filters = QueueFilters.from_args(shown) if shown else default_view(person.role)
    due_before = None
    if filters.due_within:
        due_before = gateway.working_day_deadline(
            person, filters.region or person.region, filters.due_within
        )
    answer = gateway.cases(
        person, filters.intake_params(officer_id=person.officer_id, due_before=due_before)
    )
    items: list[dict[str, Any]] = answer.get("items", [])
    ids = [str(item["id"]) for item in items]
    clocks, seen, officers = gateway.together(
        lambda: gateway.clocks(person, ids),
        lambda: visits.seen(person.officer_id, ids),
        lambda: gateway.officers(person) if person.watches else [],
    )
    rows = [
        {
            "case": item,
            "badges": badges(
                item,
                clocks.get(item["id"]),
                seen.get(item["id"]),
                parse_moment(item.get("updated_at")),
            ),
            "clock": clocks.get(item["id"]),
        }
        for item in items
    ]
    return render_template(
        "cases/queue.html",
        filters=filters,
        rows=rows,
        count=answer.get("count"),
        count_capped=answer.get("count_capped", False),
        next_cursor=answer.get("next_cursor"),
        officers=officers,
        statuses=list(STATUS_LABELS),
        categories=CATEGORY_CODES,
        priorities=PRIORITY_CODES,
        units=UNITS,
        now=datetime.now(UTC),
        bulk=person.manages,
    )
