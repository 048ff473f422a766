"""Schemathesis drives notify's real WSGI app (on the real mongod, RabbitMQ and an SMTP
server) from its own OpenAPI document: every operation gets generated requests and each answer
must be documented, match its schema and never be a 5xx.

Keys are checked by intake in production; an authenticator mapping test tokens to principals
stands in for that call (as in ``tests/security/test_access.py``). Half the examples name the
case and officer that exist, so the generated bodies reach past the 404s.
"""

from __future__ import annotations

import pytest
from flask import Flask

from services.cli.mailbox import MailSink
from services.notify.app import create_app
from services.notify.delivery import handle
from services.notify.openapi import document
from shared.auth import Principal
from shared.settings import Settings
from tests.fuzz.checks import fuzz_operation
from tests.integration.test_notify_delivery import assigned, notify_deps_for, officer

OFFICER_ID = "karo-bkpsdm-1"
CASE_ID = "65f0c0ffee0000000000f022"
PRINCIPALS = {
    # The officer's own key (linked to them): reads their cases' deliveries and their own
    # preferences, past the check that refuses a colleague's.
    "officer": Principal("pf_off", "Joni Sitepu", "12.06", "officer", officer_id=OFFICER_ID),
    # Province-level, as deployments issue operators' keys.
    "operator": Principal("pf_op", "Operator Sumut", "12", "operator"),
}

# Parked notifications and test sends are the operator's; the rest is the officer's own.
_ROLES = {
    ("GET", "/v1/parked"): "operator",
    ("POST", "/v1/parked/{ident}/replay"): "operator",
    ("POST", "/v1/test-send"): "operator",
    ("GET", "/v1/pipeline"): "operator",
}

_OPERATIONS = [
    (method.upper(), path)
    for path, methods in document()["paths"].items()
    for method in methods
    if method in {"get", "post", "put", "patch", "delete"}
]


@pytest.fixture
def notify_app(settings: Settings, mail_sink: MailSink) -> Flask:
    configured = settings.model_copy(update={"smtp_port": mail_sink.port})
    envelope, event = assigned(officer(OFFICER_ID), case_id=CASE_ID)
    handle(envelope, event, notify_deps_for(configured))
    return create_app({"TESTING": True, "PANTAU_AUTHENTICATE": PRINCIPALS.get}, configured)


@pytest.mark.parametrize(("method", "path"), _OPERATIONS, ids=[f"{m} {p}" for m, p in _OPERATIONS])
def test_notify_answers_conform_to_its_openapi_document(
    notify_app: Flask, method: str, path: str
) -> None:
    known = {"case_id": CASE_ID, "officer_id": OFFICER_ID}
    headers = {"Authorization": f"Bearer {_ROLES.get((method, path), 'officer')}"}
    fuzz_operation(notify_app, method, path, headers, known)
