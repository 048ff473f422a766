"""API keys: the list (operators and auditors), a new key shown once, revoking one.

Intake keeps only a key's hash, so the page that answers the creation is the one chance to
see it: it is drawn straight from the POST (no redirect, nothing kept in the session) and
marked ``no-store`` so no cache or back button brings it back. An auditor sees the list
without its buttons; a creation or revocation they send anyway is refused by intake.
"""

from __future__ import annotations

from typing import Final

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from services.console.clients.base import Refused
from services.console.operate import gateway, nav
from services.console.operate.access import CHECKERS, OPERATORS, may_change, open_to
from services.console.operate.forms import ConfirmForm, KeyForm
from services.console.web.errors import error_page
from services.console.web.labels import region_label
from services.console.web.person import Person, current_person
from shared.regions import named_regencies, province_of

bp = Blueprint("keys", __name__)

# Intake's field refusals in the person's words, by (field, code).
_REFUSALS: Final = {
    ("region", "tenant"): _l("Wilayah ini di luar wilayah Anda."),
    ("region", "region"): _l("Kode wilayah ini tidak dikenal."),
    ("role", "role"): _l("Peran ini tidak dikenal."),
    ("officer_id", "officer"): _l(
        "Tidak ada petugas aktif dengan ID ini di wilayah kunci. Periksa ID dan wilayahnya."
    ),
}


@bp.get("/operator/kunci")
@open_to(CHECKERS)
def index() -> ResponseReturnValue:
    person = current_person()
    items = list(reversed(gateway.keys(person)))
    return render_template(
        "operate/keys.html",
        tabs=nav.tabs("keys"),
        active=[k for k in items if not k.get("revoked_at")],
        revoked=[k for k in items if k.get("revoked_at")],
        names=gateway.officer_names(person),
        may_change=may_change(),
    )


@bp.route("/operator/kunci/baru", methods=["GET", "POST"])
@open_to(CHECKERS)
def new() -> ResponseReturnValue:
    """The form, and the new key shown once. Only an operator is shown the form; intake
    decides whether a sent one is carried out."""
    person = current_person()
    if request.method == "GET" and not may_change():
        abort(403)
    form = KeyForm()
    if form.validate_on_submit():
        try:
            created = gateway.create_key(
                person,
                {
                    "name": form.name.data.strip(),
                    "region": form.region.data.strip(),
                    "role": form.role.data,
                    "officer_id": (form.officer_id.data or "").strip() or None,
                },
            )
        except Refused as exc:
            if exc.status == 403:
                return _not_yours()
            if exc.status != 422:
                raise
            _mark(form, exc)
        else:
            response = make_response(
                render_template("operate/key_created.html", tabs=nav.tabs("keys"), key=created)
            )
            # The secret is on this page only: no cache may keep it.
            response.headers["Cache-Control"] = "no-store"
            return response
    status = 422 if form.errors else 200
    return (
        render_template(
            "operate/key_new.html",
            tabs=nav.tabs("keys"),
            form=form,
            regions=region_options(person),
        ),
        status,
    )


@bp.get("/operator/kunci/<prefix>/cabut")
@open_to(OPERATORS)
def confirm_revoke(prefix: str) -> ResponseReturnValue:
    person = current_person()
    found = gateway.key(person, prefix)
    if found is None:
        abort(404)
    return render_template(
        "operate/key_revoke.html",
        tabs=nav.tabs("keys"),
        key=found,
        names=gateway.officer_names(person),
        form=ConfirmForm(),
        # The console's own keys: revoking one locks everyone out of the console.
        console_key=found.get("role") in ("console", "public"),
    )


@bp.post("/operator/kunci/<prefix>/cabut")
@open_to(CHECKERS)
def revoke(prefix: str) -> ResponseReturnValue:
    person = current_person()
    ConfirmForm().validate_on_submit()  # the token is checked for every POST already
    try:
        gateway.revoke_key(person, prefix)
    except Refused as exc:
        if exc.status == 403:
            return _not_yours()
        if exc.status != 409:
            raise
        flash(_("Kunci %(prefix)s sudah dicabut sebelumnya.", prefix=prefix), "warn")
    else:
        flash(
            _("Kunci %(prefix)s dicabut dan tidak lagi diterima layanan mana pun.", prefix=prefix),
            "ok",
        )
    return redirect(url_for(".index"))


def region_options(person: Person) -> list[tuple[str, str]]:
    """Codes to suggest for a new key: the person's province and its named regencies."""
    province = province_of(person.region)
    codes = [province, *named_regencies(province)]
    return [(code, region_label(code)) for code in codes]


def _mark(form: KeyForm, exc: Refused) -> None:
    """Put intake's field refusals beside their fields (anything else at the top)."""
    for error in exc.problem.get("errors") or []:
        name = str(error.get("field") or "")
        words = _REFUSALS.get((name, str(error.get("code") or "")))
        message = str(words) if words else str(error.get("message") or exc.detail)
        field = form[name] if name and name in form else None
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)
    if not form.errors:
        form.form_errors.append(exc.detail or _("Kunci tidak dapat dibuat."))


def _not_yours() -> ResponseReturnValue:
    return error_page(
        403,
        _("Tidak diizinkan"),
        _("Hanya operator provinsi yang dapat membuat atau mencabut kunci API."),
    )
