"""The public pages' doors into intake on the real MongoDB: a citizen's report with its
evidence, a reporter's answer by tracking code, the citizen's address in the limits, and the
OpenAPI description of both."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId
from flask import Flask
from flask.testing import FlaskClient
from gridfs import GridFSBucket
from PIL import Image
from werkzeug.test import TestResponse

from services.intake.access.keys import create_key
from services.intake.access.models import ReporterRecord
from services.intake.actions.audit_models import AuditEntry
from services.intake.app import create_app
from services.intake.bootstrap import ensure_indexes
from services.intake.cases.models import Case
from services.intake.directory import officers as directory
from services.intake.directory.schema import OfficerCreate
from services.intake.public.client import CLIENT_HEADER
from shared import mongo
from shared.client_stand_ins import is_stand_in
from shared.contracts import Envelope, Event, ReceiptRequested, decode
from shared.sealed_contacts import Contact, ContactSeal, parse_key
from shared.settings import Settings
from tests.integration.test_intake_evidence import PDF, photo_with_gps
from tests.support.openapi_check import Checker, served_document

GPS_IFD = 0x8825
# Citizens as the public pages name them: the stand-ins of their addresses.
CITIZEN = "6deb4e8ddeeea83e66d869dd93f9ecb8"
ANOTHER_CITIZEN = "0f6a0e3c5b1d4e2f8a9b7c6d5e4f3a2b"


@pytest.fixture
def app(settings: Settings) -> Flask:
    limits = {"public_reports_per_address": 6, "track_rate_per_minute": 40}
    app = create_app(settings=settings.model_copy(update=limits))
    ensure_indexes()
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def public_key() -> str:
    return create_key(name="Halaman publik", region="12", role="public")[0]


def report(**overrides: Any) -> dict[str, Any]:
    """A citizen's report as the public pages send it: confidential, about a camat."""
    today = datetime.now(UTC).date()
    body: dict[str, Any] = {
        "region_code": "12.06",
        "description": "Camat Kabanjahe memakai mobil dinas plat merah untuk mengantar tim "
        "pemenangan paslon nomor 2 ke rapat umum di lapangan Samura.",
        "occurred_on": (today - timedelta(days=3)).isoformat(),
        "known_on": (today - timedelta(days=2)).isoformat(),
        "location": {"text": "Lapangan Samura, Kabanjahe"},
        "people": [{"agency": "Kantor Camat Kabanjahe", "position": "Camat"}],
        "evidence_urls": [],
        "reporter": {
            "anonymous": False,
            "name": "Siti Rahmawati",
            "phone": "0812-6000-1234",
            "email": "siti.rahmawati@contoh.id",
        },
    }
    body.update(overrides)
    return body


def send(
    client: FlaskClient,
    token: str,
    body: dict[str, Any],
    files: list[tuple[bytes, str, str]] = (),  # type: ignore[assignment]
    *,
    key: str | None = None,
    address: str = CITIZEN,
    path: str = "/v1/public/reports",
    part: str = "report",
) -> TestResponse:
    data: dict[str, Any] = {part: json.dumps(body)}
    if files:
        data["file"] = [(io.BytesIO(content), name, kind) for content, name, kind in files]
    headers = {"Authorization": f"Bearer {token}", CLIENT_HEADER: address}
    headers["Idempotency-Key"] = key or uuid.uuid4().hex
    return client.post(path, data=data, headers=headers, content_type="multipart/form-data")


def stored(case_id: str) -> dict[str, Any]:
    doc: dict[str, Any] | None = Case._get_collection().find_one({"_id": ObjectId(case_id)})
    assert doc is not None
    return doc


def outbox(case_id: str) -> list[tuple[Envelope, Event]]:
    return [decode(e["body"].encode()) for e in stored(case_id).get("outbox", [])]


def staff(role: str = "supervisor") -> dict[str, str]:
    token = create_key(name=f"{role} karo", region="12.06", role=role)[0]
    return {"Authorization": f"Bearer {token}"}


