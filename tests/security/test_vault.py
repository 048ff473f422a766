"""The reporter vault: identities are sealed apart from the case, opened only by the roles that
may, every opening leaves an access-log entry, and a sealed record is bound to its case."""

from __future__ import annotations

import base64
import json
from typing import Any

import bson
import pytest
from bson import ObjectId
from flask import Flask
from flask.testing import FlaskClient

from services.intake.access.models import AccessLogEntry, ReporterRecord
from services.intake.access.vault import Vault, VaultError, new_key, parse_key
from services.intake.app import create_app
from services.intake.bootstrap import ensure_indexes
from shared import mongo
from shared.auth import ROLES
from shared.settings import Settings
from tests.security.support import KARO, REPORTER, SUMUT, auth, key, submit

REASON = {"reason": "klarifikasi keterangan pelapor oleh pemeriksa"}
# What must never be stored in the clear: the name, the phone as typed and as stored (E.164),
# the national number without its prefix, and the e-mail address.
SECRETS = (
    b"Siti Rahmawati",
    b"0812-6000-1234",
    b"+6281260001234",
    b"81260001234",
    b"siti.rahmawati@contoh.id",
)


@pytest.fixture
def app(settings: Settings) -> Flask:
    app = create_app(settings=settings)
    ensure_indexes()
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def keys_by_role(region_for: dict[str, str] | None = None) -> dict[str, str]:
    region_for = region_for or {}
    return {
        role: key(region_for.get(role, SUMUT if role in ("operator", "auditor") else KARO), role)
        for role in ROLES
    }


def reveal(client: FlaskClient, case_id: str, token: str) -> Any:
    return client.post(f"/v1/cases/{case_id}/reporter:reveal", json=REASON, headers=auth(token))


def test_only_the_reveal_roles_open_a_confidential_identity(client: FlaskClient) -> None:
    keys = keys_by_role()
    case = submit(client, keys["submitter"], reporter=REPORTER)
    for role in ROLES:
        answer = reveal(client, case["id"], keys[role])
        if role == "supervisor":
            assert answer.status_code == 200
            assert answer.get_json()["reporter"]["name"] == "Siti Rahmawati"
        else:
            # Officers see the pseudonym; auditors read the access log, not identities.
            assert answer.status_code == 403, (role, answer.get_json())
            assert "Siti" not in answer.get_data(as_text=True)
    # Refused attempts opened nothing, so only the supervisor's reveal is on record.
    assert AccessLogEntry.objects(case_id=case["id"]).count() == 1


def test_officer_may_open_an_identity_the_reporter_did_not_keep_confidential(
    client: FlaskClient,
) -> None:
    keys = keys_by_role()
    case = submit(client, keys["submitter"], reporter={**REPORTER, "confidential": False})
    assert reveal(client, case["id"], keys["officer"]).status_code == 200
    assert reveal(client, case["id"], keys["auditor"]).status_code == 403


def test_every_reveal_is_written_to_the_access_log(client: FlaskClient) -> None:
    keys = keys_by_role()
    case = submit(client, keys["submitter"], reporter=REPORTER)
    for _ in range(3):
        assert reveal(client, case["id"], keys["supervisor"]).status_code == 200
    entries = list(AccessLogEntry.objects(case_id=case["id"]))
    assert len(entries) == 3
    assert {e.action for e in entries} == {"reveal_reporter"}
    assert {e.actor_role for e in entries} == {"supervisor"}
    assert {e.reason for e in entries} == {REASON["reason"]}
    assert len({e.request_id for e in entries}) == 3  # one entry per request, none merged
    shown = client.get("/v1/access-log", headers=auth(keys["auditor"])).get_json()["items"]
    assert [i["case_id"] for i in shown if i["action"] == "reveal_reporter"] == [case["id"]] * 3


def test_no_clear_identity_anywhere_in_intake_storage(client: FlaskClient) -> None:
    keys = keys_by_role()
    case = submit(client, keys["submitter"], reporter=REPORTER)
    assert reveal(client, case["id"], keys["supervisor"]).status_code == 200
    db = mongo.database("intake")
    record = ReporterRecord._get_collection().find_one({"_id": ObjectId(case["id"])})
    assert record is not None
    raw_record = bson.encode(record)
    for secret in SECRETS:
        assert secret not in raw_record
    # Not in the case, its outbox events, idempotency replays or logs kept in the database
    # either, whatever their encoding (BSON, or JSON text of the events).
    for name in db.list_collection_names():
        for doc in db[name].find():
            raw = bson.encode(doc)
            text = json.dumps(doc, default=str).encode()
            for secret in SECRETS:
                assert secret not in raw, (name, secret)
                assert secret not in text, (name, secret)


def test_a_sealed_record_moved_to_another_case_does_not_open() -> None:
    vault = Vault(parse_key(new_key()))
    identity = {"name": "Siti Rahmawati", "phone": "+6281260001234"}
    case_a, case_b = str(ObjectId()), str(ObjectId())
    sealed = vault.seal(identity, case_a)
    assert vault.open(sealed, case_a) == identity
    with pytest.raises(VaultError):
        vault.open(sealed, case_b)
    tampered = {
        **sealed,
        "ciphertext": bytes([sealed["ciphertext"][0] ^ 1]) + sealed["ciphertext"][1:],
    }
    with pytest.raises(VaultError):
        vault.open(tampered, case_a)
    with pytest.raises(VaultError):
        Vault(parse_key(new_key())).open(sealed, case_a)
    # Two seals of one identity differ (fresh nonce): equal identities cannot be linked.
    assert vault.seal(identity, case_a)["ciphertext"] != sealed["ciphertext"]


def test_a_record_moved_in_the_database_is_refused_over_http(client: FlaskClient) -> None:
    keys = keys_by_role()
    first = submit(client, keys["submitter"], reporter=REPORTER)
    second = submit(client, keys["submitter"], reporter={**REPORTER, "name": "Budi Santoso"})
    records = ReporterRecord._get_collection()
    moved = records.find_one({"_id": ObjectId(first["id"])})
    assert moved is not None
    moved["_id"] = ObjectId(second["id"])
    records.replace_one({"_id": ObjectId(second["id"])}, moved)
    answer = reveal(client, second["id"], keys["supervisor"])
    assert answer.status_code == 500
    assert "Siti" not in answer.get_data(as_text=True)
    # A failed opening revealed nothing, so it is not logged as a reveal.
    assert AccessLogEntry.objects(case_id=second["id"]).count() == 0


def test_vault_key_must_be_32_bytes() -> None:
    with pytest.raises(VaultError):
        parse_key(base64.b64encode(b"short").decode())
    with pytest.raises(VaultError):
        parse_key("not base64!")
