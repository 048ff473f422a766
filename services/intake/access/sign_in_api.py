"""The console's door over HTTP: sign-in, the second factor, one-time links, password resets.

Only the console calls these, with its own service key (role ``console``, which can read no
case); the person's credentials travel in the body, with the address and browser the console
saw, for the throttle and the sign-in log. One-time tokens travel in bodies, never in paths,
so they appear in no access log.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from services.intake.access import links
from services.intake.access.invitations import issue_link
from services.intake.access.sessions import Client
from services.intake.access.sign_in import (
    Outcome,
    PasswordRefused,
    SignInRefused,
    accept_link,
    account_key,
    confirm_enrolment,
    enrolment,
    sign_in,
    verify_second_factor,
)
from services.intake.access.sign_in_answers import (
    AcceptLinkBody,
    ChallengeBody,
    ClientInfo,
    CodeBody,
    Enrolment,
    LinkBody,
    LinkView,
    ResetAccepted,
    ResetBody,
    SignInBody,
    SignInStep,
)
from services.intake.access.sign_in_log import log_event
from services.intake.deps import deps
from services.intake.directory import officers
from shared.auth import DOORKEEPERS, requires
from shared.openapi import operation
from shared.problems import Problem
from shared.request_input import parse_body

bp = Blueprint("sign_in", __name__)

MAX_BODY: Final = 4096
# Reset mails one address may receive in RESET_WINDOW (each voids the one before anyway).
RESETS_PER_ACCOUNT: Final = 3
RESET_WINDOW: Final = timedelta(minutes=15)

# What the console may tell the person for each refusal: never which of e-mail or password
# was wrong.
_REFUSALS: Final = {
    "credentials": "E-mail atau kata sandi salah.",
    "code": "Kode tidak cocok atau sudah dipakai. Ketik kode yang sedang tampil di aplikasi.",
    "challenge": "Langkah masuk ini sudah kedaluwarsa. Silakan masuk lagi.",
    "link": "Tautan ini sudah dipakai, kedaluwarsa atau tidak dikenal. Minta tautan baru.",
}
_STEP: Final = {200: (SignInStep, "The next step: a session, or a second-factor challenge.")}
_REFUSED_TEXT: Final = {
    403: "Refused; 'reason' says why (credentials, code, challenge or link).",
    429: "Too many attempts for this account or address; see Retry-After.",
    503: "The database or the vault key is unavailable.",
}


def _client(info: ClientInfo) -> Client:
    return Client(address=info.address, agent=info.agent)


def _refused(exc: SignInRefused) -> Problem:
    if exc.reason == "throttled":
        return Problem(
            429,
            "Terlalu banyak percobaan masuk. Coba lagi beberapa menit lagi.",
            headers={"Retry-After": str(exc.retry_after or 60)},
            extra={"reason": "throttled"},
        )
    if exc.reason == "unavailable":
        return Problem(
            503,
            "The second factor cannot be used: no vault key is configured.",
            headers={"Retry-After": "60"},
        )
    return Problem(403, _REFUSALS[exc.reason], extra={"reason": exc.reason})


def _outcome(outcome: Outcome) -> ResponseReturnValue:
    person = officers.get(outcome.officer_id) or {}
    return jsonify(
        step=outcome.step,
        token=outcome.token,
        person={
            "officer_id": outcome.officer_id,
            "name": person.get("name"),
            "role": person.get("role"),
            "region": person.get("region"),
            "language": person.get("language") or "id",
            "timezone": person.get("timezone"),
        },
    )


def _now() -> datetime:
    return datetime.now(UTC)


@bp.post("/v1/auth/sign-in")
@operation(
    summary="Sign a person in with e-mail and password (the console's key)",
    description="A wrong password and an unknown or deactivated e-mail get the same answer.",
    body=SignInBody,
    answers=_STEP,
    problems=(400, 401, 403, 413, 415, 422, 429, 503),
    texts=_REFUSED_TEXT,
)
@requires(*DOORKEEPERS)
def post_sign_in() -> ResponseReturnValue:
    body = parse_body(SignInBody, max_bytes=MAX_BODY)
    try:
        outcome = sign_in(deps().door, body.email, body.password, _client(body.client), _now())
    except SignInRefused as exc:
        raise _refused(exc) from None
    return _outcome(outcome)


@bp.post("/v1/auth/second-factor")
@operation(
    summary="Complete a sign-in with a code from the authenticator app",
    description="A wrong code counts on the account like a wrong password.",
    body=CodeBody,
    answers=_STEP,
    problems=(400, 401, 403, 413, 415, 422, 429, 503),
    texts=_REFUSED_TEXT,
)
@requires(*DOORKEEPERS)
def post_second_factor() -> ResponseReturnValue:
    body = parse_body(CodeBody, max_bytes=MAX_BODY)
    try:
        outcome = verify_second_factor(
            deps().door, body.challenge, body.code, _client(body.client), _now()
        )
    except SignInRefused as exc:
        raise _refused(exc) from None
    return _outcome(outcome)


@bp.post("/v1/auth/second-factor/enrolment")
@operation(
    summary="The secret to set up the second factor a role requires (shown as QR and text)",
    body=ChallengeBody,
    answers={200: (Enrolment, "The secret and its otpauth:// URI.")},
    problems=(400, 401, 403, 413, 415, 422, 503),
    texts=_REFUSED_TEXT,
)
@requires(*DOORKEEPERS)
def post_enrolment() -> ResponseReturnValue:
    body = parse_body(ChallengeBody, max_bytes=MAX_BODY)
    try:
        secret, uri = enrolment(deps().door, body.challenge, _now())
    except SignInRefused as exc:
        raise _refused(exc) from None
    return jsonify(secret=secret, uri=uri)


@bp.post("/v1/auth/second-factor/enrolment/confirm")
@operation(
    summary="Turn the second factor on with the app's first code, and sign in",
    body=CodeBody,
    answers=_STEP,
    problems=(400, 401, 403, 413, 415, 422, 429, 503),
    texts=_REFUSED_TEXT,
)
@requires(*DOORKEEPERS)
def post_enrolment_confirm() -> ResponseReturnValue:
    body = parse_body(CodeBody, max_bytes=MAX_BODY)
    try:
        outcome = confirm_enrolment(
            deps().door, body.challenge, body.code, _client(body.client), _now()
        )
    except SignInRefused as exc:
        raise _refused(exc) from None
    return _outcome(outcome)


@bp.post("/v1/auth/links/inspect")
@operation(
    summary="What a one-time link's page may show; spends nothing",
    body=LinkBody,
    answers={200: (LinkView, "The link's state, and for a valid one whose it is.")},
    problems=(400, 401, 403, 413, 415, 422),
)
@requires(*DOORKEEPERS)
def post_inspect_link() -> ResponseReturnValue:
    body = parse_body(LinkBody, max_bytes=MAX_BODY)
    view = links.inspect(body.token, _now())
    person = officers.lookup(view.officer_id) if view.officer_id else None
    state = view.state if person is not None or view.state == "unknown" else "unknown"
    return jsonify(
        state=state,
        purpose=view.purpose if state != "unknown" else None,
        name=person["name"] if person and state == "valid" else None,
        email=person.get("email") if person and state == "valid" else None,
        expires_at=view.expires_at.isoformat() if view.expires_at and state == "valid" else None,
    )


@bp.post("/v1/auth/links/accept")
@operation(
    summary="Set a password through a one-time link (spends it) and continue signing in",
    body=AcceptLinkBody,
    answers=_STEP,
    problems=(400, 401, 403, 413, 415, 422, 503),
    texts={**_REFUSED_TEXT, 422: "The password is refused; 'errors' says why."},
)
@requires(*DOORKEEPERS)
def post_accept_link() -> ResponseReturnValue:
    body = parse_body(AcceptLinkBody, max_bytes=MAX_BODY)
    try:
        outcome = accept_link(deps().door, body.token, body.password, _client(body.client), _now())
    except PasswordRefused as exc:
        raise Problem(
            422,
            exc.verdict.message,
            errors=[
                {"field": "password", "message": exc.verdict.message, "code": exc.verdict.code}
            ],
        ) from None
    except SignInRefused as exc:
        raise _refused(exc) from None
    return _outcome(outcome)


@bp.post("/v1/auth/password-resets")
@operation(
    summary="Mail a password reset link to an active person's address",
    description="The answer is the same whether or not the address belongs to anyone.",
    body=ResetBody,
    answers={202: (ResetAccepted, "Accepted (sent if the address is known).")},
    problems=(400, 401, 403, 413, 415, 422, 429),
    texts=_REFUSED_TEXT,
)
@requires(*DOORKEEPERS)
def post_password_reset() -> ResponseReturnValue:
    body = parse_body(ResetBody, max_bytes=MAX_BODY)
    d = deps()
    now = _now()
    client = _client(body.client)
    if client.address:
        verdict = d.limiter.hit(
            f"password-reset:{client.address}", d.settings.sign_in_rate_per_address, now=now
        )
        if not verdict.allowed:
            raise _refused(SignInRefused("throttled", verdict.retry_after))
    # Mails to one address are limited too, silently (the answer must stay the same), so
    # nobody can flood a person's inbox with resets from many addresses.
    per_account = d.limiter.hit(
        f"password-reset:{account_key(body.email)}",
        RESETS_PER_ACCOUNT,
        window=RESET_WINDOW,
        now=now,
    )
    officer = officers.find_by_email(body.email.strip())
    if officer is not None and not per_account.allowed:
        log_event("reset_throttled", now, officer=officer, client=client)
    elif officer is not None and officer.get("email"):
        issue_link(
            officer,
            "reset",
            issued_by={"name": officer["name"], "officer_id": officer["_id"], "role": "self"},
            console_url=d.settings.console_url,
            now=now,
            send=True,
        )
    else:
        log_event("reset_unknown", now, client=client)
    return jsonify(
        accepted=True,
        detail="Jika alamat ini terdaftar, tautan untuk membuat kata sandi baru telah dikirim.",
    ), 202
