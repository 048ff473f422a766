"""Open sessions of the area's people (``/tim/sesi``) and ending one after a confirmation.

Ending someone's session signs them out at their next click (intake refuses the token at
once); intake logs who ended it. Ending one's own session is signing out.
"""

from __future__ import annotations

import contextlib
from typing import Any

from flask import flash, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required, logout_user

from services.console.clients.base import NotFound
from services.console.team import gateway
from services.console.team.access import manager, watcher
from services.console.team.forms import ConfirmForm
from services.console.web.devices import device_label
from services.console.web.person import Person


def _shown(item: dict[str, Any]) -> dict[str, Any]:
    return {**item, "device": device_label(item.get("agent"))}


def _listed(person: Person) -> list[dict[str, Any]]:
    return [_shown(item) for item in gateway.sessions(person)]


@login_required
def sessions() -> ResponseReturnValue:
    person = watcher()
    return render_template("team/sessions.html", items=_listed(person))


@login_required
def end_session(session_id: str) -> ResponseReturnValue:
    """GET: whose session this is and what ending it does; POST: end it."""
    person = manager()
    found = next((s for s in _listed(person) if s["id"] == session_id), None)
    if found is None:
        raise NotFound(404, {})
    form = ConfirmForm()
    if form.validate_on_submit():
        # Ended meanwhile (signed out, expired): what was asked is done.
        with contextlib.suppress(NotFound):
            gateway.end_session(person, session_id)
        if found.get("current"):
            logout_user()
            session.clear()
            return redirect(url_for("auth.sign_in", signed_out=1))
        flash(_("Sesi %(name)s diakhiri.", name=found["name"]), "ok")
        return redirect(url_for("team.sessions"))
    return render_template("team/end_session.html", item=found, form=form)
