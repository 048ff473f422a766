"""CSV exports of the cases behind the figures: asked for from the statistics page, followed
on a page of their own, downloaded through the console as the person.

Intake's worker writes the file; these pages only ask for it, show how far it is (a
"Perbarui" link, and a small script that asks every 2 seconds), and pass the finished file
on chunk by chunk, so a large export never sits in the console's memory.
"""

from __future__ import annotations

import re

from flask import (
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import login_required

from services.console.clients.base import NotFound, Refused
from services.console.stats import gateway
from services.console.stats.blueprint import bp
from services.console.stats.forms import filter_form
from services.console.stats.overview import local_today, render_page
from services.console.stats.progress import progress
from services.console.stats.refusals import export_refusal
from services.console.web.person import Person, current_person
from services.console.web.relay import relay

# Intake's export ids; anything else is no export, and never becomes part of a path.
_EXPORT_ID = re.compile(r"[0-9a-f]{24}")


@bp.post("/statistik/ekspor")
@login_required
def start_export() -> ResponseReturnValue:
    person = current_person()
    form = filter_form(person, request.form, csrf=True)
    if not form.validate():
        return render_page(person, form, valid=False)
    today, zone = local_today()
    try:
        job = gateway.start_export(person, form.export_filters(today=today, zone=zone))
    except Refused as exc:
        message = export_refusal(exc)
        if message is None:
            raise
        return render_page(person, form, valid=True, export_error=message, status=exc.status)
    return redirect(url_for("stats.export_page", export_id=job["id"]), 303)


def _job(person: Person, export_id: str) -> dict[str, object]:
    if not _EXPORT_ID.fullmatch(export_id):
        abort(404)
    return gateway.export_job(person, export_id)


@bp.get("/statistik/ekspor/<export_id>")
@login_required
def export_page(export_id: str) -> ResponseReturnValue:
    job = progress(_job(current_person(), export_id))
    return render_template(
        "stats/export.html",
        job=job,
        status_url=url_for("stats.export_status", export_id=export_id),
    )


@bp.get("/statistik/ekspor/<export_id>/status")
@login_required
def export_status(export_id: str) -> ResponseReturnValue:
    """The job as JSON for the page's script (the page itself works without it)."""
    response = jsonify(progress(_job(current_person(), export_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/statistik/ekspor/<export_id>/unduh")
@login_required
def export_download(export_id: str) -> ResponseReturnValue:
    if not _EXPORT_ID.fullmatch(export_id):
        abort(404)
    try:
        upstream = gateway.export_file(current_person(), export_id)
    except NotFound:
        raise
    except Refused as exc:
        # Not done yet (or failed): its page says which.
        if exc.status != 409:
            raise
        return redirect(url_for("stats.export_page", export_id=export_id))
    return relay(upstream)