# --- reports ---------------------------------------------------------------------------------


def test_a_confidential_report_keeps_its_photo_cleaned_and_its_reporter_sealed(
    client: FlaskClient, public_key: str, settings: Settings
) -> None:
    # A file name can name its sender as surely as the form's name box.
    named_file = (photo_with_gps(), "foto_Siti_Rahmawati.jpg", "image/jpeg")
    answer = send(client, public_key, report(), [named_file])
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert body["created"] is True
    assert body["receipt"] is True
    assert body["files"] == 1
    doc = stored(body["id"])
    assert (doc["source"], doc["status"], doc["unverified"]) == ("public", "received", True)
    assert doc["accused"][0]["name"] == ""
    assert doc["accused"][0]["agency"] == "Kantor Camat Kabanjahe"
    assert doc["reporter"]["anonymous"] is False
    assert doc["reporter"]["pseudonym"].startswith("Pelapor-")
    assert doc["timeline"][0]["actor"] == "Pelapor"
    entry = doc["evidence"][0]
    assert entry["metadata_removed"] is True
    assert entry["filename"] == "bukti-1.jpg"
    stored_file = GridFSBucket(mongo.database("intake"), "evidence").open_download_stream(
        ObjectId(entry["id"])
    )
    assert stored_file.filename == "bukti-1.jpg"
    with Image.open(io.BytesIO(stored_file.read())) as image:
        assert not image.getexif().get_ifd(GPS_IFD)
        assert 0x010F not in image.getexif()
    # The identity is only in the vault; the case holds no copy of it, not even in the
    # receipt its outbox carries to notify (and so to the replication log and the queues).
    assert ReporterRecord._get_collection().count_documents({"_id": doc["_id"]}) == 1
    stored_text = json.dumps(doc, default=str)
    assert "Siti" not in stored_text
    assert "siti.rahmawati" not in stored_text
    # The phone in any spelling (a bare "6000" also turns up in stored timestamps).
    assert "6000-1234" not in stored_text
    assert "60001234" not in stored_text
    types = {envelope.type: event for envelope, event in outbox(body["id"])}
    receipt = types["case.receipt_requested"]
    assert isinstance(receipt, ReceiptRequested)
    assert receipt.contact is not None
    seal = ContactSeal(parse_key(settings.receipt_key.get_secret_value()))
    assert seal.open(receipt.contact, body["id"]) == Contact(
        email="siti.rahmawati@contoh.id", phone="+6281260001234"
    )
    assert types["case.submitted"].source == "public"  # type: ignore[attr-defined]


def test_an_anonymous_report_keeps_nothing_of_the_reporter(
    client: FlaskClient, public_key: str
) -> None:
    answer = send(client, public_key, report(reporter={"anonymous": True}))
    assert answer.status_code == 201, answer.get_json()
    doc = stored(answer.get_json()["id"])
    assert doc["reporter"] == {"anonymous": True, "confidential": True, "pseudonym": None}
    assert answer.get_json()["receipt"] is False
    assert ReporterRecord._get_collection().count_documents({"_id": doc["_id"]}) == 0
    assert [e.type for e, _ in outbox(str(doc["_id"]))] == ["case.submitted"]

    named = send(client, public_key, report(reporter={"anonymous": True, "name": "Siti"}))
    assert named.status_code == 422
    assert named.get_json()["errors"][0]["field"] == "reporter"


def test_a_report_sent_twice_with_one_key_is_filed_once(
    client: FlaskClient, public_key: str
) -> None:
    key = uuid.uuid4().hex
    first = send(client, public_key, report(), key=key)
    again = send(client, public_key, report(), key=key)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["tracking_code"] == first.get_json()["tracking_code"]
    assert Case._get_collection().count_documents({"source": "public"}) == 1


