"""A request that failed on the database may or may not have stored its case (a write no
majority confirmed can survive a failover). Its retry, with the same Idempotency-Key, must
answer with that case if it was kept and file it if not: never a second case."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.intake.access.keys import create_key
from services.intake.app import create_app
from services.intake.bootstrap import ensure_indexes
from services.intake.cases.idempotency import Claim, body_fingerprint
from services.intake.cases.models import Case
from services.intake.deps import deps
from shared.settings import Settings
from tests.support.builders import case_payload


@pytest.fixture
def app(settings: Settings) -> Flask:
    app = create_app(settings=settings)
    ensure_indexes()
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def key(region: str = "12.06") -> str:
    return create_key(name=f"submitter {region}", region=region, role="submitter")[0]


def _post(client: FlaskClient, token: str, idem: str, payload: Any, url: str = "/v1/cases") -> Any:
    return client.post(
        url, json=payload, headers={"Authorization": f"Bearer {token}", "Idempotency-Key": idem}
    )


def _cut_off_first_attempt(app: Flask, token: str, idem: str, payload: Any) -> Claim:
    """What a first attempt cut off by a failover leaves behind: its claim, marked unsure."""
    prefix = token.split("_")[1]
    with app.app_context():
        store = deps().idempotency
        claim = store.begin(prefix, idem, body_fingerprint(payload))
        assert isinstance(claim, Claim)
        store.unsure(prefix, idem)
        stored = store.collection.find_one({"_id": f"{prefix}:{idem}"})
        assert stored is not None
        assert stored["state"] == "unsure"
        return claim


def test_the_retry_answers_with_the_case_the_cut_off_attempt_stored(
    app: Flask, client: FlaskClient
) -> None:
    token, idem, payload = key(), uuid.uuid4().hex, case_payload()
    claim = _cut_off_first_attempt(app, token, idem, payload)
    # The first attempt had stored its case under the claim's id before the failover.
    with app.app_context():
        Case._get_collection().insert_one(
            {"_id": claim.object_id(), "tenant": "12.06", "tracking_code": "KEPT-0000-0000-0001"}
        )

    retry = _post(client, token, idem, payload)

    assert retry.status_code == 201, retry.get_json()
    assert retry.get_json()["id"] == str(claim.object_id())
    assert Case._get_collection().count_documents({"_id": claim.object_id()}) == 1
    assert Case._get_collection().count_documents({"title": payload["title"]}) == 0
    # Done now: a further retry replays the answer.
    again = _post(client, token, idem, payload)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == str(claim.object_id())


def test_the_retry_files_the_case_the_cut_off_attempt_did_not_store(
    app: Flask, client: FlaskClient
) -> None:
    token, idem, payload = key(), uuid.uuid4().hex, case_payload()
    claim = _cut_off_first_attempt(app, token, idem, payload)

    retry = _post(client, token, idem, payload)

    assert retry.status_code == 201, retry.get_json()
    assert retry.get_json()["id"] == str(claim.object_id())
    assert Case._get_collection().count_documents({"title": payload["title"]}) == 1


def test_a_batchs_retry_names_the_same_cases(app: Flask, client: FlaskClient) -> None:
    token, idem = key(), uuid.uuid4().hex
    payload = {"cases": [case_payload(title=f"Kasus ke-{n} dari satu kiriman") for n in range(3)]}
    claim = _cut_off_first_attempt(app, token, idem, payload)
    # The cut-off attempt had stored the second case only.
    with app.app_context():
        Case._get_collection().insert_one(
            {"_id": claim.object_id(1), "tenant": "12.06", "tracking_code": "KEPT-0000-0000-0002"}
        )

    retry = _post(client, token, idem, payload, url="/v1/cases:batch")

    assert retry.status_code == 200, retry.get_json()
    ids = [result["id"] for result in retry.get_json()["results"]]
    assert ids == [str(claim.object_id(n)) for n in range(3)]
    assert len(set(ids)) == 3
    # Derived ids keep the request's time, so they sort with the cases filed beside them.
    assert {claim.object_id(n).generation_time for n in range(3)} == {claim.seed.generation_time}
