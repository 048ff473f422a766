"""What the services tell their operators, on the real database and broker: each service's
pipeline (outbox backlog, every consuming queue) and intake's and triage's parked messages.

Keys are checked by intake in production; an authenticator mapping test tokens to principals
stands in for it here, as in the other API tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pika
import pytest
from flask import Flask
from pymongo import MongoClient

from services.cli.infra import free_port
from services.intake.app import create_app as intake_app
from services.notify.app import create_app as notify_app
from services.triage.app import create_app as triage_app
from shared.auth import Principal
from shared.broker.consumer import ATTEMPT_HEADER, PARK_REASON_HEADER, Consumer
from shared.broker.parking import PARKED_AT_HEADER, REPLAYED_BY_HEADER
from shared.contracts import CaseStatusChanged, encode, new_envelope
from shared.pipeline import outbox_state
from shared.settings import Settings
from tests.support.broker import channel, depth, running
from tests.support.builders import case_payload
from tests.support.openapi_check import Checker, served_document
from tests.support.waiting import eventually

PRINCIPALS = {
    "operator-sumut": Principal("k1", "Operator Sumut", "12", "operator"),
    "operator-kaltim": Principal("k2", "Operator Kaltim", "64", "operator"),
    "supervisor-karo": Principal("k3", "Kepala BKPSDM Karo", "12.06", "supervisor"),
    "auditor-sumut": Principal("k4", "Inspektorat Sumut", "12", "auditor"),
    "submitter-karo": Principal("k5", "Diskominfo Karo", "12.06", "submitter"),
}
APPS: dict[str, Callable[..., Flask]] = {
    "intake": intake_app,
    "triage": triage_app,
    "notify": notify_app,
}


def auth(who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {who}"}


def _app(service: str, settings: Settings) -> Flask:
    app = APPS[service]({"TESTING": True}, settings=settings)
    app.config["PANTAU_AUTHENTICATE"] = PRINCIPALS.get
    return app


def _park(settings: Settings, service: str, tenant: str, reason: str) -> str:
    """A message in the service's parking queue, as its consumer leaves one."""
    event = CaseStatusChanged(
        case_id=f"case-{tenant}", from_status="received", to_status="verified", actor="x"
    )
    envelope = new_envelope(event, tenant=tenant, correlation_id=f"corr-{tenant}")
    connection, ch = channel(settings)
    ch.basic_publish(
        exchange="",
        routing_key=f"pantau.{service}.parking",
        body=encode(envelope),
        properties=pika.BasicProperties(
            delivery_mode=2,
            message_id=str(envelope.id),
            headers={
                PARK_REASON_HEADER: reason,
                PARKED_AT_HEADER: int(time.time()),
                ATTEMPT_HEADER: 3,
            },
        ),
    )
    connection.close()
    return str(envelope.id)


@pytest.mark.parametrize("service", ["intake", "triage"])
def test_an_operator_sees_and_replays_what_the_worker_parked(
    settings: Settings, service: str
) -> None:
    app = _app(service, settings)
    client = app.test_client()
    checker = Checker(served_document(app))
    karo = _park(settings, service, "12.06", "permanent: the case names an officer nobody knows")
    kukar = _park(settings, service, "64.02", "attempts exhausted: TimeoutError()")
    parking = f"pantau.{service}.parking"

    listed = checker.check(
        "/v1/parked", "get", client.get("/v1/parked", headers=auth("operator-sumut"))
    )
    assert [p["id"] for p in listed["parked"]] == [karo]
    [seen] = listed["parked"]
    assert seen["reason"] == "permanent: the case names an officer nobody knows"
    assert seen["tenant"] == "12.06"
    assert seen["case_id"] == "case-12.06"
    assert seen["attempts"] == 3
    assert seen["parked_at"] is not None
    assert seen["type"] == "case.status_changed"
    assert listed["queue_depth"] == 2
    assert depth(settings, parking) == 2, "looking must not remove anything"

    # Each operator sees their province only; other roles are refused.
    kaltim = client.get("/v1/parked", headers=auth("operator-kaltim")).json
    assert kaltim is not None
    assert [p["id"] for p in kaltim["parked"]] == [kukar]
    for who in ("supervisor-karo", "auditor-sumut"):
        refused = client.get("/v1/parked", headers=auth(who))
        checker.check("/v1/parked", "get", refused)
        assert refused.status_code == 403
    too_many = client.get("/v1/parked?limit=0", headers=auth("operator-sumut"))
    assert checker.check("/v1/parked", "get", too_many)["status"] == 422

    replay = "/v1/parked/{ident}/replay"
    elsewhere = client.post(f"/v1/parked/{karo}/replay", headers=auth("operator-kaltim"))
    assert checker.check(replay, "post", elsewhere)["status"] == 404
    missing = client.post("/v1/parked/nope/replay", headers=auth("operator-sumut"))
    assert checker.check(replay, "post", missing)["status"] == 404
    forbidden = client.post(f"/v1/parked/{karo}/replay", headers=auth("auditor-sumut"))
    assert checker.check(replay, "post", forbidden)["status"] == 403

    done = client.post(f"/v1/parked/{karo}/replay", headers=auth("operator-sumut"))
    assert checker.check(replay, "post", done)["replayed"]["id"] == karo
    assert depth(settings, parking) == 1
    connection, ch = channel(settings)
    method, properties, _ = ch.basic_get(f"pantau.{service}", auto_ack=True)
    connection.close()
    assert method is not None
    assert properties.message_id == karo
    assert ATTEMPT_HEADER not in properties.headers
    assert properties.headers[REPLAYED_BY_HEADER] == "Operator Sumut (k1)"
    again = client.post(f"/v1/parked/{karo}/replay", headers=auth("operator-sumut"))
    assert again.status_code == 404


