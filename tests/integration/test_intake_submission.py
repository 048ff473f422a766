"""Submitting cases through intake's HTTP API on the real MongoDB, publishing on the real broker."""

from __future__ import annotations

import threading
from typing import Any

import pika
import pytest
from flask.testing import FlaskClient

from services.intake.access.keys import create_key
from services.intake.access.models import ReporterRecord
from services.intake.app import create_app
from services.intake.bootstrap import ensure_indexes
from services.intake.cases.models import Case
from shared.broker.publisher import Publisher
from shared.contracts import CaseSubmitted, decode
from shared.outbox import OutboxRelay
from shared.settings import Settings
from tests.support.builders import case_payload


@pytest.fixture
def client(settings: Settings) -> FlaskClient:
    app = create_app(settings=settings)
    ensure_indexes()
    return app.test_client()


@pytest.fixture
def karo_key(client: FlaskClient) -> str:
    return create_key(name="Diskominfo Karo", region="12.06", role="submitter")[0]


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_submission_stores_case_with_pending_event(client: FlaskClient, karo_key: str) -> None:
    answer = client.post("/v1/cases", json=case_payload(), headers=auth(karo_key))
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert body["status"] == "received"
    assert body["tenant"] == "12.06"
    stored = Case._get_collection().find_one({"tracking_code": body["tracking_code"]})
    assert stored is not None
    assert stored["outbox_pending"] is True
    assert [e["type"] for e in stored["outbox"]] == ["case.submitted"]
    # Anonymous: the case says so and no identity is kept anywhere.
    assert stored["reporter"] == {"anonymous": True, "confidential": True, "pseudonym": None}
    assert ReporterRecord._get_collection().count_documents({}) == 0


def test_relay_publishes_case_submitted(
    client: FlaskClient, karo_key: str, settings: Settings
) -> None:
    answer = client.post("/v1/cases", json=case_payload(), headers=auth(karo_key))
    case_id = answer.get_json()["id"]
    relay = OutboxRelay("intake", [Case._get_collection()], Publisher(settings, name="test"))
    assert relay.relay_once(Case._get_collection()) == 1
    assert Case._get_collection().find_one({"outbox_pending": True}) is None

    connection = pika.BlockingConnection(pika.URLParameters(settings.amqp_url))
    channel = connection.channel()
    method, properties, body = channel.basic_get("pantau.triage", auto_ack=True)
    connection.close()
    assert method is not None
    envelope, event = decode(body)
    assert isinstance(event, CaseSubmitted)
    assert event.case_id == case_id
    assert envelope.tenant == "12.06"
    assert properties.message_id == str(envelope.id)


def test_cases_accepted_while_broker_unreachable_are_published_later(
    client: FlaskClient, karo_key: str, settings: Settings
) -> None:
    ids = [
        client.post("/v1/cases", json=case_payload(), headers=auth(karo_key)).get_json()["id"]
        for _ in range(3)
    ]
    down = settings.model_copy(update={"amqp_url": "amqp://guest:guest@127.0.0.1:1/%2F"})
    stop = threading.Event()
    relay = OutboxRelay("intake", [Case._get_collection()], Publisher(down, name="down"))
    worker = threading.Thread(target=relay.run, args=(stop,))
    worker.start()
    stop.wait(1.0)
    stop.set()
    worker.join(10)
    assert Case._get_collection().count_documents({"outbox_pending": True}) == 3

    relay = OutboxRelay("intake", [Case._get_collection()], Publisher(settings, name="up"))
    assert relay.relay_once(Case._get_collection()) == 3
    connection = pika.BlockingConnection(pika.URLParameters(settings.amqp_url))
    channel = connection.channel()
    seen: list[Any] = []
    while True:
        method, _, body = channel.basic_get("pantau.triage", auto_ack=True)
        if method is None:
            break
        seen.append(decode(body)[1].case_id)  # type: ignore[attr-defined]
    connection.close()
    assert sorted(seen) == sorted(ids)


