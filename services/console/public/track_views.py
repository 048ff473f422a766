"""Following a report by its tracking code (``/lacak``, ``/lacak/<code>``) and answering an
officer's question there.

A wrong code and an unknown one look the same (intake answers both alike), and every lookup
counts against the citizen (their address's stand-in) at intake, so codes cannot be guessed
in bulk. The answer goes to intake with the code and its own sending key; pressing twice
sends it once.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, Final

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from pymongo.errors import ConnectionFailure

from services.console.clients.base import Json, NotFound, Refused, ServiceDown, Throttled
from services.console.deps import deps
from services.console.public import abuse, gateway, wording
from services.console.public.blueprint import bp
from services.console.public.files import megabytes, pick, refusal_message
from services.console.public.forms import AnswerForm, TrackForm
from services.console.public.notices import Notice, limit_notice, summary

_SENDING: Final = re.compile(r"[0-9a-f]{32}")
# What may stand in a code's address: letters, digits and dashes, as the code is written.
_TYPED: Final = re.compile(r"[^A-Za-z0-9-]+")


def clean_code(typed: str) -> str:
    """A typed code as it goes in the address: capitals, groups joined by dashes."""
    return _TYPED.sub("", typed.strip().upper().replace(" ", "-"))[:40]


def _not_found(form: TrackForm) -> ResponseReturnValue:
    form.kode.errors = [
        _(
            "Kode tidak ditemukan. Periksa lagi: 16 huruf dan angka dalam 4 kelompok, misalnya "
            "K7QM-3XPA-9D2F-HT6W."
        )
    ]
    return render_template("public/track_form.html", form=form, errors=summary(form)), 404


def _throttled(exc: Throttled) -> ResponseReturnValue:
    page = render_template(
        "public/wait.html",
        title=_("Terlalu banyak percobaan"),
        text=_(
            "Kode pelacakan dari jaringan Anda sudah terlalu sering diperiksa. Tunggu "
            "%(seconds)s detik, lalu coba lagi.",
            seconds=exc.retry_after,
        ),
    )
    return page, 429, {"Retry-After": str(exc.retry_after)}


@bp.get("/lacak")
def track_form() -> ResponseReturnValue:
    form = TrackForm(formdata=request.args if "kode" in request.args else None)
    if "kode" in request.args:
        if form.validate() and clean_code(form.kode.data or ""):
            return redirect(url_for("public.track", code=clean_code(form.kode.data or "")))
        if not form.kode.errors:
            form.kode.errors = [_("Isi kode pelacakan Anda.")]
        return render_template("public/track_form.html", form=form, errors=summary(form)), 422
    return render_template("public/track_form.html", form=form, errors=[])


def render_status(
    code: str,
    status: Json,
    answer: AnswerForm | None = None,
    *,
    notice: Notice | None = None,
    code_status: int = 200,
    files_lost: bool = False,
) -> ResponseReturnValue:
    """The status page of a report, with the answer form while a question is open."""
    region = status.get("wilayah")
    if answer is None:
        answer = AnswerForm(formdata=None)
    if not _SENDING.fullmatch(answer.sending.data or ""):
        answer.sending.data = uuid.uuid4().hex
    headline, next_step = wording.status_text(str(status.get("status")))
    steps = [
        {"when": wording.local_time(s.get("waktu"), region), "what": wording.step_text(s["status"])}
        for s in status.get("tahapan") or []
    ]
    messages = [
        {
            "when": wording.local_time(m.get("waktu"), region),
            "text": m.get("isi", ""),
            "mine": m.get("dari") == "pelapor",
            "question": m.get("jenis") == "pertanyaan",
        }
        for m in status.get("pesan") or []
    ]
    question = next((m for m in reversed(messages) if m["question"]), None)
    page = render_template(
        "public/track.html",
        code=code,
        status=status,
        headline=headline,
        next_step=next_step,
        regency=wording.regency(region),
        received=wording.local_day(status.get("diterima_pada"), region),
        deadline=wording.local_day(status.get("batas_waktu"), region),
        steps=steps,
        messages=messages,
        question=question,
        answer=answer,
        errors=summary(answer),
        notice=notice,
        files_lost=files_lost,
        max_file=megabytes(deps().settings.evidence_max_file_bytes),
    )
    headers = {"Retry-After": str(notice.retry_after)} if notice and notice.retry_after else {}
    return page, code_status, headers


def _lookup(code: str) -> Json | ResponseReturnValue:
    try:
        return gateway.track(code)
    except NotFound:
        return _not_found(TrackForm(formdata=None, data={"kode": code}))
    except Throttled as exc:
        return _throttled(exc)


@bp.get("/lacak/<code>")
def track(code: str) -> ResponseReturnValue:
    found = _lookup(code)
    if not isinstance(found, dict):
        return found
    return render_status(str(found.get("tracking_code") or code), found)


@bp.post("/lacak/<code>")
def send_answer(code: str) -> ResponseReturnValue:
    form = AnswerForm()
    had_files = any(f.filename for f in request.files.getlist("evidence"))
    if abuse.trapped(form.kosongkan.data):
        return render_template("public/refused.html"), 400
    found = _lookup(code)
    if not isinstance(found, dict):
        return found
    canonical = str(found.get("tracking_code") or code)
    try:
        return _answered(canonical, found, form, had_files)
    except ConnectionFailure:
        return render_status(
            canonical, found, form, notice=not_sent(), code_status=503, files_lost=had_files
        )


def not_sent() -> Notice:
    return Notice(
        _("Jawaban belum terkirim"),
        _(
            "Sistem sedang tidak dapat dihubungi. Jawaban Anda masih di bawah: tekan Kirim "
            "jawaban lagi sebentar lagi. Jawaban tidak akan tercatat dua kali."
        ),
        retry_after=10,
    )


def _answered(
    canonical: str, found: dict[str, Any], form: AnswerForm, had_files: bool
) -> ResponseReturnValue:
    d = deps()
    refusal = abuse.count_sending(
        d.limiter, "answer", abuse.citizen(), d.settings.public_reports_per_address
    )
    if refusal is not None:
        return render_status(
            canonical,
            found,
            form,
            notice=limit_notice(refusal),
            code_status=429,
            files_lost=had_files,
        )
    form.validate()
    files, file_error = pick(request.files.getlist("evidence"), d.settings.evidence_max_file_bytes)
    if file_error is not None:
        form.evidence.errors = [file_error]
    if any(f.errors for f in form):
        return render_status(canonical, found, form, code_status=422, files_lost=had_files)
    sending = form.sending.data if _SENDING.fullmatch(form.sending.data or "") else uuid.uuid4().hex
    try:
        gateway.answer(canonical, (form.text.data or "").strip(), files, str(sending))
    except Throttled as exc:
        notice = limit_notice(abuse.Refusal("address", exc.retry_after))
        return render_status(
            canonical, found, form, notice=notice, code_status=429, files_lost=had_files
        )
    except ServiceDown:
        return render_status(
            canonical, found, form, notice=not_sent(), code_status=503, files_lost=had_files
        )
    except Refused as exc:
        return _answer_refused(canonical, found, form, exc, had_files)
    flash(_("Jawaban Anda terkirim. Petugas sudah diberi tahu, dan tenggat berjalan lagi."), "ok")
    return redirect(url_for("public.track", code=canonical))


def _answer_refused(
    code: str, found: dict[str, Any], form: AnswerForm, exc: Refused, had_files: bool
) -> ResponseReturnValue:
    if exc.reason == "no_question":
        flash(_("Laporan ini tidak sedang menunggu jawaban; mungkin sudah Anda jawab."), "warn")
        return redirect(url_for("public.track", code=code))
    if exc.status == 404:
        return _not_found(TrackForm(formdata=None, data={"kode": code}))
    errors = list(exc.problem.get("errors") or [])
    message = refusal_message(errors, deps().settings.evidence_max_file_bytes)
    if message is not None:
        form.evidence.errors = [message]
    else:
        form.text.errors = [_("Jawaban belum dapat diterima. Periksa lalu kirim lagi.")]
    return render_status(code, found, form, code_status=422, files_lost=had_files)