def test_a_refused_file_stores_nothing_at_all(client: FlaskClient, public_key: str) -> None:
    files = [
        (PDF, "surat.pdf", "application/pdf"),
        (b"MZ\x90\x00 not evidence", "setup.exe", "application/octet-stream"),
    ]
    answer = send(client, public_key, report(), files)
    assert answer.status_code == 415
    assert answer.get_json()["errors"][0]["field"] == "file[1]"
    assert Case._get_collection().count_documents({}) == 0
    assert mongo.database("intake")["evidence.files"].count_documents({}) == 0


def test_fields_are_named_when_refused_and_only_served_regencies_are_taken(
    client: FlaskClient, public_key: str
) -> None:
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    answer = send(
        client,
        public_key,
        report(
            region_code="12.07",
            description="pendek",
            occurred_on=tomorrow,
            people=[{}],
            reporter={"anonymous": False, "name": "Siti"},
        ),
    )
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.get_json()["errors"]}
    assert {"region_code", "description", "people[0]", "reporter"} <= fields
    assert Case._get_collection().count_documents({}) == 0


def test_only_the_public_key_files_and_the_address_it_names_is_counted(
    client: FlaskClient, public_key: str
) -> None:
    submitter = create_key(name="Diskominfo Karo", region="12.06", role="submitter")[0]
    assert send(client, submitter, report()).status_code == 403
    for _ in range(6):
        assert send(client, public_key, report(), address=CITIZEN).status_code == 201
    refused = send(client, public_key, report(), address=CITIZEN)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert send(client, public_key, report(), address=ANOTHER_CITIZEN).status_code == 201


def test_track_counts_the_citizen_only_when_the_public_key_names_them(
    client: FlaskClient, public_key: str
) -> None:
    headers = {"Authorization": f"Bearer {public_key}", CLIENT_HEADER: CITIZEN}
    answers = [client.get("/v1/track/AAAA-BBBB-CCCC-DDDD", headers=headers) for _ in range(45)]
    assert answers[0].status_code == 404
    assert answers[-1].status_code == 429
    # Another citizen is not held back by the first one's guessing.
    other = {"Authorization": f"Bearer {public_key}", CLIENT_HEADER: ANOTHER_CITIZEN}
    assert client.get("/v1/track/AAAA-BBBB-CCCC-DDDD", headers=other).status_code == 404
    # Without the public key the header names nothing: a caller naming a new citizen each
    # time is still counted under its own address.
    forged = [
        client.get("/v1/track/AAAA-BBBB-CCCC-DDDD", headers={CLIENT_HEADER: f"{i:032x}"})
        for i in range(45)
    ]
    assert forged[0].status_code == 404
    assert forged[-1].status_code == 429


def test_the_limits_store_stand_ins_never_an_address(client: FlaskClient, public_key: str) -> None:
    """An address named where a stand-in belongs is not taken, and a caller's own address is
    counted by its stand-in: the limits' windows hold no address at all."""
    raw = {"Authorization": f"Bearer {public_key}", CLIENT_HEADER: "203.0.113.7"}
    assert client.get("/v1/track/AAAA-BBBB-CCCC-DDDD", headers=raw).status_code == 404
    assert client.get("/v1/track/AAAA-BBBB-CCCC-DDDD").status_code == 404  # no key at all
    named = {"Authorization": f"Bearer {public_key}", CLIENT_HEADER: CITIZEN}
    assert client.get("/v1/track/AAAA-BBBB-CCCC-DDDD", headers=named).status_code == 404
    windows = [str(w["_id"]) for w in mongo.database("intake")["rate_limits"].find()]
    senders = {w.split(":")[1] for w in windows if w.startswith("track:")}
    assert CITIZEN in senders
    assert len(senders) == 2  # the citizen, and the caller's own address (both times)
    assert all(is_stand_in(s) for s in senders), senders
    assert not [w for w in windows if "203.0.113.7" in w or "127.0.0.1" in w], windows


