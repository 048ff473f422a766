"""Intake's API on the real MongoDB: idempotency, batches, the vault, tracking, listing."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pydantic import SecretStr

from services.intake.access.keys import create_key
from services.intake.access.models import ReporterRecord
from services.intake.app import create_app
from services.intake.bootstrap import ensure_indexes
from services.intake.cases.models import Case
from shared.settings import Settings
from tests.support.builders import case_payload
from tests.support.concurrency import at_once
from tests.support.served import queries_on


@pytest.fixture
def app(settings: Settings) -> Flask:
    app = create_app(settings=settings.model_copy(update={"track_rate_per_minute": 5}))
    ensure_indexes()
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def key(region: str = "12.06", role: str = "submitter") -> str:
    return create_key(name=f"{role} {region}", region=region, role=role)[0]


def auth(token: str, **extra: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **extra}


# --- idempotency -------------------------------------------------------------------------------


def test_retry_with_same_key_replays_the_first_answer(client: FlaskClient) -> None:
    token, idem, payload = key(), str(uuid.uuid4()), case_payload()
    first = client.post("/v1/cases", json=payload, headers=auth(token, **{"Idempotency-Key": idem}))
    again = client.post("/v1/cases", json=payload, headers=auth(token, **{"Idempotency-Key": idem}))
    assert first.status_code == 201
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert Case._get_collection().count_documents({}) == 1


def test_same_key_with_another_body_is_refused(client: FlaskClient) -> None:
    token, idem = key(), str(uuid.uuid4())
    client.post("/v1/cases", json=case_payload(), headers=auth(token, **{"Idempotency-Key": idem}))
    other = client.post(
        "/v1/cases",
        json=case_payload(title="Laporan lain sama sekali"),
        headers=auth(token, **{"Idempotency-Key": idem}),
    )
    assert other.status_code == 422
    assert "different request body" in other.get_json()["detail"]
    assert Case._get_collection().count_documents({}) == 1


def test_refused_request_can_be_corrected_and_resent_with_the_same_key(client: FlaskClient) -> None:
    token, idem = key(), str(uuid.uuid4())
    bad = client.post(
        "/v1/cases", json=case_payload(title=""), headers=auth(token, **{"Idempotency-Key": idem})
    )
    assert bad.status_code == 422
    # A correction is a different body; the refused attempt left no claim behind.
    good = client.post(
        "/v1/cases", json=case_payload(), headers=auth(token, **{"Idempotency-Key": idem})
    )
    assert good.status_code == 201


def test_two_concurrent_copies_with_one_key_make_one_case(app: Flask) -> None:
    token, idem, payload = key(), str(uuid.uuid4()), case_payload()

    def send(client: FlaskClient) -> Any:
        return client.post(
            "/v1/cases", json=payload, headers=auth(token, **{"Idempotency-Key": idem})
        )

    answers = at_once(*(partial(send, app.test_client()) for _ in range(2)))
    assert sorted(a.status_code for a in answers) == [201, 201]
    assert answers[0].get_json()["id"] == answers[1].get_json()["id"]
    assert Case._get_collection().count_documents({}) == 1


def test_two_concurrent_copies_with_one_source_reference_make_one_case(app: Flask) -> None:
    token = key()
    payload = case_payload(source="monitoring", source_ref="burst-0001")

    def send(client: FlaskClient) -> Any:
        return client.post("/v1/cases", json=payload, headers=auth(token))

    answers = at_once(*(partial(send, app.test_client()) for _ in range(4)))
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 201]
    assert len({a.get_json()["id"] for a in answers}) == 1
    assert Case._get_collection().count_documents({}) == 1


def test_bad_idempotency_key_is_refused(client: FlaskClient) -> None:
    answer = client.post(
        "/v1/cases", json=case_payload(), headers=auth(key(), **{"Idempotency-Key": "x" * 300})
    )
    assert answer.status_code == 400


# --- batches -----------------------------------------------------------------------------------


def test_batch_reports_each_item(client: FlaskClient) -> None:
    token = key()
    items = [
        case_payload(source="monitoring", source_ref="b-1"),
        case_payload(source="monitoring", source_ref="b-1"),
        case_payload(title=""),
        case_payload(),
    ]
    answer = client.post("/v1/cases:batch", json={"cases": items}, headers=auth(token))
    assert answer.status_code == 200
    body = answer.get_json()
    assert [r["result"] for r in body["results"]] == ["created", "existing", "invalid", "created"]
    assert body["results"][2]["errors"][0]["field"] == "title"
    assert body["counts"] == {"created": 2, "existing": 1, "invalid": 1}
    assert Case._get_collection().count_documents({}) == 2


def test_oversized_batch_is_refused_whole(client: FlaskClient) -> None:
    answer = client.post(
        "/v1/cases:batch", json={"cases": [case_payload()] * 101}, headers=auth(key())
    )
    assert answer.status_code == 422
    assert Case._get_collection().count_documents({}) == 0
    shape = client.post("/v1/cases:batch", json=[case_payload()], headers=auth(key()))
    assert shape.status_code == 422


# --- the reporter vault ------------------------------------------------------------------------

REPORTER = {
    "name": "Siti Rahmawati",
    "phone": "0812-6000-1234",
    "email": "siti@contoh.id",
    "anonymous": False,
}


def test_identity_is_sealed_apart_and_shown_as_pseudonym(client: FlaskClient) -> None:
    token = key()
    created = client.post(
        "/v1/cases", json=case_payload(reporter=REPORTER), headers=auth(token)
    ).get_json()
    case = Case._get_collection().find_one({"tracking_code": created["tracking_code"]})
    assert case is not None
    assert "Siti" not in str(case)
    assert case["reporter"]["pseudonym"].startswith("Pelapor-")
    sealed = ReporterRecord._get_collection().find_one({"_id": case["_id"]})
    assert sealed is not None
    assert b"Siti" not in bytes(sealed["ciphertext"])
    officer = client.get(f"/v1/cases/{created['id']}", headers=auth(key(role="officer"))).get_json()
    assert officer["reporter"]["pseudonym"] == case["reporter"]["pseudonym"]
    assert "Siti" not in str(officer)


def test_reveal_needs_the_role_and_a_reason_and_is_logged(client: FlaskClient) -> None:
    created = client.post(
        "/v1/cases", json=case_payload(reporter=REPORTER), headers=auth(key())
    ).get_json()
    url = f"/v1/cases/{created['id']}/reporter:reveal"
    officer = client.post(
        url, json={"reason": "perlu konfirmasi saksi"}, headers=auth(key(role="officer"))
    )
    assert officer.status_code == 403
    supervisor = key(role="supervisor")
    no_reason = client.post(url, json={"reason": "x"}, headers=auth(supervisor))
    assert no_reason.status_code == 422
    revealed = client.post(
        url, json={"reason": "klarifikasi kepada pelapor"}, headers=auth(supervisor)
    )
    assert revealed.status_code == 200
    assert revealed.get_json()["reporter"] == {
        "name": "Siti Rahmawati",
        "phone": "+6281260001234",
        "email": "siti@contoh.id",
    }
    other = client.post(
        url, json={"reason": "klarifikasi kepada pelapor"}, headers=auth(key("17.71", "supervisor"))
    )
    assert other.status_code == 404
    log = client.get("/v1/access-log", headers=auth(key(role="auditor"))).get_json()["items"]
    assert len(log) == 1
    assert log[0]["case_id"] == created["id"]
    assert log[0]["reason"] == "klarifikasi kepada pelapor"
    assert log[0]["actor"]["role"] == "supervisor"


def test_anonymous_report_has_nothing_to_reveal(client: FlaskClient) -> None:
    created = client.post("/v1/cases", json=case_payload(), headers=auth(key())).get_json()
    answer = client.post(
        f"/v1/cases/{created['id']}/reporter:reveal",
        json={"reason": "klarifikasi kepada pelapor"},
        headers=auth(key(role="supervisor")),
    )
    assert answer.status_code == 404
    assert ReporterRecord._get_collection().count_documents({}) == 0


def test_without_vault_key_identities_are_refused_not_stored_plain(settings: Settings) -> None:
    app = create_app(settings=settings.model_copy(update={"vault_key": SecretStr("")}))
    client = app.test_client()
    answer = client.post("/v1/cases", json=case_payload(reporter=REPORTER), headers=auth(key()))
    assert answer.status_code == 503
    assert Case._get_collection().count_documents({}) == 0
    assert client.post("/v1/cases", json=case_payload(), headers=auth(key())).status_code == 201


# --- tracking ----------------------------------------------------------------------------------


def test_tracking_answers_in_bahasa_without_people(client: FlaskClient) -> None:
    created = client.post(
        "/v1/cases", json=case_payload(reporter=REPORTER), headers=auth(key())
    ).get_json()
    code = created["tracking_code"]
    answer = client.get(f"/v1/track/{code.lower().replace('-', ' ')}")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["tracking_code"] == code
    assert "diterima" in body["keterangan"]
    text = str(body)
    for person in ("Siti", "Rudi", "Pelapor-"):
        assert person not in text


def test_tracking_is_rate_limited_per_client(client: FlaskClient) -> None:
    statuses = [client.get("/v1/track/AAAA-BBBB-CCCC-DDDD").status_code for _ in range(7)]
    assert statuses[:5] == [404] * 5
    assert statuses[5:] == [429, 429]
    limited = client.get("/v1/track/AAAA-BBBB-CCCC-DDDD")
    assert int(limited.headers["Retry-After"]) >= 1


# --- listing -----------------------------------------------------------------------------------


def test_listing_pages_with_a_cursor_inside_the_tenant(client: FlaskClient) -> None:
    karo, bengkulu = key(), key("17.71")
    for i in range(5):
        client.post(
            "/v1/cases",
            json=case_payload(source="monitoring", source_ref=f"l-{i}"),
            headers=auth(karo),
        )
    client.post("/v1/cases", json=case_payload(), headers=auth(bengkulu))
    reader = key(role="officer")
    first = client.get("/v1/cases?limit=2", headers=auth(reader)).get_json()
    assert len(first["items"]) == 2
    seen = [c["id"] for c in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(f"/v1/cases?limit=2&cursor={cursor}", headers=auth(reader)).get_json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 5
    assert all(c["tenant"] == "12.06" for c in first["items"])
    province = client.get("/v1/cases?limit=200", headers=auth(key("17", "operator"))).get_json()
    assert [c["tenant"] for c in province["items"]] == ["17.71"]


def test_listing_filters_and_bad_filters(client: FlaskClient) -> None:
    token = key()
    client.post("/v1/cases", json=case_payload(source="monitoring"), headers=auth(token))
    client.post("/v1/cases", json=case_payload(source="internal"), headers=auth(token))
    reader = key(role="officer")
    only = client.get("/v1/cases?source=internal", headers=auth(reader)).get_json()["items"]
    assert [c["source"] for c in only] == ["internal"]
    assert client.get("/v1/cases?limit=500", headers=auth(reader)).status_code == 422
    assert client.get("/v1/cases?colour=red", headers=auth(reader)).status_code == 422
    assert client.get("/v1/cases?cursor=%%%", headers=auth(reader)).status_code == 422
    since = client.get("/v1/cases?updated_since=2099-01-01T00:00:00Z", headers=auth(reader))
    assert since.get_json()["items"] == []


def test_submissions_are_rate_limited_per_key(settings: Settings) -> None:
    app = create_app(settings=settings.model_copy(update={"submit_rate_per_minute": 3}))
    client = app.test_client()
    token = key()
    statuses = [
        client.post("/v1/cases", json=case_payload(), headers=auth(token)).status_code
        for _ in range(4)
    ]
    assert statuses == [201, 201, 201, 429]
    assert Case._get_collection().count_documents({}) == 3
    assert client.post("/v1/cases", json=case_payload(), headers=auth(key())).status_code == 201


# --- keys --------------------------------------------------------------------------------------


def test_operator_creates_lists_and_revokes_keys(client: FlaskClient) -> None:
    operator = key("64", "operator")
    made = client.post(
        "/v1/keys",
        json={"name": "Diskominfo Kutai Timur", "region": "64.08", "role": "submitter"},
        headers=auth(operator),
    )
    assert made.status_code == 201
    token = made.get_json()["key"]
    assert client.post("/v1/cases", json=case_payload(), headers=auth(token)).status_code == 201
    listed = client.get("/v1/keys", headers=auth(operator)).get_json()["items"]
    assert made.get_json()["prefix"] in {k["prefix"] for k in listed}
    assert all("key" not in k and "secret_hash" not in k for k in listed)
    gone = client.delete(f"/v1/keys/{made.get_json()['prefix']}", headers=auth(operator))
    assert gone.status_code == 204
    # Revoked means refused at the very next request.
    assert client.post("/v1/cases", json=case_payload(), headers=auth(token)).status_code == 401


def test_keys_stay_inside_the_operators_province(client: FlaskClient) -> None:
    operator = key("64", "operator")
    outside = client.post(
        "/v1/keys",
        json={"name": "x", "region": "12.06", "role": "submitter"},
        headers=auth(operator),
    )
    assert outside.status_code == 422
    karo = create_key(name="Karo", region="12.06", role="submitter")[1]
    assert client.delete(f"/v1/keys/{karo.prefix}", headers=auth(operator)).status_code == 404
    assert (
        client.post(
            "/v1/keys",
            json={"name": "x", "region": "64.08", "role": "submitter"},
            headers=auth(key()),
        ).status_code
        == 403
    )


def test_a_reference_is_checked_by_the_insert_itself_not_by_a_query_before_it(
    client: FlaskClient, settings: Settings
) -> None:
    token = key()
    first = client.post("/v1/cases", json=case_payload(source_ref="ref-1"), headers=auth(token))
    assert first.status_code == 201
    before = queries_on(settings, Case._get_collection())
    second = client.post("/v1/cases", json=case_payload(source_ref="ref-2"), headers=auth(token))
    assert second.status_code == 201
    assert queries_on(settings, Case._get_collection()) == before
    # A copy is still answered with the case its reference names.
    again = client.post("/v1/cases", json=case_payload(source_ref="ref-2"), headers=auth(token))
    assert again.status_code == 200
    assert again.get_json()["id"] == second.get_json()["id"]
