"""The Open311 GeoReport v2 layer on the real MongoDB: services, requests, errors."""

from __future__ import annotations

from typing import Any

import pytest
from bson import ObjectId
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from werkzeug.test import TestResponse

from services.intake.access.keys import create_key
from services.intake.access.models import ReporterRecord
from services.intake.app import create_app
from services.intake.bootstrap import ensure_indexes
from services.intake.cases.models import Case
from shared.categories import CATEGORIES
from shared.contracts import CaseSubmitted, decode
from shared.settings import Settings

SERVICES = "/open311/v2/services.json"
REQUESTS = "/open311/v2/requests.json"

DESCRIPTION = (
    "Kepala seksi di Dinas Pendidikan membagikan unggahan tim pemenangan paslon nomor 2 di "
    "grup WhatsApp guru. Tangkapan layar ada di tautan."
)


@pytest.fixture
def client(settings: Settings) -> FlaskClient:
    app = create_app(settings=settings)
    ensure_indexes()
    return app.test_client()


@pytest.fixture
def karo_key(client: FlaskClient) -> str:
    return create_key(name="Aplikasi Lapor Karo", region="12.06", role="submitter")[0]


def form(**overrides: str) -> dict[str, str]:
    """A GeoReport request as a city app sends it."""
    fields = {
        "service_code": "MEDSOS",
        "description": DESCRIPTION,
        "address_string": "SMP Negeri 1 Kabanjahe",
        "lat": "3.1006",
        "long": "98.4917",
        "media_url": "https://example.org/bukti/123.jpg",
    }
    fields.update(overrides)
    return {k: v for k, v in fields.items() if v != "<absent>"}


def post(client: FlaskClient, data: dict[str, str], **headers: str) -> TestResponse:
    return client.post(REQUESTS, data=data, headers=headers)


def errors_of(answer: TestResponse) -> list[dict[str, Any]]:
    body = answer.get_json()
    assert isinstance(body, list), body
    assert all(set(e) == {"code", "description"} for e in body)
    assert all(e["code"] == answer.status_code for e in body)
    return body


def stored(case_id: str) -> dict[str, Any]:
    doc: dict[str, Any] | None = Case._get_collection().find_one({"_id": ObjectId(case_id)})
    assert doc is not None
    return doc


def test_services_list_every_category(client: FlaskClient) -> None:
    answer = client.get(SERVICES)
    assert answer.status_code == 200
    services = answer.get_json()
    assert [s["service_code"] for s in services] == list(CATEGORIES)
    for service in services:
        assert set(service) == {
            "service_code",
            "service_name",
            "description",
            "metadata",
            "type",
            "keywords",
            "group",
        }
        assert service["service_name"] == CATEGORIES[service["service_code"]][0]
        assert service["type"] == "realtime"
        assert service["metadata"] is True
    groups = {s["service_code"]: s["group"] for s in services}
    assert groups["HOAKS"] == groups["SARA"] == "Konten pemilihan"
    assert groups["FASILITAS"] == "Netralitas ASN"


def test_service_definition_offers_the_accused_and_date_attributes(client: FlaskClient) -> None:
    answer = client.get(
        "/open311/v2/services/FOTO_POSE.json", query_string={"jurisdiction_id": "12.06"}
    )
    assert answer.status_code == 200
    definition = answer.get_json()
    assert definition["service_code"] == "FOTO_POSE"
    codes = [a["code"] for a in definition["attributes"]]
    assert codes[:3] == ["occurred_on", "accused_name", "accused_employment_type"]
    assert client.get("/open311/v2/services/PEMILU.json").status_code == 404


