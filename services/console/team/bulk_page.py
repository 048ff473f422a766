"""Bulk reassign and acknowledge (``POST /tim/massal``, from the queue's bulk form).

One reason for all the chosen cases; each case is still its own change. The answer is the
list of every case with what became of it, shown at once (``no-store``): the console keeps
nothing of it. Sending the form again is harmless, since intake refuses a second
acknowledgement or a reassignment to the officer who already holds the case.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import make_response, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required

from services.console.auth.door import safe_next
from services.console.team import gateway
from services.console.team.access import manager
from services.console.team.board import ROUTED_ROLES
from services.console.team.bulk import MAX_CASES, Outcome, counts, parse_moment, selection
from services.console.team.bulk_run import BulkRequest, run
from services.console.team.forms import BulkForm
from services.console.web.labels import region_label
from services.console.web.person import Person

# Words for the refusals a bulk action meets, by (action or None for any, code).
_REFUSALS: Mapping[tuple[str | None, str], Any] = {
    ("acknowledge", "duplicate"): _l("Sudah ditandai diterima sebelumnya."),
    ("reassign", "duplicate"): _l("Kasus ini sudah dipegang petugas tujuan."),
    (None, "transition"): _l("Kasus sudah selesai. Buka kembali dulu bila perlu."),
    (None, "conflict"): _l(
        "Petugas tujuan menyatakan konflik kepentingan dengan terlapor kasus ini."
    ),
    (None, "tenant"): _l("Petugas tujuan bekerja di wilayah lain. Pindahkan kasusnya dulu."),
    (None, "unknown"): _l("Petugas tujuan tidak aktif atau tidak ada di wilayah Anda."),
    (None, "role"): _l("Peran Anda tidak dapat melakukan ini."),
}


def officer_choices(person: Person) -> list[tuple[str, str]]:
    """Active officers of the area who can hold cases, for the reassignment picker."""
    choices = [("", "—")]
    for entry in gateway.officers(person, active="true"):
        if entry.get("role") not in ROUTED_ROLES:
            continue
        label = f"{entry['name']} · {entry.get('unit', '')}"
        if person.is_provincial:
            label += f" · {region_label(entry.get('region'))}"
        choices.append((str(entry["officer_id"]), label))
    return choices


@login_required
def bulk() -> ResponseReturnValue:
    person = manager()
    form = BulkForm()
    form.officer_id.choices = officer_choices(person)
    chosen = selection(request.form.getlist("case_id"))
    back = safe_next(form.back.data) or url_for("cases.queue")
    # Shown again only as a path of the console (no open redirect through the form).
    form.back.data, form.back.raw_data = back, [back]
    valid = form.validate_on_submit()
    if not chosen.case_ids:
        form.form_errors.append(_("Pilih minimal satu kasus di daftar."))
    elif chosen.too_many:
        form.form_errors.append(
            _(
                "Paling banyak %(max)s kasus sekaligus; Anda memilih %(num)s.",
                max=MAX_CASES,
                num=len(chosen.case_ids),
            )
        )
    if not valid or form.form_errors:
        page = render_template("team/bulk_form.html", form=form, chosen=chosen, back=back)
        return page, 422
    reason = (form.reason.data or "").strip() or None
    asked = BulkRequest(
        action=form.action.data,
        case_ids=chosen.case_ids,
        reason=reason,
        officer_id=form.officer_id.data or None,
        loaded_at=parse_moment(form.loaded_at.data),
    )
    outcomes = run(person, asked)
    target = dict(form.officer_id.choices).get(asked.officer_id or "")
    response = make_response(
        render_template(
            "team/bulk_result.html",
            action=asked.action,
            target=target if asked.action == "reassign" else None,
            reason=reason,
            rows=present(outcomes, asked.action),
            counts=counts(outcomes),
            back=back,
        )
    )
    # The list names cases: no shared cache keeps it.
    response.headers["Cache-Control"] = "no-store"
    return response


def present(outcomes: Iterable[Outcome], action: str) -> list[dict[str, Any]]:
    """Each outcome as the result page shows it: the case, the kind, and the words."""
    rows = []
    for outcome in outcomes:
        rows.append(
            {
                "case_id": outcome.case_id,
                "title": outcome.title or outcome.case_id,
                "kind": outcome.kind,
                "text": _outcome_text(outcome, action),
            }
        )
    return rows


def _outcome_text(outcome: Outcome, action: str) -> str:
    match outcome.kind:
        case "done":
            return str(_("Selesai."))
        case "changed":
            if outcome.by:
                return str(
                    _(
                        "Tidak dijalankan: %(names)s mengubah kasus ini setelah Anda membuka "
                        "daftarnya. Periksa dulu.",
                        names=", ".join(outcome.by),
                    )
                )
            return str(_("Tidak dijalankan: kasus ini baru saja diubah orang lain. Periksa dulu."))
        case "missing":
            return str(_("Tidak ditemukan, atau tidak berada di wilayah Anda."))
        case "skipped":
            return str(_("Belum dicoba: layanan sedang tidak dapat dihubungi. Ulangi nanti."))
    words = _REFUSALS.get((action, outcome.code or "")) or _REFUSALS.get((None, outcome.code or ""))
    if words is not None:
        return str(_("Ditolak: %(why)s", why=str(words)))
    return str(_("Ditolak: %(why)s", why=outcome.detail or _("alasan tidak disebutkan.")))
