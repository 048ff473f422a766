"""Searching and filtering GET /v1/cases on the real MongoDB: text, officer, unit, deadlines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId
from flask import Flask
from flask.testing import FlaskClient

from services.intake.access.keys import create_key
from services.intake.app import create_app
from services.intake.bootstrap import ensure_indexes
from services.intake.cases.models import Case
from shared.settings import Settings
from tests.support.builders import case_payload

NOW = datetime.now(UTC)


@pytest.fixture
def app(settings: Settings) -> Flask:
    app = create_app(settings=settings)
    ensure_indexes()
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _auth(region: str = "12.06", role: str = "officer") -> dict[str, str]:
    token = create_key(name=f"{role} {region}", region=region, role=role)[0]
    return {"Authorization": f"Bearer {token}"}


def _file(client: FlaskClient, submitter: dict[str, str], **overrides: Any) -> str:
    answer = client.post("/v1/cases", json=case_payload(**overrides), headers=submitter)
    assert answer.status_code == 201, answer.get_json()
    case_id: str = answer.get_json()["id"]
    return case_id


def _set(case_id: str, **fields: Any) -> None:
    Case._get_collection().update_one({"_id": ObjectId(case_id)}, {"$set": fields})


def _ids(client: FlaskClient, headers: dict[str, str], query: str) -> list[str]:
    answer = client.get(f"/v1/cases?{query}", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return [item["id"] for item in answer.get_json()["items"]]


@pytest.fixture
def cases(client: FlaskClient) -> dict[str, str]:
    """Four cases of Karo in known states, one of Deli Serdang."""
    karo = _auth("12.06", "submitter")
    made = {
        "rally": _file(
            client,
            karo,
            title="Camat hadir di kampanye akbar paslon",
            description="Camat Kabanjahe terlihat berpidato di panggung kampanye.",
        ),
        "post": _file(
            client,
            karo,
            title="Unggahan dukungan di Facebook",
            description="Guru honorer mengunggah foto bersama tim pemenangan.",
        ),
        "hoax": _file(
            client,
            karo,
            title="Kabar bohong soal surat suara",
            description="Pesan berantai menyebut surat suara sudah dicoblos.",
        ),
        "closed": _file(
            client,
            karo,
            title="Kepala desa ikut kampanye",
            description="Sudah diperiksa dan dijatuhi sanksi.",
        ),
        "deli": _file(
            client,
            _auth("12.07", "submitter"),
            title="Camat ikut kampanye di Lubuk Pakam",
            description="Camat hadir di kampanye.",
        ),
    }
    triage = {
        "rally": ("karo-insp-01", "Inspektorat", NOW - timedelta(days=2), "under_examination"),
        "post": ("karo-insp-02", "BKPSDM", NOW + timedelta(days=5), "verified"),
        "hoax": ("karo-kominfo-01", "Diskominfo", NOW + timedelta(days=1), "received"),
        "closed": ("karo-insp-01", "Inspektorat", NOW - timedelta(days=4), "sanction_imposed"),
    }
    for name, (officer, unit, due, status) in triage.items():
        _set(
            made[name],
            status=status,
            **{
                "triage.category": "hoax" if name == "hoax" else "netralitas_asn",
                "triage.unit": unit,
                "triage.due_at": due,
                "triage.assignee": {"officer_id": officer, "name": "Petugas"},
            },
        )
    return made


def test_text_search_finds_words_in_title_or_description(
    client: FlaskClient, cases: dict[str, str]
) -> None:
    officer = _auth()
    assert set(_ids(client, officer, "q=kampanye")) == {cases["rally"], cases["closed"]}
    # Case does not matter; description words count too.
    assert _ids(client, officer, "q=GURU") == [cases["post"]]
    assert _ids(client, officer, "q=%22surat%20suara%22") == [cases["hoax"]]
    assert _ids(client, officer, "q=kampanye%20-sanksi") == [cases["rally"]]
    assert _ids(client, officer, "q=tidakada") == []


def test_text_search_stays_inside_the_tenant(client: FlaskClient, cases: dict[str, str]) -> None:
    assert cases["deli"] not in _ids(client, _auth(), "q=camat")
    province = _auth("12", "supervisor")
    assert set(_ids(client, province, "q=camat")) == {cases["rally"], cases["deli"]}


def test_filters_by_officer_unit_and_deadline(client: FlaskClient, cases: dict[str, str]) -> None:
    officer = _auth()
    assert set(_ids(client, officer, "officer=karo-insp-01")) == {cases["rally"], cases["closed"]}
    assert _ids(client, officer, "unit=BKPSDM") == [cases["post"]]
    before = (NOW + timedelta(days=2)).isoformat().replace("+", "%2B")
    after = NOW.isoformat().replace("+", "%2B")
    assert _ids(client, officer, f"due_after={after}&due_before={before}") == [cases["hoax"]]
    assert set(_ids(client, officer, f"due_before={after}")) == {cases["rally"], cases["closed"]}


def test_overdue_means_past_deadline_and_still_open(
    client: FlaskClient, cases: dict[str, str]
) -> None:
    officer = _auth()
    assert _ids(client, officer, "overdue=true") == [cases["rally"]]
    assert set(_ids(client, officer, "overdue=false")) == {
        cases["post"],
        cases["hoax"],
        cases["closed"],
    }
    assert _ids(client, officer, "overdue=true&q=kampanye") == [cases["rally"]]


def test_text_search_pages_newest_first_through_the_cursor(client: FlaskClient) -> None:
    submitter = _auth("12.06", "submitter")
    made = [
        _file(client, submitter, title=f"Pegawai kampanye nomor {i}", source_ref=f"ref-{i}")
        for i in range(5)
    ]
    _file(client, submitter, title="Laporan lain", description="Tidak ada kata itu di sini.")
    officer = _auth()
    seen: list[str] = []
    cursor = ""
    while True:
        answer = client.get(f"/v1/cases?q=kampanye&limit=2{cursor}", headers=officer).get_json()
        seen += [item["id"] for item in answer["items"]]
        if not answer["next_cursor"]:
            break
        cursor = f"&cursor={answer['next_cursor']}"
    # The default payload's description mentions no "kampanye"; every titled case is found,
    # once each, newest first.
    assert seen == list(reversed(made))


def test_a_tracking_code_as_typed_finds_its_one_case_in_the_area(
    client: FlaskClient, cases: dict[str, str]
) -> None:
    def code_of(name: str) -> str:
        doc = Case._get_collection().find_one({"_id": ObjectId(cases[name])})
        assert doc is not None
        return str(doc["tracking_code"])

    officer = _auth()
    closed = code_of("closed")
    # Read aloud over the phone and typed in lower case without dashes: still found, and a
    # closed case too.
    assert _ids(client, officer, f"tracking_code={closed.replace('-', '').lower()}") == [
        cases["closed"]
    ]
    assert _ids(client, officer, f"tracking_code={closed}&open=true") == []
    # Another regency's case is not there for Karo's officer, as if the code were unknown.
    assert _ids(client, officer, f"tracking_code={code_of('deli')}") == []
    assert _ids(client, _auth("12", "supervisor"), f"tracking_code={code_of('deli')}") == [
        cases["deli"]
    ]


def test_several_cases_by_id_in_one_list_only_those_in_the_area(
    client: FlaskClient, cases: dict[str, str]
) -> None:
    named = [cases["rally"], cases["closed"], cases["deli"], str(ObjectId())]
    query = "&".join(f"id={case_id}" for case_id in [*named, cases["rally"]])
    # Karo's officer gets Karo's two (a closed one too); Deli's case and an unknown id are
    # simply absent, as a case outside the area is everywhere else.
    assert sorted(_ids(client, _auth(), query)) == sorted([cases["rally"], cases["closed"]])
    assert _ids(client, _auth(), f"{query}&open=true") == [cases["rally"]]
    assert sorted(_ids(client, _auth("12", "supervisor"), query)) == sorted(named[:3])


@pytest.mark.parametrize(
    "query",
    [
        "id=not-an-id",
        "&".join(["id=" + "a" * 24] * 51),
        "q=" + "x" * 201,
        "q=",
        "officer=" + "o" * 65,
        "unit=" + "u" * 101,
        "overdue=maybe",
        "tracking_code=K7QM-3XPA-9D2F-HT6",
        "tracking_code=O0O0-1111-IIII-LLLL",
    ],
)
def test_unbounded_or_malformed_filters_are_refused(client: FlaskClient, query: str) -> None:
    answer = client.get(f"/v1/cases?{query}", headers=_auth())
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    # A list's item is named with its place ("id[0]").
    assert answer.get_json()["errors"][0]["field"].split("[")[0] in {
        "q",
        "officer",
        "unit",
        "overdue",
        "tracking_code",
        "id",
    }


def test_the_text_index_is_language_neutral(app: Flask) -> None:
    indexes = Case._get_collection().index_information()
    text = indexes["case_text"]
    assert text["default_language"] == "none"
    assert dict(text["weights"]) == {"title": 3, "description": 1}