def test_form_post_creates_a_case_visible_through_the_case_api(
    client: FlaskClient, karo_key: str
) -> None:
    answer = post(client, form(api_key=karo_key, jurisdiction_id="12.06"))
    assert answer.status_code == 200, answer.get_json()
    [created] = answer.get_json()
    request_id = created["service_request_id"]
    assert created["tracking_code"] in created["service_notice"]

    officer = create_key(name="Petugas Karo", region="12.06", role="officer")[0]
    case = client.get(f"/v1/cases/{request_id}", headers={"Authorization": f"Bearer {officer}"})
    assert case.status_code == 200
    body = case.get_json()
    assert body["tenant"] == "12.06"
    assert body["source"] == "public_report"
    assert body["description"] == DESCRIPTION
    assert body["title"] == (
        "Kepala seksi di Dinas Pendidikan membagikan unggahan tim pemenangan paslon nomor 2 di "
        "grup WhatsApp guru."
    )
    assert body["location"]["text"] == "SMP Negeri 1 Kabanjahe (koordinat 3.100600, 98.491700)"
    assert body["evidence_urls"] == ["https://example.org/bukti/123.jpg"]
    assert body["accused"] == []
    assert body["category_hint"] == "MEDSOS"
    assert body["reporter"]["anonymous"] is True

    doc = stored(request_id)
    [entry] = doc["outbox"]
    _, event = decode(entry["body"].encode())
    assert isinstance(event, CaseSubmitted)
    assert event.accused == []  # nobody invented for triage to match on


def test_bearer_key_works_as_well_and_reporter_is_sealed(
    client: FlaskClient, karo_key: str
) -> None:
    answer = post(
        client,
        form(
            first_name="Siti", last_name="Rahayu", email="siti@example.org", phone="0812-3456-7890"
        ),
        Authorization=f"Bearer {karo_key}",
    )
    assert answer.status_code == 200, answer.get_json()
    request_id = answer.get_json()[0]["service_request_id"]
    doc = stored(request_id)
    assert doc["reporter"]["anonymous"] is False
    assert doc["reporter"]["confidential"] is True
    assert "Siti" not in str(doc)
    assert ReporterRecord._get_collection().count_documents({"_id": ObjectId(request_id)}) == 1


def test_accused_attributes_name_the_accused(client: FlaskClient, karo_key: str) -> None:
    answer = post(
        client,
        form(
            api_key=karo_key,
            **{
                "attribute[accused_name]": "Rudi Ginting",
                "attribute[accused_employment_type]": "PNS",
                "attribute[accused_agency]": "Dinas Pendidikan Kabupaten Karo",
                "attribute[occurred_on]": "2024-11-18",
            },
        ),
    )
    assert answer.status_code == 200, answer.get_json()
    doc = stored(answer.get_json()[0]["service_request_id"])
    assert [a["name"] for a in doc["accused"]] == ["Rudi Ginting"]
    assert doc["occurred_at"].date().isoformat() == "2024-11-17"  # midnight WIB is 17:00 UTC


def test_get_request_answers_georeport_fields_for_its_tenant_only(
    client: FlaskClient, karo_key: str
) -> None:
    request_id = post(client, form(api_key=karo_key)).get_json()[0]["service_request_id"]
    officer = create_key(name="Petugas Karo", region="12.06", role="officer")[0]
    answer = client.get(
        f"/open311/v2/requests/{request_id}.json", query_string={"api_key": officer}
    )
    assert answer.status_code == 200
    [found] = answer.get_json()
    assert found["service_request_id"] == request_id
    assert found["status"] == "open"
    assert found["status_notes"] == "Laporan Anda telah diterima."
    assert found["service_code"] == "MEDSOS"
    assert found["description"] == DESCRIPTION
    assert found["address"].startswith("SMP Negeri 1 Kabanjahe")
    assert found["requested_datetime"].endswith("+07:00")  # Karo keeps WIB
    assert found["updated_datetime"] is not None
    assert (found["lat"], found["long"]) == (3.1006, 98.4917)

    bengkulu = create_key(name="Kota Bengkulu", region="17.71", role="officer")[0]
    hidden = client.get(
        f"/open311/v2/requests/{request_id}.json", headers={"Authorization": f"Bearer {bengkulu}"}
    )
    assert hidden.status_code == 404
    assert errors_of(hidden)[0]["code"] == 404

    search = client.get(REQUESTS, query_string={"api_key": karo_key, "service_code": "MEDSOS"})
    assert [r["service_request_id"] for r in search.get_json()] == [request_id]
    # The app that filed it reads its status and times, not what it says of people and places.
    [filed] = client.get(
        f"/open311/v2/requests/{request_id}.json", query_string={"api_key": karo_key}
    ).get_json()
    assert filed["status_notes"] == "Laporan Anda telah diterima."
    assert filed["requested_datetime"] == found["requested_datetime"]
    assert filed["description"] is filed["address"] is filed["lat"] is None
    other = client.get(REQUESTS, query_string={"api_key": bengkulu})
    assert other.get_json() == []


