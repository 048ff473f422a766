"""The people of the area (``/tim/orang``) and one person's page (``/tim/orang/<id>``):
who they are, their role and unit, whether they have signed in yet, and what a manager may
do about them."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_login import login_required

from services.console.team import gateway
from services.console.team.access import watcher
from services.console.team.forms import UNITS, ConfirmForm, VersionForm
from services.console.team.people import account_state, regions_for, search

MAX_SEARCH = 100
# The "active" filter: active people by default, the deactivated ones, or everyone.
_ACTIVE = {"1": "true", "0": "false", "semua": None}


@login_required
def people() -> ResponseReturnValue:
    person = watcher()
    words = (request.args.get("q") or "").strip()[:MAX_SEARCH]
    unit = _one_of(request.args.get("unit"), UNITS)
    active = _one_of(request.args.get("active"), tuple(_ACTIVE)) or "1"
    regions = regions_for(person.region)
    region = _one_of(request.args.get("region"), regions)
    params: dict[str, str] = {}
    if unit:
        params["unit"] = unit
    if _ACTIVE[active]:
        params["active"] = str(_ACTIVE[active])
    if region:
        params["region"] = region
    entries = search(gateway.officers(person, **params), words)
    accounts = gateway.accounts(person)
    rows: list[dict[str, Any]] = [
        {
            "entry": entry,
            "account": accounts.get(entry["officer_id"]),
            "state": account_state(accounts.get(entry["officer_id"])),
        }
        for entry in entries
    ]
    return render_template(
        "team/people.html",
        rows=rows,
        filters={"q": words, "unit": unit or "", "active": active, "region": region or ""},
        units=UNITS,
        regions=regions if person.is_provincial else (),
    )


def _one_of(value: str | None, allowed: tuple[str, ...]) -> str | None:
    return value if value in allowed else None


@login_required
def person_page(officer_id: str) -> ResponseReturnValue:
    person = watcher()
    entry = gateway.officer(person, officer_id)
    account = gateway.accounts(person, officer_id).get(officer_id)
    page = render_template(
        "team/person.html",
        entry=entry,
        account=account,
        state=account_state(account),
        open_cases=gateway.open_cases(person, officer_id),
        confirm=ConfirmForm(),
        reactivate=VersionForm(data={"version": entry["version"]}, formdata=None),
    )
    return page
