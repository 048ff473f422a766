"""A signed-in person's own account over HTTP: who am I, my sessions, sign out (here or
everywhere), and the optional second factor of roles that may choose it.

Only sessions reach these (an API key has no sign-in to end); the console calls them with
the person's session token.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from services.intake.access import passwords, second_factor, sessions
from services.intake.access.account_models import Account, SignInChallenge
from services.intake.access.sessions import Client
from services.intake.access.sign_in import SECOND_FACTOR_ROLES, enable_factor
from services.intake.access.sign_in_answers import (
    AccountEnrolment,
    AccountView,
    ConfirmBody,
    Ended,
    FactorState,
    PasswordBody,
)
from services.intake.access.sign_in_log import log_event
from services.intake.access.tokens import digest, new_secret
from services.intake.deps import deps
from services.intake.directory import officers
from shared.auth import READERS, Principal, current_principal, requires
from shared.openapi import empty_answer, operation
from shared.problems import Problem
from shared.request_input import parse_body

bp = Blueprint("account", __name__)

MAX_BODY: Final = 4096
_SESSION_ONLY: Final = {403: "Only a person signed in to the console (a session) may."}


def _person() -> tuple[Principal, dict[str, Any]]:
    principal = current_principal()
    if principal.kind != "session" or principal.officer_id is None:
        raise Problem(403, "Only a person signed in to the console has an account here.")
    officer = officers.lookup(principal.officer_id)
    if officer is None:
        raise Problem(403, "This person is no longer active.")
    return principal, officer


def _now() -> datetime:
    return datetime.now(UTC)


def session_json(doc: dict[str, Any], current: str | None = None) -> dict[str, Any]:
    return {
        "id": doc["_id"],
        "officer_id": doc["officer_id"],
        "name": doc["name"],
        "role": doc["role"],
        "region": doc["region"],
        "second_factor": bool(doc.get("second_factor")),
        "created_at": doc["created_at"].isoformat(),
        "last_seen_at": doc["last_seen_at"].isoformat(),
        "expires_at": doc["expires_at"].isoformat(),
        "address": doc.get("client_address"),
        "agent": doc.get("client_agent"),
        "current": doc["_id"] == current,
    }


@bp.get("/v1/account")
@operation(
    summary="The signed-in person: who, their second factor, their open sessions",
    answers={200: (AccountView, "The account.")},
    problems=(401, 403),
    texts=_SESSION_ONLY,
)
@requires(*READERS)
def get_account() -> ResponseReturnValue:
    principal, officer = _person()
    account = Account._get_collection().find_one({"_id": officer["_id"]}) or {}
    mine = sessions.listing(
        {"officer_id": officer["_id"]}, _now(), deps().door.lifetimes.idle, limit=50
    )
    return jsonify(
        person={
            "officer_id": officer["_id"],
            "name": officer["name"],
            "role": officer["role"],
            "region": officer["region"],
            "unit": officer["unit"],
            "email": officer.get("email"),
            "language": officer.get("language") or "id",
            "timezone": officer.get("timezone"),
        },
        second_factor={
            "enabled": bool(account.get("totp_enabled_at")),
            "required": officer["role"] in SECOND_FACTOR_ROLES,
        },
        sessions=[session_json(s, principal.key_prefix) for s in mine],
    )


@bp.delete("/v1/account/session")
@operation(
    summary="Sign out: end this session",
    answers={204: empty_answer("Ended.")},
    problems=(401, 403),
    texts=_SESSION_ONLY,
)
@requires(*READERS)
def sign_out() -> ResponseReturnValue:
    principal, officer = _person()
    sessions.end(principal.key_prefix)
    log_event("signed_out", _now(), officer=officer)
    return "", 204


@bp.post("/v1/account/sessions/end-all")
@operation(
    summary="Sign out everywhere: end every session of this person",
    answers={200: (Ended, "How many sessions ended.")},
    problems=(401, 403),
    texts=_SESSION_ONLY,
)
@requires(*READERS)
def sign_out_everywhere() -> ResponseReturnValue:
    _, officer = _person()
    ended = sessions.end_all(officer["_id"])
    log_event("signed_out_everywhere", _now(), officer=officer, detail=f"{ended} session(s)")
    return jsonify(ended=ended)


@bp.post("/v1/account/second-factor")
@operation(
    summary="Start setting up the optional second factor (a secret to confirm with a code)",
    answers={200: (AccountEnrolment, "The secret, its URI and the challenge to confirm.")},
    problems=(401, 403, 503),
    texts=_SESSION_ONLY,
)
@requires(*READERS)
def start_second_factor() -> ResponseReturnValue:
    """A secret to set up in an authenticator app, held on a challenge until confirmed."""
    _, officer = _person()
    vault = deps().door.vault
    if vault is None:
        raise Problem(503, "The second factor cannot be used: no vault key is configured.")
    now = _now()
    secret = second_factor.new_secret()
    token = new_secret()
    SignInChallenge._get_collection().insert_one(
        {
            "_id": digest(token),
            "officer_id": officer["_id"],
            "kind": "account_enrol",
            "pending_secret": vault.seal({"secret": secret}, f"totp:{officer['_id']}"),
            "attempts": 0,
            "expires_at": now + deps().door.lifetimes.idle,
        }
    )
    label = officer.get("email") or officer["_id"]
    return jsonify(
        challenge=token, secret=secret, uri=second_factor.provisioning_uri(secret, label)
    )


@bp.post("/v1/account/second-factor/confirm")
@operation(
    summary="Turn the second factor on with the app's first code",
    body=ConfirmBody,
    answers={200: (FactorState, "On.")},
    problems=(400, 401, 403, 413, 415, 422, 503),
    texts={**_SESSION_ONLY, 422: "The code is wrong; 'errors' says so."},
)
@requires(*READERS)
def confirm_second_factor() -> ResponseReturnValue:
    _, officer = _person()
    body = parse_body(ConfirmBody, max_bytes=MAX_BODY)
    vault = deps().door.vault
    if vault is None:
        raise Problem(503, "The second factor cannot be used: no vault key is configured.")
    now = _now()
    challenge = SignInChallenge._get_collection().find_one_and_update(
        {
            "_id": digest(body.challenge),
            "officer_id": officer["_id"],
            "kind": "account_enrol",
            "expires_at": {"$gt": now},
            "attempts": {"$lt": 5},
        },
        {"$inc": {"attempts": 1}},
    )
    if challenge is None:
        raise Problem(
            403, "Langkah ini sudah kedaluwarsa. Mulai lagi.", extra={"reason": "challenge"}
        )
    secret = vault.open(challenge["pending_secret"], f"totp:{officer['_id']}")["secret"]
    step = second_factor.matching_step(secret, body.code, now, None)
    if step is None:
        raise Problem(
            422,
            "Kode tidak cocok.",
            errors=[{"field": "code", "message": "Kode tidak cocok.", "code": "code"}],
        )
    enable_factor(officer, challenge["pending_secret"], step, now, Client())
    SignInChallenge._get_collection().delete_one({"_id": challenge["_id"]})
    return jsonify(enabled=True)


@bp.post("/v1/account/second-factor/remove")
@operation(
    summary="Turn the optional second factor off, with the password",
    body=PasswordBody,
    answers={200: (FactorState, "Off.")},
    problems=(400, 401, 403, 413, 415, 422),
    texts={403: "A session only, and only where the role does not require the factor."},
)
@requires(*READERS)
def remove_second_factor() -> ResponseReturnValue:
    """Turn the factor off (only where the role does not require it), with the password."""
    _, officer = _person()
    body = parse_body(PasswordBody, max_bytes=MAX_BODY)
    if officer["role"] in SECOND_FACTOR_ROLES:
        raise Problem(403, "Peran Anda wajib memakai verifikasi dua langkah.")
    account = Account._get_collection().find_one({"_id": officer["_id"]}) or {}
    if not passwords.verify_password(account.get("password_hash"), body.password):
        raise Problem(
            422,
            "Kata sandi salah.",
            errors=[{"field": "password", "message": "Kata sandi salah.", "code": "credentials"}],
        )
    now = _now()
    Account._get_collection().update_one(
        {"_id": officer["_id"]},
        {"$set": {"totp_sealed": None, "totp_enabled_at": None, "updated_at": now}},
    )
    log_event("second_factor_disabled", now, officer=officer)
    return jsonify(enabled=False)
