"""The report form (``/lapor``, ``/lapor/<regency>``) and what happens when it is sent.

Every check leaves the citizen on the same page with what they typed, each problem beside
its box and listed at the top (files must be chosen again: a browser never keeps them). In
order: the per-address limit, the trap field, each box, the challenge, then the challenge is
spent for this sending, the regency's limit counted, and the report goes to intake with the
sending's key; a resend after a timeout files it once.
"""

from __future__ import annotations

import re
import time
import uuid
from datetime import UTC, date, datetime
from typing import Any, Final

from flask import abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pymongo.errors import ConnectionFailure

from services.console.clients.base import Refused, ServiceDown, Throttled
from services.console.deps import deps
from services.console.public import abuse, challenge, gateway, payload
from services.console.public.blueprint import bp
from services.console.public.files import megabytes, pick, refusal_message
from services.console.public.forms import ReportForm
from services.console.public.notices import Notice, limit_notice, summary
from services.console.public.spent import COLLECTION, SpentChallenges
from services.console.web.labels import language
from shared.regions import region_name, served_regencies, timezone_for

_SENDING: Final = re.compile(r"[0-9a-f]{32}")
_CHALLENGE_TEXT: Final = {
    challenge.Outcome.MISSING: _l("Jawab pertanyaan ini dengan angka."),
    challenge.Outcome.WRONG: _l("Jawaban belum benar. Tulis hasilnya dengan angka, misalnya 7."),
    challenge.Outcome.EXPIRED: _l(
        "Formulir sudah lama terbuka. Jawab pertanyaan baru ini, lalu kirim lagi."
    ),
    challenge.Outcome.TAMPERED: _l(
        "Pemeriksaan gagal. Jawab pertanyaan baru ini, lalu kirim lagi."
    ),
    challenge.Outcome.WEAK: _l("Pemeriksaan gagal. Jawab pertanyaan baru ini, lalu kirim lagi."),
}


def regency_choices() -> list[tuple[str, str]]:
    return [("", _("Pilih kabupaten/kota"))] + [
        (code, region_name(code) or code) for code in served_regencies()
    ]


def _secret() -> str:
    return deps().settings.console_secret.get_secret_value()


def _fresh_challenge(form: ReportForm) -> None:
    form.challenge.data = challenge.issue(_secret(), time.time()).token
    form.proof.data = ""
    form.check_answer.data = ""


def _spent() -> SpentChallenges:
    return SpentChallenges(deps().collection(COLLECTION))


def render_form(
    form: ReportForm,
    *,
    notice: Notice | None = None,
    status: int = 200,
    files_lost: bool = False,
) -> ResponseReturnValue:
    """The form page, with a valid challenge and sending key, the question in words."""
    if not form.challenge.data or challenge.read(_secret(), form.challenge.data) is None:
        _fresh_challenge(form)
    if not _SENDING.fullmatch(form.sending.data or ""):
        form.sending.data = uuid.uuid4().hex
    current = challenge.read(_secret(), form.challenge.data)
    assert current is not None  # issued just above when missing
    first, second = challenge.question_words(current, language())
    form.check_answer.label.text = _(
        "Berapa %(first)s ditambah %(second)s? Tulis jawabannya dengan angka.",
        first=first,
        second=second,
    )
    page = render_template(
        "public/report.html",
        form=form,
        errors=summary(form),
        notice=notice,
        files_lost=files_lost,
        max_file=megabytes(deps().settings.evidence_max_file_bytes),
    )
    headers = {"Retry-After": str(notice.retry_after)} if notice and notice.retry_after else {}
    return page, status, headers


def _form(region: str | None) -> ReportForm:
    form = ReportForm()
    form.region.choices = regency_choices()
    if region is not None and request.method == "GET":
        if region not in served_regencies():
            abort(404)
        form.region.data = region
    return form


@bp.get("/lapor")
@bp.get("/lapor/<region>")
def report(region: str | None = None) -> ResponseReturnValue:
    return render_form(_form(region))


def _today(region: str | None) -> date:
    zone = timezone_for(region) if region in served_regencies() else timezone_for("31")
    return datetime.now(UTC).astimezone(zone).date()


def _check_challenge(form: ReportForm) -> challenge.Challenge | None:
    """The challenge the form answered, or None (a new one issued, the box marked)."""
    outcome = challenge.check(
        _secret(),
        form.challenge.data or "",
        (form.proof.data or "").strip(),
        form.check_answer.data or "",
        time.time(),
    )
    if outcome is challenge.Outcome.OK:
        return challenge.read(_secret(), form.challenge.data or "")
    _fresh_challenge(form)
    form.check_answer.errors = [_CHALLENGE_TEXT[outcome]]
    return None


