"""Officer actions from the case page: each form posts here, is checked, and is sent to the
service that owns the change, as the signed-in person.

After a change the page is shown again (post, redirect, get) with what was done. A refused
change draws the case page again with the person's form open, its errors beside the fields
and what was typed kept. A change made on a stale version shows what changed meanwhile and
keeps the person's form, now on the new version, so pressing again redoes it knowingly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm

from services.console.cases import gateway
from services.console.cases.case_page import (
    Changed,
    officer_choices,
    render_case,
    transfer_choices,
)
from services.console.cases.case_refs import case_id_for
from services.console.cases.forms import (
    AcknowledgeForm,
    CommentForm,
    DuplicateForm,
    InformationRequestForm,
    OverrideForm,
    ReassignForm,
    ReopenForm,
    RevealForm,
    StatusForm,
    TransferForm,
)
from services.console.clients.base import NotFound, Refused
from services.console.deps import deps
from services.console.web.i18n import parse_moment
from services.console.web.person import Person, current_person

bp = Blueprint("case_actions", __name__)


@dataclass(frozen=True)
class Action:
    """One action: its form, where it goes, and what it sends."""

    form: Callable[[], FlaskForm]
    path: str
    body: Callable[[Any], dict[str, Any]]
    done: Any  # a lazily translated message
    service: str = "intake"


def _versioned(form: Any) -> dict[str, Any]:
    return {"version": int(form.version.data)}


def _text(value: str | None) -> str | None:
    stripped = (value or "").strip()
    return stripped or None


ACTIONS: Mapping[str, Action] = {
    "acknowledge": Action(
        AcknowledgeForm, "acknowledge", _versioned, _l("Kasus ditandai sudah diterima.")
    ),
    "comment": Action(
        CommentForm,
        "comments",
        lambda f: {"text": f.text.data.strip(), "visibility": f.visibility.data},
        _l("Komentar disimpan."),
    ),
    "information": Action(
        InformationRequestForm,
        "information-requests",
        lambda f: {**_versioned(f), "question": f.question.data.strip()},
        _l("Pertanyaan dikirim ke pelapor; jam tenggat berhenti sampai ada jawaban."),
    ),
    "duplicate": Action(
        DuplicateForm,
        "duplicates",
        lambda f: {
            **_versioned(f),
            "case_id": case_id_for(current_person(), f.case_id.data, "case_id"),
        },
        _l("Kasus ditautkan sebagai duplikat."),
    ),
    "reopen": Action(
        ReopenForm,
        "reopen",
        lambda f: {**_versioned(f), "reason": f.reason.data.strip()},
        _l("Kasus dibuka kembali."),
    ),
}


def _status_body(form: StatusForm) -> dict[str, Any]:
    body: dict[str, Any] = {**_versioned(form), "status": form.status.data}
    for name in ("reason", "note", "decision_ref"):
        value = _text(getattr(form, name).data)
        if value:
            body[name] = value
    repeated = _text(form.duplicate_of.data)
    if repeated:
        body["duplicate_of"] = case_id_for(current_person(), repeated, "duplicate_of")
    if form.finding.data:
        body["finding"] = form.finding.data
    if form.sanction_level.data:
        body["sanction_level"] = form.sanction_level.data
    return body


@bp.post("/kasus/<case_id>/tindakan/<name>")
@login_required
def act(case_id: str, name: str) -> ResponseReturnValue:
    action = ACTIONS.get(name)
    if action is None:
        raise NotFound(404, {})
    return _run(
        current_person(), case_id, name, action.form(), action.path, action.body, action.done
    )


@bp.post("/kasus/<case_id>/status/<target>")
@login_required
def change_status(case_id: str, target: str) -> ResponseReturnValue:
    form = StatusForm(prefix=f"s-{target}")
    return _run(
        current_person(),
        case_id,
        f"status:{target}",
        form,
        "status",
        _status_body,
        _l("Status kasus diubah."),
    )


def _manager() -> Person:
    """The signed-in person if they manage their area; the 403 page otherwise (intake would
    refuse the change too: this only says so before a form is even read)."""
    person = current_person()
    if not person.manages:
        abort(403)
    return person


@bp.post("/kasus/<case_id>/alihkan")
@login_required
def reassign(case_id: str) -> ResponseReturnValue:
    person = _manager()
    form = ReassignForm()
    case = gateway.case(person, case_id)
    form.officer_id.choices = officer_choices(person, str(case.get("tenant") or ""))
    return _run(
        person,
        case_id,
        "reassign",
        form,
        "reassign",
        lambda f: {**_versioned(f), "officer_id": f.officer_id.data, "reason": f.reason.data},
        _l("Kasus dialihkan."),
    )


@bp.post("/kasus/<case_id>/pindahkan")
@login_required
def transfer(case_id: str) -> ResponseReturnValue:
    person = _manager()
    form = TransferForm()
    case = gateway.case(person, case_id)
    form.region_code.choices = transfer_choices(str(case.get("tenant") or ""))
    return _run(
        person,
        case_id,
        "transfer",
        form,
        "transfer",
        lambda f: {**_versioned(f), "region_code": f.region_code.data, "reason": f.reason.data},
        _l("Kasus dipindahkan."),
    )


@bp.post("/kasus/<case_id>/koreksi-triase")
@login_required
def override(case_id: str) -> ResponseReturnValue:
    """A supervisor overriding triage's category or priority, with a reason."""
    person = _manager()
    form = OverrideForm()
    if not form.validate_on_submit():
        return render_case(
            person, case_id, forms={"override": form}, open_form="override", status=422
        )
    body = {"reason": form.reason.data.strip()}
    if form.category.data:
        body["category"] = form.category.data
    if form.priority.data:
        body["priority"] = form.priority.data
    try:
        deps().triage.post(f"/v1/cases/{case_id}/triage/override", person.token, json=body)
    except NotFound:
        raise
    except Refused as exc:
        _mark(form, exc)
        return render_case(
            person, case_id, forms={"override": form}, open_form="override", status=exc.status
        )
    flash(_("Usulan triase dikoreksi."), "ok")
    return redirect(url_for("case_page.case_page", case_id=case_id))


