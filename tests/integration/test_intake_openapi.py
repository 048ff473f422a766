"""The OpenAPI document is valid, covers every route, and real answers match it."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.intake.access.keys import create_key
from services.intake.app import create_app
from services.intake.bootstrap import ensure_indexes
from shared.settings import Settings
from tests.support.builders import case_payload
from tests.support.door import OTHER_PASSWORD, Door, bearer, totp
from tests.support.openapi_check import (
    Checker,
    assert_valid_openapi_31,
    served_document,
    undocumented_refusals,
    undocumented_routes,
)


@pytest.fixture
def app(settings: Settings) -> Flask:
    app = create_app(settings=settings)
    ensure_indexes()
    return app


@pytest.fixture
def doc(app: Flask) -> dict[str, Any]:
    return served_document(app)


def test_document_is_valid_openapi_31(doc: dict[str, Any]) -> None:
    assert_valid_openapi_31(doc)


def test_every_route_is_documented(app: Flask, doc: dict[str, Any]) -> None:
    assert undocumented_routes(app, doc) == []


def test_real_answers_match_the_document(app: Flask, doc: dict[str, Any]) -> None:
    client: FlaskClient = app.test_client()
    checker = Checker(doc)
    token = create_key(name="Karo", region="12.06", role="submitter")[0]
    officer = create_key(name="Officer", region="12.06", role="officer")[0]
    supervisor = create_key(name="Supervisor", region="12.06", role="supervisor")[0]
    operator = create_key(name="Operator", region="12", role="operator")[0]
    h = {"Authorization": f"Bearer {token}"}

    created = client.post(
        "/v1/cases",
        json=case_payload(
            reporter={"name": "Siti Rahmawati", "phone": "081260001234", "anonymous": False}
        ),
        headers=h,
    )
    checker.check("/v1/cases", "post", created)
    case_id = created.get_json()["id"]
    checker.check("/v1/cases", "post", client.post("/v1/cases", json={"title": 1}, headers=h))
    checker.check("/v1/cases", "post", client.post("/v1/cases", json=case_payload()))
    checker.check(
        "/v1/cases:batch",
        "post",
        client.post("/v1/cases:batch", json={"cases": [case_payload(), {"title": ""}]}, headers=h),
    )
    oh = {"Authorization": f"Bearer {officer}"}
    checker.check("/v1/cases", "get", client.get("/v1/cases?limit=1", headers=oh))
    checker.check("/v1/cases", "get", client.get("/v1/cases?limit=0", headers=oh))
    checker.check("/v1/cases/{case_id}", "get", client.get(f"/v1/cases/{case_id}", headers=oh))
    checker.check("/v1/cases/{case_id}", "get", client.get("/v1/cases/nope", headers=oh))
    reveal = f"/v1/cases/{case_id}/reporter:reveal"
    checker.check(
        "/v1/cases/{case_id}/reporter:reveal",
        "post",
        client.post(
            reveal,
            json={"reason": "klarifikasi kepada pelapor"},
            headers={"Authorization": f"Bearer {supervisor}"},
        ),
    )
    checker.check(
        "/v1/cases/{case_id}/reporter:reveal",
        "post",
        client.post(reveal, json={"reason": "klarifikasi kepada pelapor"}, headers=oh),
    )
    ah = {"Authorization": f"Bearer {operator}"}
    checker.check("/v1/access-log", "get", client.get("/v1/access-log", headers=ah))
    code = created.get_json()["tracking_code"]
    checker.check("/v1/track/{code}", "get", client.get(f"/v1/track/{code}"))
    checker.check("/v1/track/{code}", "get", client.get("/v1/track/XXXX"))
    checker.check("/v1/auth/whoami", "get", client.get("/v1/auth/whoami", headers=oh))
    made = client.post(
        "/v1/keys", json={"name": "n", "region": "12.06", "role": "officer"}, headers=ah
    )
    checker.check("/v1/keys", "post", made)
    checker.check("/v1/keys", "get", client.get("/v1/keys", headers=ah))
    checker.check(
        "/v1/keys/{prefix}",
        "delete",
        client.delete(f"/v1/keys/{made.get_json()['prefix']}", headers=ah),
    )


def test_every_authenticated_operation_documents_a_refused_key_and_an_outage(
    doc: dict[str, Any],
) -> None:
    # Which roles an operation admits and how a body is refused differ per operation (whoami
    # admits every role; Open311 answers its own error format); a missing or revoked key and
    # a database that is down can happen to every one of them.
    assert undocumented_refusals(doc, always=("401", "503"), with_body=()) == []


def test_the_door_answers_match_the_document(app: Flask, doc: dict[str, Any]) -> None:
    """A whole sign-in, with its refusals, against the document: the fuzz tests cannot guess
    a password, a code or a link, so their successful answers are checked here."""
    client: FlaskClient = app.test_client()
    checker = Checker(doc)
    door = Door.open(client)
    door.person("karo-doc-1", role="supervisor")
    token = door.link("karo-doc-1")
    inspected = door.post("/v1/auth/links/inspect", {"token": token})
    checker.check("/v1/auth/links/inspect", "post", inspected)
    weak = door.accept(token, "pilkada2024")
    checker.check("/v1/auth/links/accept", "post", weak)
    step = checker.check("/v1/auth/links/accept", "post", door.accept(token))
    checker.check("/v1/auth/links/accept", "post", door.accept(token))  # spent: 403
    enrolment = door.post("/v1/auth/second-factor/enrolment", {"challenge": step["token"]})
    secret = checker.check("/v1/auth/second-factor/enrolment", "post", enrolment)["secret"]
    confirm = "/v1/auth/second-factor/enrolment/confirm"
    session = checker.check(confirm, "post", door.confirm(step["token"], totp(secret)))["token"]
    checker.check(
        "/v1/auth/sign-in", "post", door.sign_in("karo-doc-1@karo.example", OTHER_PASSWORD)
    )
    challenge = checker.check("/v1/auth/sign-in", "post", door.sign_in("karo-doc-1@karo.example"))
    code = door.code(challenge["token"], totp(secret, 1))
    checker.check("/v1/auth/second-factor", "post", code)
    reset = door.post("/v1/auth/password-resets", {"email": "karo-doc-1@karo.example"})
    checker.check("/v1/auth/password-resets", "post", reset)
    h = bearer(session)
    checker.check("/v1/account", "get", client.get("/v1/account", headers=h))
    listed = checker.check("/v1/sessions", "get", client.get("/v1/sessions", headers=h))
    other = next(item["id"] for item in listed["items"] if not item["current"])
    ended = client.delete(f"/v1/sessions/{other}", headers=h)
    checker.check("/v1/sessions/{session_id}", "delete", ended)
    door.person("karo-doc-2")
    invited = client.post("/v1/officers/karo-doc-2/invitations", headers=h)
    checker.check("/v1/officers/{officer_id}/invitations", "post", invited)
    auditor = door.key("auditor", "12")
    log = client.get("/v1/sign-in-log", headers=bearer(auditor))
    checker.check("/v1/sign-in-log", "get", log)
    ended_all = client.post("/v1/account/sessions/end-all", headers=h)
    checker.check("/v1/account/sessions/end-all", "post", ended_all)
    for _ in range(5):
        door.sign_in("karo-doc-1@karo.example", OTHER_PASSWORD)
    throttled = door.sign_in("karo-doc-1@karo.example", OTHER_PASSWORD)
    assert throttled.status_code == 429
    checker.check("/v1/auth/sign-in", "post", throttled)