@bp.post("/lapor")
@bp.post("/lapor/<region>")
def send_report(region: str | None = None) -> ResponseReturnValue:
    form = _form(region)
    had_files = any(f.filename for f in request.files.getlist("evidence"))
    try:
        return _checked(form, had_files)
    except ConnectionFailure:
        # The console's own database (limits, spent challenges) is out of reach: nothing
        # was sent, and the form stays as typed.
        return render_form(form, notice=not_sent(), status=503, files_lost=had_files)


def _checked(form: ReportForm, had_files: bool) -> ResponseReturnValue:
    d = deps()
    settings = d.settings
    refusal = abuse.count_sending(
        d.limiter, "report", abuse.citizen(), settings.public_reports_per_address
    )
    if refusal is not None:
        return render_form(form, notice=limit_notice(refusal), status=429, files_lost=had_files)
    if abuse.trapped(form.kosongkan.data):
        return render_template("public/refused.html"), 400
    form.validate()
    solved = _check_challenge(form)
    built = payload.build(form.data, today=_today(form.region.data), language=language())
    for name, message in built.errors.items():
        form[name].errors = [*form[name].errors, message]
    files, file_error = pick(request.files.getlist("evidence"), settings.evidence_max_file_bytes)
    if file_error is not None:
        form.evidence.errors = [file_error]
    if solved is None or any(f.errors for f in form):
        return render_form(form, status=422, files_lost=had_files)
    sending = str(form.sending.data)
    if not _spent().spend(solved.id, sending, solved.expires):
        _fresh_challenge(form)
        form.check_answer.errors = [
            _("Pemeriksaan ini sudah dipakai untuk kiriman lain. Jawab pertanyaan baru ini.")
        ]
        return render_form(form, status=422, files_lost=had_files)
    regency_refusal = abuse.count_filing(
        d.limiter, built.payload["region_code"], settings.public_reports_per_regency
    )
    if regency_refusal is not None:
        notice = limit_notice(regency_refusal, region_name(built.payload["region_code"]))
        return render_form(form, notice=notice, status=429, files_lost=had_files)
    return _file(form, built.payload, files, sending, had_files)


def _file(
    form: ReportForm, report: dict[str, Any], files: list[Any], sending: str, had_files: bool
) -> ResponseReturnValue:
    try:
        filed = gateway.file_report(report, files, sending)
    except Throttled as exc:
        notice = limit_notice(abuse.Refusal("address", exc.retry_after))
        return render_form(form, notice=notice, status=429, files_lost=had_files)
    except ServiceDown:
        return render_form(form, notice=not_sent(), status=503, files_lost=had_files)
    except Refused as exc:
        return _refused(form, exc, had_files)
    return render_template(
        "public/sent.html",
        filed=filed,
        anonymous=bool(report["reporter"].get("anonymous")),
        regency=region_name(report["region_code"]) or report["region_code"],
    )


def not_sent() -> Notice:
    return Notice(
        _("Laporan belum terkirim"),
        _(
            "Sistem sedang tidak dapat dihubungi, jadi laporan Anda belum tercatat, atau belum "
            "pasti tercatat. Isian Anda masih di bawah: tekan Kirim laporan lagi sebentar lagi. "
            "Laporan tidak akan tercatat dua kali."
        ),
        retry_after=10,
    )


def _refused(form: ReportForm, exc: Refused, had_files: bool) -> ResponseReturnValue:
    """Intake's refusal as marks on the form (nothing was stored)."""
    errors = list(exc.problem.get("errors") or [])
    file_message = refusal_message(errors, deps().settings.evidence_max_file_bytes)
    if file_message is not None:
        form.evidence.errors = [file_message]
    marks, stray = payload.marks_for(
        [e for e in errors if not str(e.get("field", "")).startswith("file")]
    )
    for name, message in marks.items():
        form[name].errors = [*form[name].errors, message]
    if exc.status == 409:
        notice = Notice(
            _("Laporan Anda masih diproses"),
            _(
                "Tunggu sebentar, lalu tekan Kirim laporan lagi. Laporan tidak akan tercatat "
                "dua kali."
            ),
            retry_after=5,
        )
        return render_form(form, notice=notice, status=409, files_lost=had_files)
    if exc.status == 422 and not errors:
        # The sending's key was used for a report with other contents: this is a new one.
        form.sending.data = ""
        _fresh_challenge(form)
        form.form_errors.append(
            _(
                "Laporan dari formulir ini sudah pernah terkirim dengan isi yang lain. Bila ini "
                "laporan baru, jawab pertanyaan keamanan lalu kirim lagi."
            )
        )
    elif stray or not (marks or file_message):
        form.form_errors.append(
            _("Laporan belum dapat diterima. Periksa isian Anda lalu kirim lagi.")
        )
    return render_form(
        form, status=exc.status if exc.status in (413, 415, 422) else 422, files_lost=had_files
    )
