"""Error pages people can act on: never a stack trace, never a lost form.

- A back-end service that is down answers 503 with a page saying what did not happen; for a
  form that was being sent, the page shows what was typed and a button to send it again
  (passwords are never echoed, files must be chosen again and the page says so).
- Another regency's case and a case that does not exist are the same 404 page.
- A form whose token expired (400) is shown again with what was typed.
- A signed-out session goes to the sign-in page, then back where the person was.
"""

from __future__ import annotations

import logging
from typing import Final

from flask import (
    Flask,
    Response,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from pymongo.errors import ConnectionFailure
from werkzeug.exceptions import HTTPException

from services.console.clients.base import NotFound, Refused, ServiceDown, SignedOut, Throttled

log = logging.getLogger(__name__)

# Fields never shown back on an error page.
_SECRET_FIELDS: Final = frozenset({"csrf_token", "password", "password_again", "code"})


def typed_fields() -> list[tuple[str, str]]:
    """What the person typed into the form being sent, safe to show back."""
    if request.method != "POST":
        return []
    return [
        (name, value)
        for name, values in request.form.lists()
        for value in values
        if name not in _SECRET_FIELDS and not name.startswith("_")
    ]


def error_page(status: int, title: str, message: str, **context: object) -> Response:
    """An error page with the person's typed data kept where there was a form."""
    return make_response(
        render_template(
            "errors/error.html",
            status=status,
            title=title,
            message=message,
            typed=typed_fields(),
            had_files=bool(request.files) if request.method == "POST" else False,
            resend_to=request.path if request.method == "POST" else None,
            **context,
        ),
        status,
    )


def install(app: Flask) -> None:
    @app.errorhandler(ServiceDown)
    def _down(exc: ServiceDown) -> ResponseReturnValue:
        page = error_page(
            503,
            _("Layanan sedang tidak tersedia"),
            _(
                "Sebagian sistem sedang tidak dapat dihubungi. Tidak ada yang terkirim atau "
                "berubah. Coba lagi dalam beberapa saat."
            ),
        )
        page.headers["Retry-After"] = "10"
        return page

    @app.errorhandler(ConnectionFailure)
    def _database_down(exc: ConnectionFailure) -> ResponseReturnValue:
        log.warning("console database unavailable", extra={"error": repr(exc)})
        return _down(ServiceDown("console", "database unavailable"))

    @app.errorhandler(NotFound)
    def _not_found(exc: NotFound) -> ResponseReturnValue:
        return _page_not_found()

    @app.errorhandler(SignedOut)
    def _signed_out(exc: SignedOut) -> ResponseReturnValue:
        session.clear()
        target = request.full_path if request.method == "GET" else request.path
        return redirect(url_for("auth.sign_in", next=target.rstrip("?"), expired=1))

    @app.errorhandler(Throttled)
    def _throttled(exc: Throttled) -> ResponseReturnValue:
        page = error_page(
            429,
            _("Terlalu banyak permintaan"),
            _("Tunggu sekitar %(seconds)s detik, lalu coba lagi.", seconds=exc.retry_after),
        )
        page.headers["Retry-After"] = str(exc.retry_after)
        return page

    @app.errorhandler(Refused)
    def _refused(exc: Refused) -> ResponseReturnValue:
        # A refusal no page turned into a message beside a field: say what the service said.
        log.info("request refused by a service", extra={"status": exc.status})
        status = exc.status if exc.status in (400, 403, 409, 413, 422) else 400
        return error_page(
            status,
            _("Permintaan tidak dapat diproses"),
            exc.detail or _("Periksa isian Anda lalu ulangi."),
        )

    @app.errorhandler(CSRFError)
    def _stale_form(exc: CSRFError) -> ResponseReturnValue:
        return error_page(
            400,
            _("Formulir perlu dikirim ulang"),
            _(
                "Halaman ini sudah terlalu lama terbuka atau sesi Anda berganti. Isian Anda "
                "masih ada di bawah; tekan Kirim lagi."
            ),
        )

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> ResponseReturnValue:
        status = exc.code or 500
        if status == 404:
            return _page_not_found()
        if status == 413:
            return error_page(
                413,
                _("Berkas terlalu besar"),
                _("Kiriman melebihi batas ukuran. Kecilkan atau kurangi berkasnya."),
            )
        if status == 403:
            return error_page(
                403, _("Tidak diizinkan"), _("Peran Anda tidak dapat membuka halaman ini.")
            )
        if status == 405:
            return error_page(405, _("Tidak tersedia"), _("Alamat ini tidak menerima cara itu."))
        return error_page(status, _("Permintaan tidak dapat diproses"), _("Periksa lalu ulangi."))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> ResponseReturnValue:
        log.exception("unhandled error", extra={"path": request.path})
        return error_page(
            500,
            _("Terjadi kesalahan"),
            _("Ada yang salah di sisi kami. Isian Anda masih ada di bawah."),
        )


def _page_not_found() -> ResponseReturnValue:
    return error_page(
        404,
        _("Tidak ditemukan"),
        _("Halaman atau kasus ini tidak ada, atau tidak berada di wilayah Anda."),
    )
