"""Size and rate limits answer with problems, not crashes or silent truncation; and secrets
(API keys, phone numbers, e-mail addresses) never reach a log line."""

from __future__ import annotations

import io
import json
import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from services.intake.app import create_app
from services.intake.bootstrap import ensure_indexes
from services.intake.cases.models import Case
from services.notify.app import create_app as create_notify
from services.triage.app import create_app as create_triage
from shared import mongo
from shared.auth import Principal
from shared.problems import PROBLEM_JSON
from shared.settings import Settings
from tests.security.support import PDF, REPORTER, auth, key, submit, upload_pdf
from tests.support.builders import case_payload

LIMITS = {
    "max_body_bytes": 8_192,
    "max_batch_bytes": 65_536,
    "evidence_max_file_bytes": 4_096,
    "track_rate_per_minute": 3,
}


@pytest.fixture
def app(settings: Settings) -> Flask:
    app = create_app(settings=settings.model_copy(update=LIMITS))
    ensure_indexes()
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def assert_problem(answer: TestResponse, status: int) -> None:
    assert answer.status_code == status, answer.data[:300]
    assert answer.mimetype == PROBLEM_JSON
    assert answer.get_json()["status"] == status


def test_body_over_the_limit_is_413_and_stores_nothing(client: FlaskClient) -> None:
    big = case_payload(description="x" * LIMITS["max_body_bytes"])
    assert_problem(client.post("/v1/cases", json=big, headers=auth(key())), 413)
    batch = {"cases": [case_payload(description="y" * 5_000)] * 14}  # ~80 kB
    assert_problem(client.post("/v1/cases:batch", json=batch, headers=auth(key())), 413)
    assert Case._get_collection().count_documents({}) == 0


def test_batch_of_more_than_100_cases_is_422(app: Flask) -> None:
    # The byte limit must not answer first: this batch is small in bytes but long.
    client = app.test_client()
    tiny = {"title": "t"}
    answer = client.post("/v1/cases:batch", json={"cases": [tiny] * 101}, headers=auth(key()))
    assert_problem(answer, 422)
    assert answer.get_json()["errors"][0]["code"] == "batch_size"
    assert Case._get_collection().count_documents({}) == 0


def test_evidence_over_the_limit_is_413_and_nothing_is_stored(client: FlaskClient) -> None:
    token = key()
    case = submit(client, token)
    oversized = PDF + b"%" * LIMITS["evidence_max_file_bytes"]
    assert_problem(upload_pdf(client, case["id"], token, oversized), 413)
    listing = client.get(f"/v1/cases/{case['id']}/evidence", headers=auth(key(role="officer")))
    assert listing.get_json()["items"] == []


def test_tracking_lookups_are_rate_limited_with_retry_after(client: FlaskClient) -> None:
    code = submit(client, key())["tracking_code"]
    answers = [client.get(f"/v1/track/{code}") for _ in range(LIMITS["track_rate_per_minute"])]
    assert [a.status_code for a in answers] == [200] * LIMITS["track_rate_per_minute"]
    limited = client.get(f"/v1/track/{code}")
    assert_problem(limited, 429)
    assert int(limited.headers["Retry-After"]) >= 1
    # Refused before the lookup: a guessed code and a real one are refused alike.
    assert_problem(client.get("/v1/track/AAAA-BBBB-CCCC-DDDD"), 429)
    assert set(limited.get_json()) == set(client.get("/v1/track/AAAA-BBBB-CCCC-DDDD").get_json())


def test_secrets_never_reach_the_logs(app: Flask, client: FlaskClient) -> None:
    buffer = io.StringIO()
    [handler] = [h for h in logging.getLogger().handlers if getattr(h, "_pantau", False)]
    assert isinstance(handler, logging.StreamHandler)
    previous = handler.setStream(buffer)
    level = logging.getLogger().level
    # DEBUG: the most talkative level a deployment may run, with the driver's command logs.
    logging.getLogger().setLevel(logging.DEBUG)
    try:
        operator = key("12", "operator")
        created = client.post(
            "/v1/keys",
            json={"name": "Diskominfo Karo", "region": "12.06", "role": "supervisor"},
            headers=auth(operator),
        )
        assert created.status_code == 201
        secret = created.get_json()["key"]
        case = submit(client, secret, reporter=REPORTER)
        revealed = client.post(
            f"/v1/cases/{case['id']}/reporter:reveal",
            json={"reason": "klarifikasi keterangan pelapor"},
            headers=auth(secret),
        )
        assert revealed.status_code == 200
        # A refused submission whose errors concern the contact fields, and a revoked key.
        bad = case_payload(reporter={**REPORTER, "phone": "0812-6000-1234x"})
        assert client.post("/v1/cases", json=bad, headers=auth(secret)).status_code == 422
        assert (
            client.delete(
                f"/v1/keys/{created.get_json()['prefix']}", headers=auth(operator)
            ).status_code
            == 204
        )
        assert client.get("/v1/auth/whoami", headers=auth(secret)).status_code == 401
    finally:
        handler.setStream(previous)
        logging.getLogger().setLevel(level)
    lines = [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]
    assert lines, "the requests above log nothing: this test would prove nothing"
    text = buffer.getvalue()
    for leaked in (
        secret,
        secret.split("_", 2)[2],  # the secret part alone, without the public prefix
        operator,
        "0812-6000-1234",
        "+6281260001234",
        "81260001234",
        str(REPORTER["email"]),
        "Siti Rahmawati",
    ):
        assert leaked not in text, leaked