def test_xml_is_not_offered(client: FlaskClient, karo_key: str) -> None:
    for path in ("/open311/v2/services.xml", "/open311/v2/requests/abc.xml"):
        answer = client.get(path, query_string={"api_key": karo_key})
        assert answer.status_code == 404
        assert answer.mimetype == "application/json"
        assert "JSON" in errors_of(answer)[0]["description"]
    assert post(client, form(api_key=karo_key)).status_code == 200
    xml_post = client.post("/open311/v2/requests.xml", data=form(api_key=karo_key))
    assert xml_post.status_code == 404
    assert Case._get_collection().count_documents({}) == 1


@pytest.mark.parametrize(
    ("overrides", "status", "says"),
    [
        ({"service_code": "KORUPSI"}, 400, "service_code 'KORUPSI' is not a service"),
        ({"service_code": "<absent>"}, 400, "service_code is required"),
        ({"description": "<absent>"}, 400, "description is required"),
        ({"description": "   "}, 400, "description is required"),
        ({"jurisdiction_id": "17.71"}, 403, "jurisdiction_id 17.71"),
        ({"jurisdiction_id": "1206"}, 400, "BPS code"),
        ({"jurisdiction_id": "12"}, 400, "regency or city"),
        ({"address_string": "<absent>", "lat": "<absent>", "long": "<absent>"}, 400, "location"),
        ({"lat": "utara"}, 400, "decimal degrees"),
        ({"long": "<absent>", "address_string": "<absent>"}, 400, "lat and long go together"),
        ({"media_url": "ftp://example.org/x"}, 400, "media_url"),
        ({"email": "siti@example.org"}, 400, "first_name/last_name, email or phone"),
        ({"phone": "12345", "first_name": "Siti"}, 400, "phone:"),
        ({"attribute[warna]": "merah"}, 400, "attribute[warna]"),
        ({"attribute[accused_nip]": "198609262015051001"}, 400, "attribute[accused_name]"),
        ({"attribute[accused_name]": "Rudi"}, 400, "attribute[accused_employment_type]"),
        ({"attribute[occurred_on]": "kemarin"}, 400, "attribute[occurred_on]"),
    ],
)
def test_bad_requests_get_georeport_errors(
    client: FlaskClient, karo_key: str, overrides: dict[str, str], status: int, says: str
) -> None:
    answer = post(client, form(api_key=karo_key, **overrides))
    assert answer.status_code == status
    assert answer.mimetype == "application/json"
    descriptions = " | ".join(e["description"] for e in errors_of(answer))
    assert says in descriptions
    assert Case._get_collection().count_documents({}) == 0


def test_several_problems_are_listed_together(client: FlaskClient, karo_key: str) -> None:
    answer = post(client, form(api_key=karo_key, service_code="X", description=""))
    assert answer.status_code == 400
    assert len(errors_of(answer)) == 2