def test_same_source_reference_returns_existing_case(client: FlaskClient, karo_key: str) -> None:
    payload = case_payload(source="monitoring", source_ref="mon-2024-11-001")
    first = client.post("/v1/cases", json=payload, headers=auth(karo_key))
    second = client.post("/v1/cases", json=payload, headers=auth(karo_key))
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.get_json()["id"] == first.get_json()["id"]
    assert second.get_json()["created"] is False
    assert Case._get_collection().count_documents({}) == 1


def test_invalid_submission_names_every_field(client: FlaskClient, karo_key: str) -> None:
    payload = case_payload(title="", evidence_urls=["ftp://x"], colour="red")
    answer = client.post("/v1/cases", json=payload, headers=auth(karo_key))
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    fields = {e["field"] for e in answer.get_json()["errors"]}
    assert {"title", "evidence_urls[0]", "colour"} <= fields
    assert Case._get_collection().count_documents({}) == 0


@pytest.mark.parametrize(
    ("headers", "data", "status"),
    [
        ({}, "{}", 401),
        ({"Authorization": "Bearer pnt_nope_nope"}, "{}", 401),
    ],
)
def test_missing_or_unknown_key_is_refused(
    client: FlaskClient, headers: dict[str, str], data: str, status: int
) -> None:
    answer = client.post("/v1/cases", data=data, headers=headers, content_type="application/json")
    assert answer.status_code == status
    assert answer.mimetype == "application/problem+json"


def test_malformed_json_and_wrong_type_get_problems(client: FlaskClient, karo_key: str) -> None:
    bad = client.post(
        "/v1/cases", data="{not json", headers=auth(karo_key), content_type="application/json"
    )
    assert bad.status_code == 400
    assert "not valid JSON" in bad.get_json()["detail"]
    form = client.post("/v1/cases", data="a=b", headers=auth(karo_key))
    assert form.status_code == 415
    missing = client.get("/no/such/route")
    assert missing.status_code == 404
    assert missing.mimetype == "application/problem+json"


def test_other_regency_cannot_read_case(client: FlaskClient, karo_key: str) -> None:
    case_id = client.post("/v1/cases", json=case_payload(), headers=auth(karo_key)).get_json()["id"]
    own = client.get(f"/v1/cases/{case_id}", headers=auth(karo_key))
    assert own.status_code == 200
    other = create_key(name="Diskominfo Kota Bengkulu", region="17.71", role="officer")[0]
    answer = client.get(f"/v1/cases/{case_id}", headers=auth(other))
    assert answer.status_code == 404
    province = create_key(name="Provinsi Sumut", region="12", role="operator")[0]
    assert client.get(f"/v1/cases/{case_id}", headers=auth(province)).status_code == 200


def test_relay_keeps_events_added_while_a_batch_was_in_flight(
    client: FlaskClient, karo_key: str, settings: Settings
) -> None:
    client.post("/v1/cases", json=case_payload(), headers=auth(karo_key))
    cases = Case._get_collection()
    doc = cases.find_one({})
    assert doc is not None
    relay = OutboxRelay("intake", [cases], Publisher(settings, name="test"))
    first = doc["outbox"][0]["id"]
    # The relay leased the case and published its first event; meanwhile a second event
    # was added to the same case (a timeline update, say).
    cases.update_one({"_id": doc["_id"]}, {"$set": {"outbox_owner": relay.owner}})
    cases.update_one(
        {"_id": doc["_id"]}, {"$push": {"outbox": {"id": "later", "type": "case.updated"}}}
    )
    relay._clear(cases, {doc["_id"]: [first]})
    after = cases.find_one({"_id": doc["_id"]})
    assert after is not None
    assert [e["id"] for e in after["outbox"]] == ["later"]
    assert after["outbox_pending"] is True
    assert "outbox_owner" not in after
    relay._clear(cases, {})  # nothing published: nothing changes
    cases.update_one({"_id": doc["_id"]}, {"$set": {"outbox_owner": relay.owner}})
    relay._clear(cases, {doc["_id"]: ["later"]})
    done = cases.find_one({"_id": doc["_id"]})
    assert done is not None
    assert done["outbox"] == []
    assert "outbox_pending" not in done
    assert "outbox_since" not in done
