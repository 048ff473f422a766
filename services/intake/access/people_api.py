"""Supervisors, operators and auditors watching the door: the open sessions of their area's
people, ending one, inviting a person, and the sign-in log.

A supervisor sees and manages their regency's people, an operator their province's, an
auditor reads both lists and changes nothing. Someone else's sessions are ended with a
reason in the log, so a person who finds themselves signed out can be told why.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from pydantic import Field

from services.intake.access import account_summary, sessions
from services.intake.access.account_api import session_json
from services.intake.access.account_models import SignInLogEntry
from services.intake.access.invitations import issue_link
from services.intake.access.sign_in_answers import InvitationSent, SessionList, SignInLog
from services.intake.access.sign_in_log import log_event
from services.intake.deps import deps
from services.intake.directory import officers
from shared.auth import AUDITORS, MANAGERS, OVERSEERS, Principal, current_principal, requires
from shared.openapi import empty_answer, operation
from shared.paging import LimitQuery, limit_field
from shared.problems import Problem
from shared.request_input import parse_query

bp = Blueprint("people", __name__)

MAX_LOG: Final = 500


class SignInLogQuery(LimitQuery):
    officer: str | None = Field(default=None, min_length=1, max_length=64)
    limit: int = limit_field(100, MAX_LOG)


def _now() -> datetime:
    return datetime.now(UTC)


def _actor(principal: Principal) -> dict[str, Any]:
    return {
        "name": principal.name,
        "officer_id": principal.officer_id,
        "role": principal.role,
        "key_prefix": principal.key_prefix,
    }


def _visible_officer(officer_id: str, principal: Principal) -> dict[str, Any]:
    officer = officers.get(officer_id)
    if officer is None or not principal.can_see(officer["region"]):
        raise Problem(404, "No officer with this id.")
    return officer


@bp.get("/v1/sessions")
@operation(
    summary="Open console sessions of the people in the caller's area",
    answers={200: (SessionList, "Live sessions, most recently used first.")},
    problems=(401, 403),
)
@requires(*OVERSEERS)
def list_sessions() -> ResponseReturnValue:
    """Live sessions of the people the caller watches, most recently used first."""
    principal = current_principal()
    docs = sessions.listing(
        officers.region_filter(principal.region), _now(), deps().door.lifetimes.idle
    )
    return jsonify(items=[session_json(d, principal.key_prefix) for d in docs])


@bp.get("/v1/accounts")
@operation(
    summary="Where each person of the caller's area stands with signing in",
    description="Per directory entry of the area (active or not): whether they made their "
    "password, have the second factor, when they last signed in, how many sessions are open "
    "and what became of their newest invitation. No secret, hash or link is ever included.",
    query=account_summary.AccountListQuery,
    answers={200: (account_summary.AccountSummaries, "One summary per person.")},
    problems=(401, 403, 422),
)
@requires(*OVERSEERS)
def list_accounts() -> ResponseReturnValue:
    """The sign-in state of the people the caller watches (``officer`` narrows it to one)."""
    principal = current_principal()
    asked = parse_query(account_summary.AccountListQuery)
    ids = [str(doc["_id"]) for doc in officers.list_officers(principal.region)]
    if asked.officer is not None:
        ids = [officer_id for officer_id in ids if officer_id == asked.officer]
    items = account_summary.summaries(ids, _now(), deps().door.lifetimes.idle)
    return jsonify(items=items)


@bp.delete("/v1/sessions/<session_id>")
@operation(
    summary="End someone's session (logged with who ended it)",
    answers={204: empty_answer("Ended.")},
    problems=(401, 403, 404),
)
@requires(*MANAGERS)
def end_session(session_id: str) -> ResponseReturnValue:
    principal = current_principal()
    doc = sessions.collection().find_one({"_id": session_id}, {"region": 1, "officer_id": 1})
    if doc is None or not principal.can_see(doc["region"]):
        raise Problem(404, "No session with this id.")
    sessions.end(session_id)
    officer = officers.get(doc["officer_id"])
    log_event("session_revoked", _now(), officer=officer, by=_actor(principal))
    return "", 204


@bp.post("/v1/officers/<officer_id>/invitations")
@operation(
    summary="E-mail a person a one-time link to set their password (valid 30 minutes)",
    answers={202: (InvitationSent, "Issued; notify mails it.")},
    problems=(401, 403, 404, 409, 422),
    texts={409: "The officer is deactivated.", 422: "The officer has no e-mail address."},
)
@requires(*MANAGERS)
def invite(officer_id: str) -> ResponseReturnValue:
    """E-mail a person a one-time link to set their password (valid 30 minutes)."""
    principal = current_principal()
    officer = _visible_officer(officer_id, principal)
    if not officer.get("active", True):
        raise Problem(409, "This officer is deactivated; reactivate them before inviting.")
    if not officer.get("email"):
        raise Problem(
            422,
            "This officer has no e-mail address to send the invitation to.",
            errors=[{"field": "email", "message": "required to invite", "code": "missing"}],
        )
    now = _now()
    issue_link(
        officer,
        "invitation",
        issued_by=_actor(principal),
        console_url=deps().settings.console_url,
        now=now,
        send=True,
    )
    return jsonify(officer_id=officer_id, sent_to=officer["email"], issued_at=now.isoformat()), 202


@bp.get("/v1/sign-in-log")
@operation(
    summary="The sign-in log of the caller's area, newest first",
    query=SignInLogQuery,
    answers={200: (SignInLog, "Entries.")},
    problems=(401, 403, 422),
)
@requires(*AUDITORS)
def sign_in_log() -> ResponseReturnValue:
    """The newest entries of the sign-in log in the caller's area (``officer`` narrows it)."""
    principal = current_principal()
    asked = parse_query(SignInLogQuery)
    query: dict[str, Any] = officers.region_filter(principal.region)
    if asked.officer:
        query = {"$and": [query, {"officer_id": asked.officer}]}
    docs = (
        SignInLogEntry._get_collection().find(query, {"_id": 0}).sort("at", -1).limit(asked.limit)
    )
    return jsonify(
        items=[{**d, "at": d["at"].isoformat()} for d in docs],
    )