def test_a_wrong_code_and_a_malformed_one_answer_alike(
    client: FlaskClient, public_key: str
) -> None:
    headers = {"Authorization": f"Bearer {public_key}", CLIENT_HEADER: CITIZEN}
    unknown = client.get("/v1/track/AAAA-BBBB-CCCC-DDDD", headers=headers)
    malformed = client.get("/v1/track/hello", headers=headers)
    assert unknown.status_code == malformed.status_code == 404
    assert unknown.get_json()["detail"] == malformed.get_json()["detail"]


# --- answers ---------------------------------------------------------------------------------


def assigned_case(client: FlaskClient, public_key: str) -> dict[str, Any]:
    """A citizen's report assigned to an officer of the directory, who asked a question."""
    directory.create(
        OfficerCreate.model_validate(
            {
                "officer_id": "karo-insp-9",
                "region": "12.06",
                "unit": "INSPEKTORAT",
                "name": "Rehulina Sembiring",
                "email": "rehulina@karo.example",
            }
        ),
        actor={"name": "test"},
    )
    filed: dict[str, Any] = send(client, public_key, report()).get_json()
    Case._get_collection().update_one(
        {"_id": ObjectId(filed["id"])},
        {
            "$set": {
                "triage.assignee": {"officer_id": "karo-insp-9", "name": "Rehulina Sembiring"},
                "triage.category": "FASILITAS",
                "triage.priority": "high",
            }
        },
    )
    asked = client.post(
        f"/v1/cases/{filed['id']}/information-requests",
        json={"version": 1, "question": "Kapan tepatnya mobil itu terlihat? Ada foto platnya?"},
        headers=staff(),
    )
    assert asked.status_code == 200, asked.get_json()
    assert asked.get_json()["status"] == "awaiting_info"
    return filed


def test_the_reporters_answer_resumes_the_case_and_alerts_its_officer(
    client: FlaskClient, public_key: str
) -> None:
    filed = assigned_case(client, public_key)
    code = filed["tracking_code"]
    headers = {"Authorization": f"Bearer {public_key}", CLIENT_HEADER: CITIZEN}
    waiting = client.get(f"/v1/track/{code}", headers=headers).get_json()
    assert waiting["menunggu_jawaban"] is True
    assert waiting["pesan"][-1]["jenis"] == "pertanyaan"

    answer = send(
        client,
        public_key,
        {"text": "Sekitar pukul 10 pagi, foto plat terlampir."},
        [(photo_with_gps(), "plat.jpg", "image/jpeg")],
        path=f"/v1/track/{code.lower()}/answer",
        part="answer",
    )
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json() == {"tracking_code": code, "status": "received", "files": 1}

    doc = stored(filed["id"])
    assert doc["status"] == "received"
    line = doc["timeline"][-1]
    assert (line["kind"], line["actor"]) == ("information_received", "Pelapor")
    assert line["text"] == "Sekitar pukul 10 pagi, foto plat terlampir."
    assert doc["evidence"][-1]["uploaded_by"]["name"] == "Pelapor"
    # Numbered after the report's own files; "plat.jpg" is kept nowhere.
    assert doc["evidence"][-1]["filename"] == f"bukti-{len(doc['evidence'])}.jpg"
    assert "plat.jpg" not in json.dumps(doc, default=str)
    trail = list(AuditEntry._get_collection().find({"case_id": filed["id"]}).sort("seq", 1))
    assert trail[-1]["actor"]["name"] == "Pelapor"
    assert trail[-1]["actor"]["role"] == "public"
    events = {envelope.type: event for envelope, event in outbox(filed["id"])}
    moved = events["case.status_changed"]
    assert (moved.from_status, moved.to_status) == ("awaiting_info", "received")  # type: ignore[attr-defined]
    alert = events["case.information_received"]
    assert alert.recipient.officer_id == "karo-insp-9"  # type: ignore[attr-defined]
    assert alert.officer_id == "karo-insp-9"  # type: ignore[attr-defined]
    assert alert.files == 1  # type: ignore[attr-defined]
    assert "case.updated" in events

    followed = client.get(f"/v1/track/{code}", headers=headers).get_json()
    assert followed["menunggu_jawaban"] is False
    assert [m["dari"] for m in followed["pesan"]] == ["petugas", "pelapor"]
    assert [s["status"] for s in followed["tahapan"]] == ["received", "awaiting_info", "received"]
    assert "Rehulina" not in json.dumps(followed)

    again = send(
        client,
        public_key,
        {"text": "Tambahan lagi."},
        path=f"/v1/track/{code}/answer",
        part="answer",
    )
    assert again.status_code == 409
    assert again.get_json()["reason"] == "no_question"


