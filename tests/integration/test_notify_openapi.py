"""Notify's OpenAPI document is valid, covers every route, and real answers match it.

Keys are checked by intake in production; here an authenticator mapping test tokens to
principals stands in for that service boundary, as in ``tests/security/test_access.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.cli.mailbox import MailSink
from services.notify.app import create_app
from services.notify.delivery import handle
from shared.auth import Principal
from shared.settings import Settings
from tests.integration.test_notify_delivery import assigned, notify_deps_for, officer
from tests.support.openapi_check import (
    Checker,
    assert_valid_openapi_31,
    served_document,
    unauthenticated_operations,
    undocumented_refusals,
    undocumented_routes,
)

OFFICER_ID = "karo-bkpsdm-1"
CASE_ID = "65f0c0ffee0000000000beef"
PRINCIPALS = {
    "officer": Principal("pk_off", "Joni Sitepu", "12.06", "officer", officer_id=OFFICER_ID),
    "colleague": Principal("pk_col", "Rina Ginting", "12.06", "officer", officer_id="other"),
    "supervisor": Principal("pk_sup", "Supervisor Karo", "12.06", "supervisor"),
    "submitter": Principal("pk_sub", "Diskominfo Karo", "12.06", "submitter"),
    "operator": Principal("pk_op", "Operator Sumut", "12", "operator"),
    "stranger": Principal("pk_kt", "Operator Kaltim", "64", "operator"),
}


@pytest.fixture
def app(settings: Settings, mail_sink: MailSink) -> Flask:
    configured = settings.model_copy(update={"smtp_port": mail_sink.port})
    envelope, event = assigned(officer(OFFICER_ID), case_id=CASE_ID)
    handle(envelope, event, notify_deps_for(configured))
    return create_app({"TESTING": True, "PANTAU_AUTHENTICATE": PRINCIPALS.get}, configured)


@pytest.fixture
def doc(app: Flask) -> dict[str, Any]:
    return served_document(app)


def test_document_is_valid_openapi_31(doc: dict[str, Any]) -> None:
    assert_valid_openapi_31(doc)


def test_every_route_is_documented(app: Flask, doc: dict[str, Any]) -> None:
    assert undocumented_routes(app, doc) == []


def test_every_operation_is_authenticated_and_documents_its_refusals(
    doc: dict[str, Any],
) -> None:
    assert unauthenticated_operations(doc) == []
    assert undocumented_refusals(doc) == []


def test_real_answers_match_the_document(
    app: Flask, doc: dict[str, Any], mail_sink: MailSink
) -> None:
    client: FlaskClient = app.test_client()
    checker = Checker(doc)

    def call(path: str, method: str, url: str, who: str | None, body: Any = None, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {who}"} if who else {}
        answer = client.open(url, method=method.upper(), json=body, headers=headers, **kw)
        return checker.check(path, method, answer)

    history = "/v1/cases/{case_id}/deliveries"
    shown = call(history, "get", f"/v1/cases/{CASE_ID}/deliveries", "officer")
    assert shown["deliveries"][0]["status"] == "sent"
    call(history, "get", f"/v1/cases/{CASE_ID}/deliveries", "stranger")  # 404
    call(history, "get", f"/v1/cases/{CASE_ID}/deliveries", "submitter")  # 403
    call(history, "get", f"/v1/cases/{CASE_ID}/deliveries", None)  # 401

    prefs = "/v1/recipients/{officer_id}/preferences"
    url = f"/v1/recipients/{OFFICER_ID}/preferences"
    call(prefs, "get", url, "officer")
    call(prefs, "get", url, "colleague")  # 403
    call(prefs, "get", "/v1/recipients/nobody/preferences", "operator")  # 404
    changed = call(
        prefs,
        "put",
        url,
        "officer",
        {
            "channels": {"sms": {"min_priority": "urgent"}},
            "quiet_hours": {"start": "21:30", "end": "06:00", "hold_up_to": "high"},
            "chat_url": "tgram://123456:ABCDEF/987654",
        },
    )
    assert changed["preferences"]["quiet_hours"]["start"] == "21:30"
    call(prefs, "put", url, "supervisor", {})
    call(prefs, "put", url, "officer", {"channels": {"fax": {}}})  # 422
    call(prefs, "put", url, "officer", {"quiet_hours": {"start": "25:00", "end": "1:00"}})
    call(prefs, "put", url, "officer", {"chat_url": "javascript:alert(1)"})  # 422
    call(prefs, "put", url, "officer", [1])  # 422
    call(prefs, "put", url, "officer", data="{", content_type="application/json")  # 400
    call(prefs, "put", url, "officer", data="x", content_type="text/plain")  # 415

    parked = "/v1/parked"
    listed = call(parked, "get", "/v1/parked?limit=5", "operator")
    assert listed["queue_depth"] == 0
    call(parked, "get", "/v1/parked?limit=many", "operator")  # 422
    call(parked, "get", "/v1/parked", "supervisor")  # 403
    replay = "/v1/parked/{ident}/replay"
    call(replay, "post", "/v1/parked/nothing-here/replay", "operator")  # 404
    call(replay, "post", "/v1/parked/digest:nothing/replay", "operator")  # 404

    send = "/v1/test-send"
    sent = call(send, "post", send, "operator", {"officer_id": OFFICER_ID, "channel": "email"})
    assert sent["result"] == "sent"
    call(send, "post", send, "operator", {"officer_id": OFFICER_ID, "channel": "sms"})  # 422
    call(send, "post", send, "operator", {"officer_id": "nobody", "channel": "email"})  # 404
    call(send, "post", send, "operator", {"officer_id": " "})  # 422
    call(send, "post", send, "officer", {"officer_id": OFFICER_ID, "channel": "email"})  # 403
    mail_sink.wait_for(2, timeout=10)  # the alert and the test

    after = call(history, "get", f"/v1/cases/{CASE_ID}/deliveries", "supervisor")
    assert len(after["deliveries"]) >= 1
    expected = {("put", prefs, s) for s in ("200", "400", "415", "422")} | {
        ("post", send, s) for s in ("200", "403", "404", "422")
    }
    assert expected <= checker.seen
