"""Schemathesis drives intake's real WSGI app (on the real mongod) from its own OpenAPI
document: every operation gets generated requests, valid and invalid, and each answer must
be documented, match its schema and never be a 5xx."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from services.intake.access import sessions
from services.intake.access.keys import create_key
from services.intake.access.sessions import Client, Lifetimes
from services.intake.app import create_app
from services.intake.bootstrap import ensure_indexes
from services.intake.directory import officers as directory
from services.intake.directory.schema import OfficerCreate
from services.intake.openapi import document
from shared.settings import Settings
from tests.fuzz.checks import fuzz_operation

# The role whose key reaches the deepest code of each operation: a submitter files cases and
# evidence, an operator manages keys and reads the access log, a supervisor may reveal a
# reporter; anything else is read by an officer. A key of the wrong role would only ever
# exercise the 403 branch.
_ROLES = {
    ("POST", "/v1/cases"): "submitter",
    ("POST", "/v1/cases:batch"): "submitter",
    ("POST", "/v1/cases/{case_id}/evidence"): "submitter",
    ("POST", "/open311/v2/requests.{fmt}"): "submitter",
    ("POST", "/v1/cases/{case_id}/reporter:reveal"): "supervisor",
    ("POST", "/v1/keys"): "operator",
    ("GET", "/v1/keys"): "operator",
    ("DELETE", "/v1/keys/{prefix}"): "operator",
    ("GET", "/v1/access-log"): "operator",
    ("GET", "/v1/officers"): "operator",
    ("POST", "/v1/officers"): "operator",
    ("GET", "/v1/officers/{officer_id}"): "operator",
    ("PATCH", "/v1/officers/{officer_id}"): "operator",
    ("DELETE", "/v1/officers/{officer_id}"): "operator",
    ("POST", "/v1/exports"): "supervisor",
    ("GET", "/v1/statistics"): "supervisor",
    ("GET", "/v1/workload"): "supervisor",
    ("GET", "/v1/accounts"): "supervisor",
    ("POST", "/v1/cases/{case_id}/reopen"): "supervisor",
    ("POST", "/v1/cases/{case_id}/reassign"): "supervisor",
    ("POST", "/v1/cases/{case_id}/transfer"): "supervisor",
    ("GET", "/v1/cases/{case_id}/audit"): "auditor",
    ("GET", "/v1/pipeline"): "operator",
    ("GET", "/v1/parked"): "operator",
    ("POST", "/v1/parked/{ident}/replay"): "operator",
    # The console's door: its own key, with the person's credentials in the body.
    ("POST", "/v1/auth/sign-in"): "console",
    ("POST", "/v1/auth/second-factor"): "console",
    ("POST", "/v1/auth/second-factor/enrolment"): "console",
    ("POST", "/v1/auth/second-factor/enrolment/confirm"): "console",
    ("POST", "/v1/auth/links/inspect"): "console",
    ("POST", "/v1/auth/links/accept"): "console",
    ("POST", "/v1/auth/password-resets"): "console",
    # A person's own account: a session, not a key.
    ("GET", "/v1/account"): "session",
    ("DELETE", "/v1/account/session"): "session",
    ("POST", "/v1/account/sessions/end-all"): "session",
    ("POST", "/v1/account/second-factor"): "session",
    ("POST", "/v1/account/second-factor/confirm"): "session",
    ("POST", "/v1/account/second-factor/remove"): "session",
    ("GET", "/v1/sessions"): "operator",
    ("DELETE", "/v1/sessions/{session_id}"): "operator",
    ("POST", "/v1/officers/{officer_id}/invitations"): "operator",
    ("GET", "/v1/sign-in-log"): "operator",
}


@pytest.fixture
def intake_app(settings: Settings) -> Flask:
    app = create_app(settings=settings)
    ensure_indexes()
    return app


# One test per documented operation, read from the same document the app serves, so a
# failure names the operation.
_OPERATIONS = [
    (method.upper(), path)
    for path, methods in document()["paths"].items()
    for method in methods
    if method in {"get", "post", "put", "patch", "delete"}
]


@pytest.mark.parametrize(("method", "path"), _OPERATIONS, ids=[f"{m} {p}" for m, p in _OPERATIONS])
def test_intake_answers_conform_to_its_openapi_document(
    intake_app: Flask, method: str, path: str
) -> None:
    role = _ROLES.get((method, path), "officer")
    if role == "session":
        token = _session()
    else:
        # Province-level key (region "12") for the operator and the console, as deployments
        # issue them; the others belong to Kabupaten Karo.
        region = "12" if role in ("operator", "console") else "12.06"
        token = create_key(name=f"fuzz {role}", region=region, role=role)[0]
    fuzz_operation(intake_app, method, path, {"Authorization": f"Bearer {token}"})


def _session() -> str:
    """A Karo officer signed in to the console (their session token)."""
    entry = directory.create(
        OfficerCreate(
            officer_id="karo-fuzz-1",
            region="12.06",
            unit="BKPSDM",
            name="Petugas Uji",
            email="fuzz@karo.example",
        ),
        actor=directory.actor_of("fuzz"),
    )
    lifetimes = Lifetimes(idle=timedelta(minutes=30), absolute=timedelta(hours=12))
    return sessions.start(
        entry, second_factor=False, client=Client(), lifetimes=lifetimes, now=datetime.now(UTC)
    )
