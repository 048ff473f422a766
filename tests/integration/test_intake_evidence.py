"""Evidence uploads on the real MongoDB: cleaned, hashed, stored in GridFS, served back."""

from __future__ import annotations

import base64
import hashlib
import io
from typing import Any

import pytest
from bson import ObjectId
from flask.testing import FlaskClient
from gridfs import GridFSBucket
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from werkzeug.test import TestResponse

from services.intake.access.keys import create_key
from services.intake.access.models import AccessLogEntry
from services.intake.app import create_app
from services.intake.bootstrap import ensure_indexes
from services.intake.cases.models import Case
from shared import mongo
from shared.contracts import CaseUpdated, decode
from shared.settings import Settings
from tests.support.builders import case_payload

GPS_IFD = 0x8825
PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)


def photo_with_gps() -> bytes:
    """A phone photo taken upright (orientation 6) in Kabanjahe, with make and model."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    ImageDraw.Draw(image).rectangle((0, 0, 9, 9), fill=(0, 0, 255))
    exif = Image.Exif()
    exif[0x010F] = "Samsung"
    exif[0x0110] = "SM-A125F"
    exif[0x0112] = 6
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (3.0, 6.0, 11.5), 3: "E", 4: (98.0, 30.0, 2.25)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=95)
    return out.getvalue()


def screenshot_with_text() -> bytes:
    info = PngInfo()
    info.add_text("Author", "Siti Rahayu")
    info.add_itxt("Description", "Tangkapan layar grup WA pemenangan, Berastagi")
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (240, 240, 240)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


@pytest.fixture
def app_settings(settings: Settings) -> Settings:
    return settings


@pytest.fixture
def client(app_settings: Settings) -> FlaskClient:
    app = create_app(settings=app_settings)
    ensure_indexes()
    return app.test_client()


def key(region: str, role: str) -> dict[str, str]:
    token = create_key(name=f"{role} {region}", region=region, role=role)[0]
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def karo_submitter(client: FlaskClient) -> dict[str, str]:
    return key("12.06", "submitter")


@pytest.fixture
def karo_officer(client: FlaskClient) -> dict[str, str]:
    return key("12.06", "officer")


@pytest.fixture
def case_id(client: FlaskClient, karo_submitter: dict[str, str]) -> str:
    answer = client.post("/v1/cases", json=case_payload(), headers=karo_submitter)
    assert answer.status_code == 201, answer.get_json()
    return str(answer.get_json()["id"])


def upload(
    client: FlaskClient, case_id: str, headers: dict[str, str], *files: tuple[bytes, str, str]
) -> TestResponse:
    data = {"file": [(io.BytesIO(body), name, ctype) for body, name, ctype in files]}
    return client.post(
        f"/v1/cases/{case_id}/evidence",
        data=data,
        headers=headers,
        content_type="multipart/form-data",
    )


def stored_case(case_id: str) -> dict[str, Any]:
    doc: dict[str, Any] | None = Case._get_collection().find_one({"_id": ObjectId(case_id)})
    assert doc is not None
    return doc


def gridfs_count() -> int:
    return int(mongo.database("intake")["evidence.files"].count_documents({}))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_photo_is_stored_without_exif_gps_and_hashes_hold(
    client: FlaskClient,
    case_id: str,
    karo_submitter: dict[str, str],
    karo_officer: dict[str, str],
) -> None:
    original = photo_with_gps()
    answer = upload(client, case_id, karo_submitter, (original, "IMG_20241120.jpg", "image/jpeg"))
    assert answer.status_code == 201, answer.get_json()
    [item] = answer.get_json()["items"]
    assert item["created"] is True
    assert item["content_type"] == "image/jpeg"
    assert item["metadata_removed"] is True
    assert item["original_sha256"] == sha256(original)
    assert item["original_size"] == len(original)
    assert item["sha256"] != item["original_sha256"]
    assert item["uploaded_by"]["name"] == "submitter 12.06"
    assert item["uploaded_by"]["key_prefix"]

    content = client.get(item["links"]["content"], headers=karo_officer)
    assert content.status_code == 200
    downloaded = content.get_data()
    assert sha256(downloaded) == item["sha256"]
    assert len(downloaded) == item["size"]
    expected_digest = base64.b64encode(bytes.fromhex(item["sha256"])).decode()
    assert content.headers["Repr-Digest"] == f"sha-256=:{expected_digest}:"
    assert content.headers["Content-Disposition"].startswith("attachment;")
    picture = Image.open(io.BytesIO(downloaded))
    assert dict(picture.getexif()) == {}
    assert "exif" not in picture.info
    assert b"Samsung" not in downloaded
    assert b"Exif" not in downloaded
    assert picture.size == (48, 64)  # turned upright before the orientation tag went

    # What is in GridFS is exactly what the entry describes.
    stored = GridFSBucket(mongo.database("intake"), "evidence").open_download_stream_by_name(
        "IMG_20241120.jpg"
    )
    assert sha256(stored.read()) == item["sha256"]
    assert stored.metadata is not None
    assert stored.metadata["tenant"] == "12.06"
    assert stored.metadata["case_id"] == case_id


def test_upload_records_timeline_and_case_updated_event_in_the_same_write(
    client: FlaskClient, case_id: str, karo_submitter: dict[str, str]
) -> None:
    answer = upload(client, case_id, karo_submitter, (PDF, "surat.pdf", "application/pdf"))
    assert answer.status_code == 201
    doc = stored_case(case_id)
    assert [e["kind"] for e in doc["timeline"]][-1] == "evidence_added"
    assert doc["timeline"][-1]["evidence_ids"] == [answer.get_json()["items"][0]["id"]]
    updated = [e for e in doc["outbox"] if e["type"] == "case.updated"]
    assert len(updated) == 1
    envelope, event = decode(updated[0]["body"].encode())
    assert isinstance(event, CaseUpdated)
    assert event.changed == ["evidence"]
    assert event.case_id == case_id
    assert envelope.tenant == "12.06"
    assert doc["outbox_pending"] is True


def test_png_text_chunks_are_stripped(
    client: FlaskClient, case_id: str, karo_submitter: dict[str, str], karo_officer: dict[str, str]
) -> None:
    original = screenshot_with_text()
    answer = upload(client, case_id, karo_submitter, (original, "layar.png", "image/png"))
    assert answer.status_code == 201
    item = answer.get_json()["items"][0]
    downloaded = client.get(item["links"]["content"], headers=karo_officer).get_data()
    assert Image.open(io.BytesIO(downloaded)).text == {}  # type: ignore[attr-defined]
    for secret in (b"Siti", b"tEXt", b"iTXt"):
        assert secret not in downloaded
    assert b"Siti" in original


def test_pdf_is_accepted_as_it_is(
    client: FlaskClient, case_id: str, karo_submitter: dict[str, str], karo_officer: dict[str, str]
) -> None:
    # The client's type is wrong and its name says Word: the bytes decide.
    answer = upload(client, case_id, karo_submitter, (PDF, "laporan.docx", "application/msword"))
    assert answer.status_code == 201
    item = answer.get_json()["items"][0]
    assert item["content_type"] == "application/pdf"
    assert item["declared_content_type"] == "application/msword"
    assert item["filename"] == "laporan.docx.pdf"
    assert item["sha256"] == item["original_sha256"] == sha256(PDF)
    assert item["metadata_removed"] is False
    content = client.get(item["links"]["content"], headers=karo_officer)
    assert content.get_data() == PDF
    assert content.mimetype == "application/pdf"


def test_binary_junk_is_refused_with_415(
    client: FlaskClient, case_id: str, karo_submitter: dict[str, str]
) -> None:
    junk = bytes(range(256)) * 8
    answer = upload(client, case_id, karo_submitter, (junk, "foto.jpg", "image/jpeg"))
    assert answer.status_code == 415
    assert answer.mimetype == "application/problem+json"
    body = answer.get_json()
    assert "not of a type Pantau accepts" in body["detail"]
    assert body["errors"][0]["filename"] == "foto.jpg"
    assert gridfs_count() == 0
    assert "evidence" not in stored_case(case_id)


def test_nothing_is_stored_when_one_file_of_a_request_is_refused(
    client: FlaskClient, case_id: str, karo_submitter: dict[str, str]
) -> None:
    answer = upload(
        client,
        case_id,
        karo_submitter,
        (photo_with_gps(), "a.jpg", "image/jpeg"),
        (PDF, "b.pdf", "application/pdf"),
        (b"MZ\x90\x00" + bytes(500), "c.jpg", "image/jpeg"),
    )
    assert answer.status_code == 415
    assert answer.get_json()["errors"][0]["field"] == "file[2]"
    assert gridfs_count() == 0
    assert mongo.database("intake")["evidence.chunks"].count_documents({}) == 0
    doc = stored_case(case_id)
    assert "evidence" not in doc
    assert [e["type"] for e in doc["outbox"]] == ["case.submitted"]


def test_damaged_photo_is_refused_with_422(
    client: FlaskClient, case_id: str, karo_submitter: dict[str, str]
) -> None:
    photo = photo_with_gps()
    answer = upload(client, case_id, karo_submitter, (photo[:200], "rusak.jpg", "image/jpeg"))
    assert answer.status_code == 422
    assert answer.get_json()["errors"][0]["code"] == "file_damaged"
    assert gridfs_count() == 0


def test_same_file_twice_is_stored_once(
    client: FlaskClient, case_id: str, karo_submitter: dict[str, str], karo_officer: dict[str, str]
) -> None:
    first = upload(client, case_id, karo_submitter, (PDF, "surat.pdf", "application/pdf"))
    again = upload(client, case_id, karo_submitter, (PDF, "surat (1).pdf", "application/pdf"))
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.get_json()["items"][0]["created"] is False
    assert again.get_json()["items"][0]["id"] == first.get_json()["items"][0]["id"]
    listed = client.get(f"/v1/cases/{case_id}/evidence", headers=karo_officer).get_json()
    assert len(listed["items"]) == 1
    assert gridfs_count() == 1


def test_wrong_request_type_and_missing_file_are_explained(
    client: FlaskClient, case_id: str, karo_submitter: dict[str, str]
) -> None:
    as_json = client.post(f"/v1/cases/{case_id}/evidence", json={}, headers=karo_submitter)
    assert as_json.status_code == 415
    assert "multipart/form-data" in as_json.get_json()["detail"]
    empty = client.post(
        f"/v1/cases/{case_id}/evidence",
        data={"note": "lupa lampiran"},
        headers=karo_submitter,
        content_type="multipart/form-data",
    )
    assert empty.status_code == 422
    assert empty.get_json()["errors"][0]["field"] == "file"
    wrong_field = client.post(
        f"/v1/cases/{case_id}/evidence",
        data={"foto": (io.BytesIO(PDF), "x.pdf")},
        headers=karo_submitter,
        content_type="multipart/form-data",
    )
    assert wrong_field.status_code == 422
    assert wrong_field.get_json()["errors"][0]["field"] == "foto"


def test_another_tenants_case_answers_404_and_reads_nothing(
    client: FlaskClient, case_id: str
) -> None:
    bengkulu = key("17.71", "submitter")
    answer = upload(client, case_id, bengkulu, (PDF, "surat.pdf", "application/pdf"))
    assert answer.status_code == 404
    assert answer.mimetype == "application/problem+json"
    assert gridfs_count() == 0
    assert (
        client.get(f"/v1/cases/{case_id}/evidence", headers=key("17.71", "auditor")).status_code
        == 404
    )


def test_auditor_downloads_other_regency_does_not(
    client: FlaskClient, case_id: str, karo_submitter: dict[str, str]
) -> None:
    item = upload(
        client, case_id, karo_submitter, (PDF, "surat.pdf", "application/pdf")
    ).get_json()["items"][0]
    auditor = key("12.06", "auditor")
    content = client.get(item["links"]["content"], headers=auditor)
    assert content.status_code == 200
    assert content.get_data() == PDF
    described = client.get(item["links"]["self"], headers=auditor).get_json()
    assert described["sha256"] == sha256(PDF)
    logged = AccessLogEntry.objects(case_id=case_id, action="evidence_downloaded")
    assert [e.actor_role for e in logged] == ["auditor"]

    other = key("64.02", "supervisor")
    refused = client.get(item["links"]["content"], headers=other)
    assert refused.status_code == 404
    assert refused.get_data() != PDF
    assert client.get(item["links"]["self"], headers=other).status_code == 404
    assert AccessLogEntry.objects(case_id=case_id).count() == 1

    province = key("12", "operator")
    assert client.get(item["links"]["content"], headers=province).get_data() == PDF


def test_roles_who_file_upload_roles_who_examine_read(
    client: FlaskClient, case_id: str, karo_submitter: dict[str, str], karo_officer: dict[str, str]
) -> None:
    by_officer = upload(client, case_id, karo_officer, (PDF, "surat.pdf", "application/pdf"))
    assert by_officer.status_code == 201
    assert client.get(f"/v1/cases/{case_id}/evidence", headers=karo_submitter).status_code == 403
    by_auditor = upload(client, case_id, key("12.06", "auditor"), (PDF, "x.pdf", "application/pdf"))
    assert by_auditor.status_code == 403
    missing = client.get(
        f"/v1/cases/{case_id}/evidence/000000000000000000000000", headers=karo_officer
    )
    assert missing.status_code == 404


class TestLimits:
    @pytest.fixture
    def app_settings(self, settings: Settings) -> Settings:
        return settings.model_copy(
            update={"evidence_max_file_bytes": 4096, "evidence_max_files_per_case": 2}
        )

    def test_oversized_file_is_refused_with_413(
        self, client: FlaskClient, case_id: str, karo_submitter: dict[str, str]
    ) -> None:
        big = b"%PDF-1.4\n" + bytes(5000) + b"\n%%EOF\n"
        answer = upload(client, case_id, karo_submitter, (big, "besar.pdf", "application/pdf"))
        assert answer.status_code == 413
        assert "4096 bytes" in answer.get_json()["detail"]
        assert answer.get_json()["errors"][0]["code"] == "file_too_large"
        assert gridfs_count() == 0

    def test_body_beyond_the_request_limit_is_refused_before_reading(
        self, client: FlaskClient, case_id: str, karo_submitter: dict[str, str]
    ) -> None:
        huge = b"%PDF-1.4\n" + bytes(200_000)
        answer = upload(client, case_id, karo_submitter, (huge, "besar.pdf", "application/pdf"))
        assert answer.status_code == 413
        assert answer.mimetype == "application/problem+json"
        assert "at most 5 files" in answer.get_json()["detail"]

    def test_files_per_case_are_limited(
        self, client: FlaskClient, case_id: str, karo_submitter: dict[str, str]
    ) -> None:
        pdfs = [PDF.replace(b"%%EOF", f"%{i}\n%%EOF".encode()) for i in range(3)]
        assert upload(client, case_id, karo_submitter, (pdfs[0], "1.pdf", "x")).status_code == 201
        refused = upload(
            client,
            case_id,
            karo_submitter,
            (pdfs[1], "2.pdf", "application/pdf"),
            (pdfs[2], "3.pdf", "application/pdf"),
        )
        assert refused.status_code == 422
        assert refused.get_json()["errors"][0]["code"] == "evidence_limit"
        assert "1 more can be added" in refused.get_json()["detail"]
        assert len(stored_case(case_id)["evidence"]) == 1
        assert gridfs_count() == 1
        assert upload(client, case_id, karo_submitter, (pdfs[1], "2.pdf", "x")).status_code == 201


# ------------------------------------------------------------------- the OpenAPI fragment


def fragment_document(client: FlaskClient) -> dict[str, Any]:
    """The evidence paths of the document intake serves, with the components they refer to."""
    served: dict[str, Any] = client.get("/openapi.json").get_json()
    paths = {path: ops for path, ops in served["paths"].items() if "/evidence" in path}
    assert paths
    return {**served, "paths": paths}


def check_answer(doc: dict[str, Any], path: str, method: str, answer: TestResponse) -> None:
    documented = doc["paths"][path][method]["responses"]
    status = str(answer.status_code)
    assert status in documented, f"{method} {path} answered undocumented {status}"
    content = documented[status]["content"]
    if "*/*" in content:
        return
    schema = content[answer.mimetype]["schema"]
    registry: Registry[Any] = Registry().with_resource(
        "urn:doc", Resource.from_contents(doc, default_specification=DRAFT202012)
    )
    validator = Draft202012Validator({"$ref": "urn:doc" + schema["$ref"]}, registry=registry)
    assert not [e.message for e in validator.iter_errors(answer.get_json())]


def test_answers_match_the_openapi_fragment(
    client: FlaskClient, case_id: str, karo_submitter: dict[str, str], karo_officer: dict[str, str]
) -> None:
    doc = fragment_document(client)
    validate_openapi(doc)
    collection = "/v1/cases/{case_id}/evidence"
    one = "/v1/cases/{case_id}/evidence/{evidence_id}"
    created = upload(client, case_id, karo_submitter, (photo_with_gps(), "a.jpg", "image/jpeg"))
    check_answer(doc, collection, "post", created)
    again = upload(client, case_id, karo_submitter, (photo_with_gps(), "a.jpg", "image/jpeg"))
    check_answer(doc, collection, "post", again)
    junk = upload(client, case_id, karo_submitter, (bytes(300), "x.bin", "image/png"))
    check_answer(doc, collection, "post", junk)
    listed = client.get(f"/v1/cases/{case_id}/evidence", headers=karo_officer)
    check_answer(doc, collection, "get", listed)
    item = created.get_json()["items"][0]
    check_answer(doc, one, "get", client.get(item["links"]["self"], headers=karo_officer))
    check_answer(
        doc, one + "/content", "get", client.get(item["links"]["content"], headers=karo_officer)
    )
    check_answer(
        doc, one, "get", client.get(f"/v1/cases/{case_id}/evidence/nope", headers=karo_officer)
    )
