"""The sign-in log of the person's area, newest first, in plain words; filtered by person.

Operators and auditors read it (intake decides whose entries each may see). Each person's
name leads to their entries alone, so following one account takes one tap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from services.console.operate import gateway, nav
from services.console.operate.access import CHECKERS, open_to
from services.console.operate.forms import LogFilterForm
from services.console.operate.sign_in_words import describe
from services.console.web.person import current_person

bp = Blueprint("sign_ins", __name__)

SHORT: Final = 100
LONG: Final = 500


@dataclass(frozen=True)
class Line:
    at: str
    officer_id: str | None
    name: str | None
    text: str
    alarming: bool
    address: str | None
    agent: str | None


@bp.get("/operator/log-masuk")
@open_to(CHECKERS)
def log() -> ResponseReturnValue:
    person = current_person()
    form = LogFilterForm(formdata=request.args)
    officer = (form.officer.data or "").strip() if form.validate() else ""
    limit = LONG if request.args.get("jumlah") == str(LONG) else SHORT
    entries = gateway.sign_in_log(person, officer or None, limit)
    names = gateway.officer_names(person)
    lines = []
    for entry in entries:
        described = describe(entry)
        officer_id = entry.get("officer_id")
        lines.append(
            Line(
                at=str(entry.get("at") or ""),
                officer_id=str(officer_id) if officer_id else None,
                name=names.get(str(officer_id)) if officer_id else None,
                text=described.text,
                alarming=described.alarming,
                address=entry.get("address"),
                agent=entry.get("agent"),
            )
        )
    status = 200 if not form.errors else 422
    return (
        render_template(
            "operate/sign_ins.html",
            tabs=nav.tabs("log"),
            form=form,
            officer=officer,
            lines=lines,
            limit=limit,
            longer=LONG if limit == SHORT and len(entries) == SHORT else None,
        ),
        status,
    )
