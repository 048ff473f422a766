"""The operators' pages: the suite's health at a glance, API keys, parked messages and the
sign-in log. A provincial operator runs the deployment with them; an auditor reads the key
list and the sign-in log; officers and supervisors get the 403 page.

This blueprint is the health page; the other pages are blueprints of their own, registered
below it (endpoints ``operate.keys.*``, ``operate.parked.*``, ``operate.sign_ins.*``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, g, make_response, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from services.console.deps import deps
from services.console.operate import health, health_words, keys, nav, parked, probes, sign_ins
from services.console.operate.access import OPERATORS
from services.console.web.person import current_person

bp = Blueprint("operate", __name__)
bp.register_blueprint(keys.bp)
bp.register_blueprint(parked.bp)
bp.register_blueprint(sign_ins.bp)


@bp.get("/operator")
@login_required
def home() -> ResponseReturnValue:
    """Every part of the suite with its verdict, what is wrong and what to do."""
    person = current_person()
    if person.role == "auditor":
        # The menu's "Operasional" leads an auditor to what they may read.
        return redirect(url_for("operate.sign_ins.log"))
    if person.role not in OPERATORS:
        abort(403)
    readings = probes.read_all(deps().settings, person.token, g.get("request_id"))
    found = health.assess(readings.console_database, readings.readiness, readings.pipelines)
    page = render_template(
        "operate/health.html",
        tabs=nav.tabs("health"),
        verdict=found.verdict,
        cards=health_words.cards(found),
        problems=health_words.problems(found),
        checked_at=datetime.now(UTC),
    )
    response = make_response(page)
    # Always a fresh reading: a cached "all well" at 2 a.m. would mislead.
    response.headers["Cache-Control"] = "no-store"
    return response
