"""The console's door over HTTP: sign-in, the second factor, one-time links, password resets.

Only the console calls these, with its own service key (role ``console``, which can read no
case); the person's credentials travel in the body, with the address and browser the console
saw, for the throttle and the sign-in log. One-time tokens travel in bodies, never in paths,
so they appear in no access log.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.intake.access import links
from services.intake.access.invitations import issue_link
from services.intake.access.sessions import Client
from services.intake.access.sign_in import (
    Outcome,
    PasswordRefused,
    SignInRefused,
    accept_link,
    confirm_enrolment,
    enrolment,
    sign_in,
    verify_second_factor,
)
from services.intake.access.sign_in_log import log_event
from services.intake.cases.schemas import field_errors
from services.intake.deps import deps
from services.intake.directory import officers
from shared.auth import requires
from shared.problems import Problem, json_body

bp = Blueprint("sign_in", __name__)

CONSOLE: Final = ("console",)
MAX_BODY: Final = 4096

# What the console may tell the person for each refusal: never which of e-mail or password
# was wrong.
_REFUSALS: Final = {
    "credentials": "E-mail atau kata sandi salah.",
    "code": "Kode tidak cocok atau sudah dipakai. Ketik kode yang sedang tampil di aplikasi.",
    "challenge": "Langkah masuk ini sudah kedaluwarsa. Silakan masuk lagi.",
    "link": "Tautan ini sudah dipakai, kedaluwarsa atau tidak dikenal. Minta tautan baru.",
}


class ClientInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    address: str | None = Field(default=None, max_length=64)
    agent: str | None = Field(default=None, max_length=512)


class SignInBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)
    client: ClientInfo = Field(default_factory=ClientInfo)


class CodeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    challenge: str = Field(min_length=1, max_length=128)
    code: str = Field(min_length=1, max_length=16)
    client: ClientInfo = Field(default_factory=ClientInfo)


class ChallengeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    challenge: str = Field(min_length=1, max_length=128)


class LinkBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=1, max_length=128)


class AcceptLinkBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=1024)
    client: ClientInfo = Field(default_factory=ClientInfo)


class ResetBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=1, max_length=254)
    client: ClientInfo = Field(default_factory=ClientInfo)


MODELS: Final = [SignInBody, CodeBody, ChallengeBody, LinkBody, AcceptLinkBody, ResetBody]


def _body(model: type[BaseModel]) -> Any:
    try:
        return model.model_validate(json_body(MAX_BODY))
    except ValidationError as exc:
        raise Problem(
            422, "Some fields need correcting; see 'errors'.", errors=field_errors(exc)
        ) from None


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
@requires(*CONSOLE)
def post_sign_in() -> ResponseReturnValue:
    body: SignInBody = _body(SignInBody)
    try:
        outcome = sign_in(deps().door, body.email, body.password, _client(body.client), _now())
    except SignInRefused as exc:
        raise _refused(exc) from None
    return _outcome(outcome)


@bp.post("/v1/auth/second-factor")
@requires(*CONSOLE)
def post_second_factor() -> ResponseReturnValue:
    body: CodeBody = _body(CodeBody)
    try:
        outcome = verify_second_factor(
            deps().door, body.challenge, body.code, _client(body.client), _now()
        )
    except SignInRefused as exc:
        raise _refused(exc) from None
    return _outcome(outcome)


@bp.post("/v1/auth/second-factor/enrolment")
@requires(*CONSOLE)
def post_enrolment() -> ResponseReturnValue:
    body: ChallengeBody = _body(ChallengeBody)
    try:
        secret, uri = enrolment(deps().door, body.challenge, _now())
    except SignInRefused as exc:
        raise _refused(exc) from None
    return jsonify(secret=secret, uri=uri)


@bp.post("/v1/auth/second-factor/enrolment/confirm")
@requires(*CONSOLE)
def post_enrolment_confirm() -> ResponseReturnValue:
    body: CodeBody = _body(CodeBody)
    try:
        outcome = confirm_enrolment(
            deps().door, body.challenge, body.code, _client(body.client), _now()
        )
    except SignInRefused as exc:
        raise _refused(exc) from None
    return _outcome(outcome)


@bp.post("/v1/auth/links/inspect")
@requires(*CONSOLE)
def post_inspect_link() -> ResponseReturnValue:
    """What a link's page may show before its button is pressed; spends nothing."""
    body: LinkBody = _body(LinkBody)
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
@requires(*CONSOLE)
def post_accept_link() -> ResponseReturnValue:
    body: AcceptLinkBody = _body(AcceptLinkBody)
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
@requires(*CONSOLE)
def post_password_reset() -> ResponseReturnValue:
    """Mail a reset link if the address belongs to an active person; the answer is the same
    either way, so the form tells nobody who works here."""
    body: ResetBody = _body(ResetBody)
    d = deps()
    now = _now()
    client = _client(body.client)
    if client.address:
        verdict = d.limiter.hit(
            f"password-reset:{client.address}", d.settings.sign_in_rate_per_address, now=now
        )
        if not verdict.allowed:
            raise _refused(SignInRefused("throttled", verdict.retry_after))
    officer = officers.find_by_email(body.email.strip())
    if officer is not None and officer.get("email"):
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
