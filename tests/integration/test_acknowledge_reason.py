"""A supervisor acknowledging a case for the team, with a reason: kept in the timeline and the
audit entry, gone again when the case is reassigned, and the event triage reads unchanged."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.intake.access.keys import create_key
from services.intake.actions.audit_models import AuditEntry
from services.intake.app import create_app
from services.intake.bootstrap import ensure_indexes
from services.intake.directory import officers as directory
from services.intake.directory.schema import OfficerCreate
from shared.settings import Settings
from tests.support.builders import case_payload

REASON = "Diterima atas nama tim selama petugas cuti"


@pytest.fixture
def app(settings: Settings) -> Flask:
    app = create_app(settings=settings)
    ensure_indexes()
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def auth(role: str = "supervisor") -> dict[str, str]:
    return {
        "Authorization": f"Bearer {create_key(name=f'{role} karo', region='12.06', role=role)[0]}"
    }


def submit(client: FlaskClient) -> str:
    answer = client.post("/v1/cases", json=case_payload(), headers=auth("submitter"))
    assert answer.status_code == 201, answer.get_json()
    return str(answer.get_json()["id"])


def acknowledge(client: FlaskClient, case_id: str, **body: Any) -> Any:
    return client.post(f"/v1/cases/{case_id}/acknowledge", json=body, headers=auth())


def test_the_reason_is_in_the_timeline_and_the_audit_entry(client: FlaskClient) -> None:
    case_id = submit(client)
    answer = acknowledge(client, case_id, version=1, reason=f"  {REASON} ")
    assert answer.status_code == 200, answer.get_json()
    case = answer.get_json()
    assert case["acknowledged_reason"] == REASON
    line = case["timeline"][-1]
    assert (line["kind"], line["reason"]) == ("acknowledged", REASON)
    entry = AuditEntry._get_collection().find_one({"case_id": case_id, "action": "acknowledged"})
    assert entry is not None
    assert {"field": "acknowledged_reason", "before": None, "after": REASON} in entry["changes"]
    audit = client.get(f"/v1/cases/{case_id}/audit", headers=auth("auditor"))
    assert audit.get_json()["intact"] is True


def test_without_a_reason_nothing_extra_is_stored(client: FlaskClient) -> None:
    case_id = submit(client)
    case = acknowledge(client, case_id, version=1).get_json()
    assert "acknowledged_reason" not in case
    assert "reason" not in case["timeline"][-1]


def test_a_blank_reason_is_refused_by_name(client: FlaskClient) -> None:
    answer = acknowledge(client, submit(client), version=1, reason="   ")
    assert answer.status_code == 422
    assert [e["field"] for e in answer.get_json()["errors"]] == ["reason"]


def test_a_reassignment_clears_the_acknowledgement_and_its_reason(client: FlaskClient) -> None:
    directory.create(
        OfficerCreate(officer_id="karo-ack-2", region="12.06", unit="BKPSDM", name="Sari"),
        actor={"name": "tests"},
    )
    case_id = submit(client)
    assert acknowledge(client, case_id, version=1, reason=REASON).status_code == 200
    moved = client.post(
        f"/v1/cases/{case_id}/reassign",
        json={"version": 2, "officer_id": "karo-ack-2", "reason": "Beban kerja"},
        headers=auth(),
    )
    assert moved.status_code == 200, moved.get_json()
    case = moved.get_json()
    assert not {"acknowledged_at", "acknowledged_by", "acknowledged_reason"} & set(case)