@bp.post("/kasus/<case_id>/identitas-pelapor")
@login_required
def reveal(case_id: str) -> ResponseReturnValue:
    """Open the reporter's sealed identity for a stated reason (logged by intake); shown on
    this one answer, never kept by the console."""
    person = _manager()
    form = RevealForm()
    if not form.validate_on_submit():
        return render_case(person, case_id, forms={"reveal": form}, open_form="reveal", status=422)
    try:
        answer = deps().intake.post(
            f"/v1/cases/{case_id}/reporter:reveal",
            person.token,
            json={"reason": form.reason.data.strip()},
        )
    except NotFound:
        raise
    except Refused as exc:
        _mark(form, exc)
        return render_case(
            person, case_id, forms={"reveal": form}, open_form="reveal", status=exc.status
        )
    return render_case(person, case_id, revealed=answer)


def _run(
    person: Person,
    case_id: str,
    key: str,
    form: FlaskForm,
    path: str,
    body: Callable[[Any], dict[str, Any]],
    done: Any,
) -> ResponseReturnValue:
    if not form.validate_on_submit():
        return render_case(person, case_id, forms={key: form}, open_form=key, status=422)
    try:
        gateway.act(person, case_id, path, body(form))
    except NotFound:
        raise
    except Refused as exc:
        current = exc.problem.get("current_version")
        if exc.status == 409 and current is not None and hasattr(form, "version"):
            return _stale(person, case_id, key, form, int(current))
        _mark(form, exc)
        return render_case(person, case_id, forms={key: form}, open_form=key, status=exc.status)
    flash(str(done), "ok")
    return redirect(url_for("case_page.case_page", case_id=case_id))


def _stale(person: Person, case_id: str, key: str, form: Any, current: int) -> ResponseReturnValue:
    """Show what changed since the person read the case; keep their form on the new version."""
    form.version.data = current
    form.version.raw_data = [str(current)]
    form.form_errors.append(
        _(
            "Kasus ini diubah orang lain saat Anda membacanya. Periksa perubahannya, lalu kirim "
            "lagi bila masih perlu."
        )
    )
    return render_case(
        person,
        case_id,
        forms={key: form},
        open_form=key,
        stale=Changed(since=parse_moment(form.loaded_at.data)),
        status=409,
    )


def _mark(form: FlaskForm, exc: Refused) -> None:
    """Put a service's refusal beside the fields it names, or above the form."""
    placed = False
    for field_name, message in exc.field_errors().items():
        field = getattr(form, field_name.split(".")[0].split("[")[0], None)
        if field is not None and field_name:
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
            placed = True
    allowed = exc.problem.get("allowed")
    if exc.status == 409 and allowed is not None:
        form.form_errors.append(
            _("Perubahan ini tidak lagi dapat dilakukan dari status kasus sekarang.")
        )
        placed = True
    if exc.status == 403:
        form.form_errors.append(exc.detail or _("Peran Anda tidak dapat melakukan ini."))
        placed = True
    if not placed:
        form.form_errors.append(exc.detail or _("Permintaan ditolak."))