def test_keys_are_checked(client: FlaskClient) -> None:
    missing = post(client, form())
    assert missing.status_code == 401
    assert "api_key" in errors_of(missing)[0]["description"]
    unknown = post(client, form(api_key="pnt_nope_nope"))
    assert unknown.status_code == 401
    auditor = create_key(name="Inspektorat", region="12.06", role="auditor")[0]
    refused = post(client, form(api_key=auditor))
    assert refused.status_code == 403
    assert "auditor" in errors_of(refused)[0]["description"]
    assert Case._get_collection().count_documents({}) == 0


def test_provincial_key_names_the_regency(client: FlaskClient) -> None:
    province = create_key(name="Provinsi Sumut", region="12", role="operator")[0]
    without = post(client, form(api_key=province))
    assert without.status_code == 400
    assert "jurisdiction_id is required" in errors_of(without)[0]["description"]
    outside = post(client, form(api_key=province, jurisdiction_id="64.02"))
    assert outside.status_code == 403
    inside = post(client, form(api_key=province, jurisdiction_id="12.06"))
    assert inside.status_code == 200
    assert stored(inside.get_json()[0]["service_request_id"])["tenant"] == "12.06"


def test_json_body_is_refused_in_georeport_format(client: FlaskClient, karo_key: str) -> None:
    answer = client.post(REQUESTS, json=form(), headers={"Authorization": f"Bearer {karo_key}"})
    assert answer.status_code == 400
    assert "form-encoded" in errors_of(answer)[0]["description"]


# ------------------------------------------------------------------- the OpenAPI fragment


def fragment_document(client: FlaskClient) -> dict[str, Any]:
    """The Open311 paths of the document intake serves, with the components they refer to."""
    served: dict[str, Any] = client.get("/openapi.json").get_json()
    paths = {path: ops for path, ops in served["paths"].items() if path.startswith("/open311/")}
    assert paths
    return {**served, "paths": paths}


def check_answer(doc: dict[str, Any], path: str, method: str, answer: TestResponse) -> None:
    documented = doc["paths"][path][method]["responses"]
    status = str(answer.status_code)
    assert status in documented, f"{method} {path} answered undocumented {status}"
    schema = documented[status]["content"][answer.mimetype]["schema"]
    registry: Registry[Any] = Registry().with_resource(
        "urn:doc", Resource.from_contents(doc, default_specification=DRAFT202012)
    )
    validator = Draft202012Validator({"$ref": "urn:doc" + schema["$ref"]}, registry=registry)
    assert not [e.message for e in validator.iter_errors(answer.get_json())]


def test_answers_match_the_openapi_fragment(client: FlaskClient, karo_key: str) -> None:
    doc = fragment_document(client)
    validate_openapi(doc)
    services = "/open311/v2/services.{fmt}"
    definition = "/open311/v2/services/{service_code}.{fmt}"
    requests = "/open311/v2/requests.{fmt}"
    one = "/open311/v2/requests/{request_id}.{fmt}"
    check_answer(doc, services, "get", client.get(SERVICES))
    check_answer(doc, services, "get", client.get("/open311/v2/services.xml"))
    check_answer(doc, definition, "get", client.get("/open311/v2/services/ATRIBUT.json"))
    check_answer(doc, definition, "get", client.get("/open311/v2/services/NOPE.json"))
    created = post(client, form(api_key=karo_key))
    check_answer(doc, requests, "post", created)
    check_answer(doc, requests, "post", post(client, form(api_key=karo_key, service_code="X")))
    check_answer(doc, requests, "post", post(client, form()))
    query = {"api_key": karo_key}
    check_answer(doc, requests, "get", client.get(REQUESTS, query_string=query))
    check_answer(
        doc, requests, "get", client.get(REQUESTS, query_string={**query, "status": "done"})
    )
    request_id = created.get_json()[0]["service_request_id"]
    path = f"/open311/v2/requests/{request_id}.json"
    check_answer(doc, one, "get", client.get(path, query_string=query))
    check_answer(doc, one, "get", client.get("/open311/v2/requests/x.json", query_string=query))
