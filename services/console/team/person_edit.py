"""Adding a person to the directory and changing their entry (``/tim/orang/baru``,
``/tim/orang/<id>/ubah``).

Intake's refusals go beside the fields they name, with what was typed kept. A change is made
on the version the manager read: when a colleague changed the entry meanwhile, the page shows
what they changed, keeps what the manager typed, and moves the form to the new version, so
pressing again applies it knowingly.
"""

from __future__ import annotations

import json
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm

from services.console.clients.base import NotFound, Refused
from services.console.team import gateway
from services.console.team.access import manager
from services.console.team.forms import UNITS, EditPersonForm, NewPersonForm, PersonForm
from services.console.team.people import (
    EDITABLE,
    changes,
    differences,
    entry_values,
    regions_for,
    roles_given_by,
    snapshot,
)
from services.console.web.labels import region_label, role_label
from services.console.web.person import Person

# Words for intake's refusal codes on these forms (phone codes share their start).
_CODES = {
    "email_taken": _l("Alamat ini sudah dipakai orang lain; orang masuk dengan e-mailnya."),
    "email_invalid": _l("Alamat e-mail tidak valid, misalnya nama@karokab.go.id."),
    "phone": _l("Nomor HP tidak valid. Tulis nomor seluler, misalnya 0812 3456 7890."),
    "role": _l("Peran ini hanya dapat diberikan operator provinsi."),
    "tenant": _l("Wilayah ini di luar wilayah Anda."),
    "unit_region": _l("Unit PROVINSI hanya untuk wilayah provinsi, bukan kabupaten/kota."),
}


def _words_for(code: str | None) -> str | None:
    if not code:
        return None
    words = _CODES.get(code) or (_CODES["phone"] if code.startswith("phone") else None)
    return str(words) if words is not None else None


def _choices(form: PersonForm, person: Person, *, keep_role: str | None = None) -> None:
    """The regions and roles this manager may give (and the person's own, to keep it)."""
    form.region.choices = [(r, region_label(r)) for r in regions_for(person.region)]
    roles = list(roles_given_by(person.role))
    if keep_role and keep_role not in roles:
        roles.append(keep_role)
    form.role.choices = [(r, role_label(r)) for r in roles]
    # The province desk's unit exists only at province level.
    form.unit.choices = [(u, u) for u in UNITS if person.is_provincial or u != "PROVINSI"]


def _entry(form: PersonForm) -> dict[str, Any]:
    return {
        "name": (form.name.data or "").strip(),
        "region": form.region.data,
        "unit": form.unit.data,
        "role": form.role.data,
        "email": (form.email.data or "").strip(),
        "phone": (form.phone.data or "").strip(),
        "language": form.language.data or "id",
    }


@login_required
def new_person() -> ResponseReturnValue:
    person = manager()
    form = NewPersonForm()
    _choices(form, person)
    if not form.is_submitted():
        form.region.data = person.region if "." in person.region else None
        form.role.data = "officer"
    if form.validate_on_submit():
        entry = {k: v for k, v in _entry(form).items() if v}
        entry["officer_id"] = form.officer_id.data.strip()
        try:
            gateway.create(person, entry)
        except Refused as exc:
            mark(form, exc, taken_id=exc.status == 409 and not exc.field_errors())
        else:
            flash(_("%(name)s ditambahkan. Undang dia agar dapat masuk.", name=entry["name"]), "ok")
            return redirect(url_for("team.person_page", officer_id=entry["officer_id"]))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("team/person_form.html", form=form, entry=None), status


@login_required
def edit_person(officer_id: str) -> ResponseReturnValue:
    person = manager()
    current = gateway.officer(person, officer_id)
    form = EditPersonForm()
    _choices(form, person, keep_role=current.get("role"))
    if not form.is_submitted():
        form.process(
            data={
                **entry_values(current),
                "version": current["version"],
                "snapshot": json.dumps(snapshot(current)),
            }
        )
        return render_template("team/person_form.html", form=form, entry=current)
    stale: list[dict[str, Any]] | None = None
    if form.validate_on_submit():
        read = _read(form.snapshot.data) or snapshot(current)
        wanted = changes(read, _entry(form))
        if not wanted:
            flash(_("Tidak ada yang diubah."), "ok")
            return redirect(url_for("team.person_page", officer_id=officer_id))
        try:
            gateway.update(person, officer_id, {"version": form.version.data, **wanted})
        except NotFound:
            raise
        except Refused as exc:
            if exc.status == 409 and exc.problem.get("current_version") is not None:
                stale = _moved_on(form, officer_id, person, read)
            else:
                mark(form, exc)
        else:
            flash(_("Data %(name)s disimpan.", name=_entry(form)["name"]), "ok")
            return redirect(url_for("team.person_page", officer_id=officer_id))
    status = 409 if stale is not None else 422
    return (
        render_template("team/person_form.html", form=form, entry=current, stale=stale),
        status,
    )


def _read(raw: str | None) -> dict[str, Any] | None:
    try:
        value = json.loads(raw or "")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _moved_on(
    form: EditPersonForm, officer_id: str, person: Person, read: dict[str, Any]
) -> list[dict[str, Any]]:
    """What a colleague changed. The form moves to the new version: the fields the manager
    left alone take the colleague's values, the ones they changed keep what they typed, so
    pressing again overwrites only what the manager meant to change."""
    now = gateway.officer(person, officer_id)
    current = snapshot(now)
    typed = _entry(form)
    for name in EDITABLE:
        if typed[name] == (read.get(name) or ""):
            form[name].data = current[name]
            form[name].raw_data = [current[name]]
    form.version.data = now["version"]
    form.version.raw_data = [str(now["version"])]
    form.snapshot.data = json.dumps(current)
    form.form_errors.append(
        _(
            "Data orang ini diubah orang lain saat Anda mengisinya. Perubahannya sudah masuk ke "
            "formulir; yang Anda ubah tetap seperti isian Anda. Periksa, lalu tekan Simpan lagi."
        )
    )
    shown = []
    for d in differences(read, current):
        label = _("Aktif") if d.field == "active" else str(form[d.field].label.text)
        shown.append({"label": label, "before": _value(d.before), "after": _value(d.after)})
    return shown


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return str(_("ya") if value else _("tidak"))
    return str(value) if value else str(_("(kosong)"))


def mark(form: FlaskForm, exc: Refused, *, taken_id: bool = False) -> None:
    """Put intake's refusal beside the fields it names, or above the form."""
    if taken_id and hasattr(form, "officer_id"):
        form.officer_id.errors = [_("Id ini sudah dipakai; pilih yang lain.")]
        return
    placed = False
    codes = {str(e.get("field")): e.get("code") for e in exc.problem.get("errors") or []}
    for name, message in exc.field_errors().items():
        field = getattr(form, name.split(".")[0], None) if name else None
        if field is None:
            continue
        text = _words_for(codes.get(name)) or message
        field.errors = [*field.errors, text] if isinstance(field.errors, list) else [text]
        placed = True
    if not placed:
        form.form_errors.append(exc.detail or _("Permintaan ditolak."))