def test_an_answer_needs_a_real_code_and_the_public_key(
    client: FlaskClient, public_key: str
) -> None:
    filed = assigned_case(client, public_key)
    unknown = send(
        client,
        public_key,
        {"text": "x"},
        path="/v1/track/AAAA-BBBB-CCCC-DDDD/answer",
        part="answer",
    )
    assert unknown.status_code == 404
    officer = create_key(name="officer", region="12.06", role="officer")[0]
    refused = send(
        client,
        officer,
        {"text": "x"},
        path=f"/v1/track/{filed['tracking_code']}/answer",
        part="answer",
    )
    assert refused.status_code == 403
    assert stored(filed["id"])["status"] == "awaiting_info"


def test_verifying_a_citizens_report_clears_its_unverified_mark(
    client: FlaskClient, public_key: str
) -> None:
    filed = send(client, public_key, report()).get_json()
    done = client.post(
        f"/v1/cases/{filed['id']}/status",
        json={"version": 1, "status": "verified"},
        headers=staff(),
    )
    assert done.status_code == 200, done.get_json()
    assert "unverified" not in stored(filed["id"])


# --- the description -------------------------------------------------------------------------


def test_the_public_routes_answer_as_documented(client: FlaskClient, public_key: str) -> None:
    checker = Checker(served_document(client.application))
    created = send(client, public_key, report())
    checker.check("/v1/public/reports", "post", created)
    checker.check("/v1/public/reports", "post", send(client, public_key, report(description="")))
    submitter = create_key(name="s", region="12.06", role="submitter")[0]
    checker.check("/v1/public/reports", "post", send(client, submitter, report()))
    code = created.get_json()["tracking_code"]
    answer_path = "/v1/track/{code}/answer"
    checker.check(
        answer_path,
        "post",
        send(client, public_key, {"text": "x"}, path=f"/v1/track/{code}/answer", part="answer"),
    )
    checker.check(
        answer_path,
        "post",
        send(client, public_key, {"text": "x"}, path="/v1/track/XXXX/answer", part="answer"),
    )
    headers = {"Authorization": f"Bearer {public_key}", CLIENT_HEADER: CITIZEN}
    checker.check("/v1/track/{code}", "get", client.get(f"/v1/track/{code}", headers=headers))
    operation = checker.doc["paths"]["/v1/public/reports"]["post"]
    assert {p["name"] for p in operation["parameters"]} == {"Idempotency-Key", CLIENT_HEADER}


@pytest.mark.parametrize("depth", [33, 20_000])
def test_a_report_part_nested_too_deep_is_a_400_and_stores_nothing(
    client: FlaskClient, public_key: str, depth: int
) -> None:
    """The report travels as a multipart part, read apart from the JSON body reader; it
    once went to the parser unguarded, where deep enough nesting raised into a 500."""
    nested = "[" * depth + "]" * depth
    answer = client.post(
        "/v1/public/reports",
        data={"report": nested},
        headers={
            "Authorization": f"Bearer {public_key}",
            CLIENT_HEADER: CITIZEN,
            "Idempotency-Key": uuid.uuid4().hex,
        },
        content_type="multipart/form-data",
    )
    assert answer.status_code == 400
    assert answer.content_type == "application/problem+json"
    assert "levels deep" in answer.get_json()["detail"]
    assert Case._get_collection().count_documents({}) == 0
