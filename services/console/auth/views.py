"""The sign-in pages: sign in, the second factor, one-time links, forgotten passwords,
signing out, and the person's own account.

Every refusal is shown beside the field it concerns, with what was typed kept (never a
password). A wrong password and an unknown e-mail read the same. One-time links are spent
only by pressing the button on their page, never by opening it.
"""

from __future__ import annotations

import contextlib

import segno
from flask import Blueprint, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from markupsafe import Markup

from services.console.auth import door
from services.console.auth.forms import (
    CodeForm,
    ConfirmForm,
    ForgotForm,
    NewPasswordForm,
    PasswordCheckForm,
    SignInForm,
)
from services.console.clients.base import Refused, SignedOut, Throttled
from services.console.deps import deps
from services.console.web.devices import device_label
from services.console.web.person import current_person

bp = Blueprint("auth", __name__)


def _after_sign_in() -> ResponseReturnValue:
    step = session.get("challenge_step")
    if not current_user.is_authenticated and step == "second_factor":
        return redirect(url_for("auth.second_factor"))
    if not current_user.is_authenticated and step == "enrol":
        return redirect(url_for("auth.enrol"))
    target = door.safe_next(session.pop("next", None))
    return redirect(target or url_for("home"))


def _wait_message(exc: Throttled) -> str:
    minutes = max(1, (exc.retry_after + 59) // 60)
    return str(_("Terlalu banyak percobaan. Coba lagi dalam %(minutes)s menit.", minutes=minutes))


@bp.route("/masuk", methods=["GET", "POST"])
def sign_in() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(door.safe_next(request.args.get("next")) or url_for("home"))
    form = SignInForm()
    wanted = door.safe_next(request.args.get("next"))
    if wanted:
        session["next"] = wanted
    if form.validate_on_submit():
        try:
            outcome = door.ask(
                "/v1/auth/sign-in",
                {"email": form.email.data, "password": form.password.data, "client": door.client()},
            )
        except Throttled as exc:
            form.form_errors.append(_wait_message(exc))
        except Refused as exc:
            if exc.reason == "credentials":
                form.form_errors.append(_("E-mail atau kata sandi salah."))
            else:
                form.form_errors.append(exc.detail or _("Tidak dapat masuk."))
        else:
            door.finish(outcome)
            return _after_sign_in()
    status = 200 if not form.errors and not form.form_errors else 422
    return (
        render_template("auth/sign_in.html", form=form, expired=bool(request.args.get("expired"))),
        status,
    )


def _code_step(step: str, path: str) -> tuple[CodeForm, ResponseReturnValue | None]:
    """The code form of a sign-in's second step (``step`` as intake named it): where the
    person goes next when the code is right or the step is over, else the form with its
    error beside the field."""
    challenge = session.get("challenge")
    form = CodeForm()
    if not challenge or session.get("challenge_step") != step:
        return form, redirect(url_for("auth.sign_in"))
    if form.validate_on_submit():
        try:
            outcome = door.ask(
                path, {"challenge": challenge, "code": form.code.data, "client": door.client()}
            )
        except Refused as exc:
            if exc.reason == "challenge":
                session.pop("challenge", None)
                return form, redirect(url_for("auth.sign_in", expired=1))
            form.code.errors = [exc.detail or _("Kode tidak cocok.")]
        else:
            door.finish(outcome)
            return form, _after_sign_in()
    return form, None


@bp.route("/masuk/kode", methods=["GET", "POST"])
def second_factor() -> ResponseReturnValue:
    form, done = _code_step("second_factor", "/v1/auth/second-factor")
    if done is not None:
        return done
    status = 200 if not form.errors else 422
    return render_template("auth/second_factor.html", form=form), status


@bp.route("/masuk/siapkan-kode", methods=["GET", "POST"])
def enrol() -> ResponseReturnValue:
    """Set up the second factor that the person's role requires, then sign in."""
    form, done = _code_step("enrol", "/v1/auth/second-factor/enrolment/confirm")
    if done is not None:
        return done
    challenge = session["challenge"]
    try:
        setup = door.ask("/v1/auth/second-factor/enrolment", {"challenge": challenge})
    except Refused:
        session.pop("challenge", None)
        return redirect(url_for("auth.sign_in", expired=1))
    status = 200 if not form.errors else 422
    return (
        render_template(
            "auth/enrol.html",
            form=form,
            qr=_qr(setup["uri"]),
            secret=_grouped(setup["secret"]),
            required=True,
        ),
        status,
    )


@bp.route("/masuk/tautan/<token>", methods=["GET", "POST"])
def link(token: str) -> ResponseReturnValue:
    """An invitation or reset link: opening it spends nothing; the button does."""
    wanted = door.safe_next(request.args.get("next"))
    if wanted:
        # A link may name the page to land on after it (the case of the alert it came with).
        session["next"] = wanted
    view = door.ask("/v1/auth/links/inspect", {"token": token})
    if view.get("state") != "valid":
        return render_template("auth/link_invalid.html", state=view.get("state")), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            outcome = door.ask(
                "/v1/auth/links/accept",
                {"token": token, "password": form.password.data, "client": door.client()},
            )
        except Refused as exc:
            if exc.reason == "link":
                return render_template("auth/link_invalid.html", state="spent"), 410
            errors = exc.field_errors()
            form.password.errors = [errors.get("password") or exc.detail]
        else:
            if current_user.is_authenticated:
                # Someone else's link pressed in a signed-in browser must not mix two people.
                logout_user()
            door.finish(outcome)
            return _after_sign_in()
    status = 200 if not form.errors else 422
    return render_template("auth/link.html", form=form, view=view), status


@bp.route("/masuk/lupa", methods=["GET", "POST"])
def forgot() -> ResponseReturnValue:
    form = ForgotForm()
    if form.validate_on_submit():
        try:
            door.ask(
                "/v1/auth/password-resets", {"email": form.email.data, "client": door.client()}
            )
        except Throttled as exc:
            form.form_errors.append(_wait_message(exc))
        else:
            return render_template("auth/forgot_sent.html")
    status = 200 if not form.errors and not form.form_errors else 422
    return render_template("auth/forgot.html", form=form), status


@bp.post("/keluar")
def sign_out() -> ResponseReturnValue:
    form = ConfirmForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        # An already ended session needs no ending.
        with contextlib.suppress(SignedOut):
            deps().intake.call("DELETE", "/v1/account/session", current_person().token)
        logout_user()
    session.clear()
    return redirect(url_for("auth.sign_in", signed_out=1))


@bp.get("/akun")
@login_required
def account() -> ResponseReturnValue:
    person = current_person()
    info = deps().intake.get("/v1/account", person.token)
    sessions = [{**s, "device": device_label(s.get("agent"))} for s in info.get("sessions", [])]
    return render_template("auth/account.html", info=info, sessions=sessions, form=ConfirmForm())


@bp.post("/akun/keluar-semua")
@login_required
def sign_out_everywhere() -> ResponseReturnValue:
    form = ConfirmForm()
    if form.validate_on_submit():
        deps().intake.post("/v1/account/sessions/end-all", current_person().token)
        logout_user()
        session.clear()
    return redirect(url_for("auth.sign_in", signed_out=1))


@bp.route("/akun/verifikasi-dua-langkah", methods=["GET", "POST"])
@login_required
def account_second_factor() -> ResponseReturnValue:
    """An officer turning on the optional second factor."""
    person = current_person()
    form = CodeForm()
    challenge = session.get("account_challenge")
    if form.validate_on_submit() and challenge:
        try:
            deps().intake.post(
                "/v1/account/second-factor/confirm",
                person.token,
                json={"challenge": challenge, "code": form.code.data},
            )
        except Refused as exc:
            if exc.reason == "challenge":
                session.pop("account_challenge", None)
                return redirect(url_for("auth.account_second_factor"))
            form.code.errors = [exc.field_errors().get("code") or exc.detail]
        else:
            session.pop("account_challenge", None)
            return redirect(url_for("auth.account", factor="on"))
    setup = deps().intake.post("/v1/account/second-factor", person.token)
    session["account_challenge"] = setup["challenge"]
    status = 200 if not form.errors else 422
    return (
        render_template(
            "auth/enrol.html",
            form=form,
            qr=_qr(setup["uri"]),
            secret=_grouped(setup["secret"]),
            required=False,
        ),
        status,
    )


@bp.route("/akun/matikan-verifikasi", methods=["GET", "POST"])
@login_required
def account_remove_factor() -> ResponseReturnValue:
    person = current_person()
    form = PasswordCheckForm()
    if form.validate_on_submit():
        try:
            deps().intake.post(
                "/v1/account/second-factor/remove",
                person.token,
                json={"password": form.password.data},
            )
        except Refused as exc:
            form.password.errors = [exc.field_errors().get("password") or exc.detail]
        else:
            return redirect(url_for("auth.account", factor="off"))
    status = 200 if not form.errors else 422
    return render_template("auth/remove_factor.html", form=form), status


def _qr(uri: str) -> Markup:
    """The provisioning URI as an inline SVG QR code (drawn here, no outside service)."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#111", light="#fff", title=None)
    return Markup(svg)  # noqa: S704 - segno's own markup, no user input in it


def _grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