@pytest.mark.parametrize("depth", [33, 100_000])
def test_deeply_nested_json_is_a_400_in_every_service(settings: Settings, depth: int) -> None:
    """100,000 nested brackets once raised RecursionError into a 500; now every service's
    body reader refuses any nesting deeper than a request needs, before anything is done."""
    body = "[" * depth + "]" * depth
    intake = create_app(settings=settings)
    ensure_indexes()
    token = key()
    answers = [
        intake.test_client().post(
            "/v1/cases", data=body, content_type="application/json", headers=auth(token)
        )
    ]
    # Triage and notify ask intake who a key is; here the key is read by the app itself.
    supervisor = Principal("pk_sup", "Supervisor Karo", "12.06", "supervisor")
    for factory, method, path in (
        (create_triage, "POST", "/v1/triage/dry-run"),
        (create_notify, "PUT", "/v1/recipients/karo-bkpsdm-1/preferences"),
    ):
        app = factory(settings=settings)
        if factory is create_notify:
            # Notify looks the officer up before it reads the body: one it knows.
            mongo.database("notify")["recipients"].insert_one(
                {"_id": "karo-bkpsdm-1", "name": "Joni Sitepu", "tenant": "12.06"}
            )
        app.config["PANTAU_AUTHENTICATE"] = {"sup": supervisor}.get
        answers.append(
            app.test_client().open(
                path,
                method=method,
                data=body,
                content_type="application/json",
                headers=auth("sup"),
            )
        )
    for answer in answers:
        assert_problem(answer, 400)
        assert "levels deep" in answer.get_json()["detail"]
    assert Case._get_collection().count_documents({}) == 0


@pytest.mark.parametrize("character", ["\x00", "\u202e", "\u2068"])
def test_a_control_character_is_refused_by_name_in_every_service(
    settings: Settings, character: str
) -> None:
    """The shared body reader refuses it for every service, so no model can forget it."""
    supervisor = Principal("pk_sup", "Supervisor Karo", "12.06", "supervisor")
    intake = create_app(settings=settings)
    ensure_indexes()
    title = f"Foto pose{character} dua jari"
    answers = [
        (
            "title",
            intake.test_client().post(
                "/v1/cases", json=case_payload(title=title), headers=auth(key())
            ),
        )
    ]
    triage = create_triage(settings=settings)
    triage.config["PANTAU_AUTHENTICATE"] = {"sup": supervisor}.get
    dry_run = {"title": title, "description": "Seorang guru berpose dua jari bersama paslon."}
    answers.append(
        (
            "title",
            triage.test_client().post("/v1/triage/dry-run", json=dry_run, headers=auth("sup")),
        )
    )
    notify = create_notify(settings=settings)
    mongo.database("notify")["recipients"].insert_one(
        {"_id": "karo-bkpsdm-1", "name": "Joni Sitepu", "tenant": "12.06"}
    )
    notify.config["PANTAU_AUTHENTICATE"] = {"sup": supervisor}.get
    prefs = {"quiet_hours": {"start": f"21:00{character}", "end": "06:00"}}
    answers.append(
        (
            "quiet_hours.start",
            notify.test_client().put(
                "/v1/recipients/karo-bkpsdm-1/preferences", json=prefs, headers=auth("sup")
            ),
        )
    )
    for field, answer in answers:
        assert_problem(answer, 422)
        assert answer.get_json()["errors"] == [
            {
                "field": field,
                "message": f"contains a control character (U+{ord(character):04X})",
                "code": "control_character",
            }
        ]
    assert Case._get_collection().count_documents({}) == 0


@pytest.mark.parametrize("query", ["limit=-5", "limit=999999999999", "cursor=zzz"])
@pytest.mark.parametrize("path", ["/v1/cases", "/v1/access-log", "/v1/parked", "/v1/sign-in-log"])
def test_every_intake_list_refuses_a_page_it_cannot_give(
    client: FlaskClient, path: str, query: str
) -> None:
    answer = client.get(f"{path}?{query}", headers=auth(key("12", "operator")))
    assert_problem(answer, 422)
    assert [e["field"] for e in answer.get_json()["errors"]] == [query.split("=")[0]]
