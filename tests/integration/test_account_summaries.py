"""Where each person stands with signing in, on the real MongoDB: invited, account made,
last sign-in, open sessions; an invitation's fate; the area's people only; no secrets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.intake.access import links
from services.intake.access.invitations import issue_link
from services.intake.access.keys import create_key
from services.intake.access.tokens import digest
from services.intake.app import create_app
from services.intake.bootstrap import ensure_indexes
from services.intake.directory import officers as directory
from services.intake.directory.schema import OfficerCreate
from shared.settings import Settings

PASSWORD = "teh manis hangat sore"


@pytest.fixture
def app(settings: Settings) -> Flask:
    app = create_app(settings=settings)
    ensure_indexes()
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def auth(region: str, role: str = "supervisor") -> dict[str, str]:
    token = create_key(name=f"{role} {region}", region=region, role=role)[0]
    return {"Authorization": f"Bearer {token}"}


def person(officer_id: str, region: str = "12.06") -> dict[str, Any]:
    return directory.create(
        OfficerCreate(
            officer_id=officer_id,
            region=region,
            unit="BKPSDM",
            name=officer_id.replace("-", " ").title(),
            email=f"{officer_id}@pantau.example",
        ),
        actor={"name": "tests"},
    )


def invite(officer: dict[str, Any], now: datetime | None = None) -> str:
    url = issue_link(
        officer,
        "invitation",
        issued_by={"name": "tests"},
        console_url="http://console.example",
        now=now or datetime.now(UTC),
        send=False,
    )
    return url.rsplit("/", 1)[1]


def summaries(client: FlaskClient, headers: dict[str, str], **params: str) -> dict[str, Any]:
    answer = client.get("/v1/accounts", query_string=params, headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return {item["officer_id"]: item for item in answer.get_json()["items"]}


def test_a_person_goes_from_invited_to_signed_in_with_a_session(client: FlaskClient) -> None:
    officer = person("karo-acc-1")
    never = person("karo-acc-2")
    token = invite(officer)
    headers = auth("12.06")

    before = summaries(client, headers)
    assert before["karo-acc-1"]["invitation"]["state"] == "pending"
    assert before["karo-acc-1"]["password_set"] is False
    assert before["karo-acc-1"]["last_sign_in_at"] is None
    assert before["karo-acc-2"]["invitation"] is None

    accepted = client.post(
        "/v1/auth/links/accept",
        json={"token": token, "password": PASSWORD},
        headers=auth("12", "console"),
    )
    assert accepted.status_code == 200, accepted.get_json()

    after = summaries(client, headers)["karo-acc-1"]
    assert after["invitation"]["state"] == "used"
    assert after["password_set"] is True
    assert after["password_set_at"] is not None
    assert after["last_sign_in_at"] is not None
    assert after["open_sessions"] == 1
    assert after["second_factor"] is False
    assert summaries(client, headers)["karo-acc-2"] == {
        "officer_id": never["_id"],
        "password_set": False,
        "password_set_at": None,
        "second_factor": False,
        "last_sign_in_at": None,
        "open_sessions": 0,
        "invitation": None,
    }
    # Nothing secret travels: no token, no digest of it, no password hash.
    text = client.get("/v1/accounts", headers=headers).get_data(as_text=True)
    assert token not in text
    assert digest(token) not in text
    assert "argon2" not in text


def test_an_old_invitation_expires_and_a_newer_one_replaces_it(client: FlaskClient) -> None:
    officer = person("karo-acc-3")
    invite(officer, now=datetime.now(UTC) - timedelta(hours=2))
    assert summaries(client, auth("12.06"))["karo-acc-3"]["invitation"]["state"] == "expired"
    first = links.collection().find_one({"officer_id": "karo-acc-3"})
    assert first is not None
    invite(officer)
    assert summaries(client, auth("12.06"))["karo-acc-3"]["invitation"]["state"] == "pending"
    voided = links.collection().find_one({"_id": first["_id"]})
    assert voided is not None
    assert voided.get("voided") is True


def test_a_supervisor_sees_their_regency_a_province_its_regencies(client: FlaskClient) -> None:
    person("karo-acc-4")
    person("medan-acc-1", region="12.71")
    person("belitung-acc-1", region="19.02")
    assert set(summaries(client, auth("12.06"))) == {"karo-acc-4"}
    assert set(summaries(client, auth("12", "auditor"))) == {"karo-acc-4", "medan-acc-1"}
    assert set(summaries(client, auth("12", "operator"), officer="medan-acc-1")) == {"medan-acc-1"}
    # Naming someone outside the area finds nothing rather than saying they exist.
    assert summaries(client, auth("12.06"), officer="belitung-acc-1") == {}


def test_officers_may_not_list_their_colleagues_accounts(client: FlaskClient) -> None:
    assert client.get("/v1/accounts", headers=auth("12.06", "officer")).status_code == 403
