"""What a manager does to a person from their page: invite them (a one-time link by e-mail),
deactivate them (after a page naming what follows), or take them back.

Each change is one call to intake as the manager; the result is said on the person's page
(post, redirect, get).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from services.console.clients.base import NotFound, Refused
from services.console.team import gateway
from services.console.team.access import manager
from services.console.team.forms import ConfirmForm, VersionForm

# How long an invitation link works (intake's one-time links: 30 minutes).
LINK_MINUTES = 30


def _back(officer_id: str) -> ResponseReturnValue:
    return redirect(url_for("team.person_page", officer_id=officer_id))


@login_required
def invite(officer_id: str) -> ResponseReturnValue:
    person = manager()
    if not ConfirmForm().validate_on_submit():
        return _back(officer_id)
    try:
        sent = gateway.invite(person, officer_id)
    except NotFound:
        raise
    except Refused as exc:
        if exc.status == 422:
            flash(_("Orang ini belum punya alamat e-mail. Tambahkan dulu, lalu undang."), "danger")
        elif exc.status == 409:
            flash(_("Orang ini tidak aktif. Aktifkan kembali dulu, lalu undang."), "danger")
        else:
            raise
        return _back(officer_id)
    flash(
        _(
            "Undangan dikirim ke %(address)s. Tautannya berlaku %(minutes)s menit dan hanya "
            "sekali pakai.",
            address=sent.get("sent_to", ""),
            minutes=LINK_MINUTES,
        ),
        "ok",
    )
    return _back(officer_id)


@login_required
def deactivate(officer_id: str) -> ResponseReturnValue:
    """GET: what deactivating means for this person; POST: do it."""
    person = manager()
    entry = gateway.officer(person, officer_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            gateway.deactivate(person, officer_id)
        except NotFound:
            raise
        except Refused as exc:
            if exc.status != 409:
                raise
            flash(_("Orang ini sudah tidak aktif."), "warn")
        else:
            flash(
                _("%(name)s dinonaktifkan. Semua sesinya sudah berakhir.", name=entry["name"]),
                "ok",
            )
        return _back(officer_id)
    return render_template(
        "team/deactivate.html",
        entry=entry,
        form=form,
        open_cases=gateway.open_cases(person, officer_id),
    )


@login_required
def reactivate(officer_id: str) -> ResponseReturnValue:
    person = manager()
    form = VersionForm()
    if not form.validate_on_submit():
        # Someone else's regency answers as nothing, whatever the form held.
        gateway.officer(person, officer_id)
        return _back(officer_id)
    try:
        gateway.update(person, officer_id, {"version": form.version.data, "active": True})
    except NotFound:
        raise
    except Refused as exc:
        if exc.status != 409:
            raise
        flash(_("Data orang ini baru saja diubah orang lain. Periksa, lalu coba lagi."), "warn")
    else:
        flash(_("Orang ini aktif kembali dan dapat menerima kasus."), "ok")
    return _back(officer_id)