def _queues(state: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {q["name"]: q for q in state["queues"]}


@pytest.mark.parametrize("service", ["intake", "triage", "notify"])
def test_the_pipeline_names_every_queue_with_its_consumers_and_the_outbox(
    settings: Settings, service: str
) -> None:
    app = _app(service, settings)
    client = app.test_client()
    checker = Checker(served_document(app))

    def state() -> dict[str, Any]:
        answer = client.get("/v1/pipeline", headers=auth("operator-sumut"))
        found: dict[str, Any] = checker.check("/v1/pipeline", "get", answer)
        assert answer.status_code == 200, found
        return found

    # A fresh broker where no worker ran: the queues are named, and said to be missing.
    fresh = state()
    assert fresh["service"] == service
    assert fresh["outbox"] == {"backlog": 0, "oldest_age_seconds": None}
    assert all(not q["declared"] and q["consumers"] is None for q in fresh["queues"])

    channel(settings)[0].close()  # declares the topology
    triage_consumer = Consumer(settings, "triage", {})
    with running(triage_consumer):
        eventually(lambda: _queues(state())["pantau.triage"]["consumers"] == 1, timeout=10)
        queues = _queues(state())
    assert queues["pantau.triage"]["kind"] == "main"
    assert queues["pantau.intake"]["consumers"] == 0
    assert queues["pantau.notify.parking"] == {
        "name": "pantau.notify.parking",
        "service": "notify",
        "kind": "parking",
        "declared": True,
        "messages": 0,
        "consumers": 0,
    }
    assert {q["kind"] for q in queues.values() if q["service"] == "intake"} == {
        "main",
        "retry",
        "parking",
    }

    for who in ("supervisor-karo", "auditor-sumut", "submitter-karo"):
        refused = client.get("/v1/pipeline", headers=auth(who))
        assert checker.check("/v1/pipeline", "get", refused)["status"] == 403


def test_intake_counts_cases_whose_events_wait_in_its_outbox(settings: Settings) -> None:
    client = _app("intake", settings).test_client()
    for title in ("Camat unggah foto paslon", "ASN hadiri deklarasi paslon"):
        created = client.post(
            "/v1/cases", json=case_payload(title=title), headers=auth("submitter-karo")
        )
        assert created.status_code == 201, created.json
    # No worker relays here, so both cases still hold their case.submitted.
    body = client.get("/v1/pipeline", headers=auth("operator-sumut")).json
    assert body is not None
    assert body["outbox"]["backlog"] == 2
    assert body["outbox"]["oldest_age_seconds"] >= 0


def test_a_part_that_does_not_answer_is_null_and_the_rest_still_answers(
    settings: Settings,
) -> None:
    nowhere = f"amqp://guest:guest@127.0.0.1:{free_port()}/%2F"
    app = _app("triage", settings.model_copy(update={"amqp_url": nowhere}))
    answer = app.test_client().get("/v1/pipeline", headers=auth("operator-sumut"))
    assert answer.status_code == 200
    assert answer.json is not None
    assert answer.json["queues"] is None
    assert answer.json["outbox"] == {"backlog": 0, "oldest_age_seconds": None}

    lost: MongoClient[dict[str, Any]] = MongoClient(
        f"mongodb://127.0.0.1:{free_port()}/", serverSelectionTimeoutMS=30_000
    )
    try:
        assert outbox_state([lost["x"]["y"]], datetime.now(UTC), timeout_s=0.5) is None
    finally:
        lost.close()
