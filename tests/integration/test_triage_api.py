"""Triage's HTTP API on the real database: decisions and their explanation, overrides,
dry runs and province clusters, with tenancy and roles enforced.

Keys are checked by intake in production; here a small authenticator stands in for that
service boundary (the end-to-end suite uses the real one).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.cli.infra import MongoServer
from services.triage.api_access import EXTENSION
from services.triage.app import create_app
from services.triage.bootstrap import ensure_indexes
from services.triage.deps import TriageDeps
from services.triage.new_cases import handle_case_submitted
from shared.auth import Principal
from shared.problems import PROBLEM_JSON
from shared.settings import Settings
from tests.unit.triage.builders import (
    HOAX_TEXT,
    HOAX_TITLE,
    KARO,
    KUTAI_KARTANEGARA,
    KUTAI_TIMUR,
    FakeClock,
    database_only_settings,
    envelope_of,
    submitted,
)

PRINCIPALS = {
    "karo-officer": Principal("pk_off", "Joni Sitepu", KARO, "officer"),
    "karo-supervisor": Principal("pk_sup", "Drs. Herman Karo-Karo", KARO, "supervisor"),
    "karo-submitter": Principal("pk_sub", "Diskominfo Karo", KARO, "submitter"),
    "bengkulu-supervisor": Principal("pk_bkl", "Supervisor Bengkulu", "17.71", "supervisor"),
    "sumut-operator": Principal("pk_sumut", "Operator Sumut", "12", "operator"),
    "kaltim-operator": Principal("pk_kaltim", "Operator Kaltim", "64", "operator"),
    "kutim-supervisor": Principal("pk_kutim", "Supervisor Kutim", KUTAI_TIMUR, "supervisor"),
}


@pytest.fixture
def db_settings(mongo_server: MongoServer) -> Iterator[Settings]:
    yield from database_only_settings(mongo_server.url)


@pytest.fixture
def app(db_settings: Settings) -> Flask:
    app = create_app(settings=db_settings)
    app.config["PANTAU_AUTHENTICATE"] = PRINCIPALS.get
    app.extensions[EXTENSION].clock = FakeClock()
    ensure_indexes()
    return app


@pytest.fixture
def triage(app: Flask) -> TriageDeps:
    deps: TriageDeps = app.extensions[EXTENSION]
    return deps


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def call(
    client: FlaskClient, method: str, path: str, key: str | None, body: Any = None
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    answer = client.open(path, method=method, json=body, headers=headers)
    if answer.status_code >= 400:
        assert answer.mimetype == PROBLEM_JSON, answer.data
    return answer.status_code, answer.get_json()


def triaged_case(triage: TriageDeps, tenant: str = KARO, **changes: Any) -> str:
    event = submitted(at=triage.clock(), **changes)
    assert handle_case_submitted(envelope_of(event, tenant), event, triage)
    return event.case_id


# --- reading -----------------------------------------------------------------------------------


def test_officer_reads_the_decision_and_why(client: FlaskClient, triage: TriageDeps) -> None:
    case_id = triaged_case(triage)
    status, body = call(client, "GET", f"/v1/cases/{case_id}/triage", "karo-officer")
    assert status == 200
    assert body["decision"]["category"] == "MEDSOS"
    assert body["decision"]["rules_version"] == triage.config.defaults.rules.version
    assert "akun tim pemenangan" in {r["matched"] for r in body["decision"]["reasons"]}
    assert "keyakinan" in body["explanation"]
    assert body["clock"]["stage"] == "lapor_verification"
    assert body["clock"]["deadline"].startswith("2024-11-07T16:59:59")
    assert body["clock"]["status"] == "on_time"
    assert body["assignment"]["officer_id"] == "karo-bkpsdm-1"
    # The province sees its regencies' cases too.
    assert call(client, "GET", f"/v1/cases/{case_id}/triage", "sumut-operator")[0] == 200


@pytest.mark.parametrize(
    ("key", "status"),
    [
        ("bengkulu-supervisor", 404),  # another regency: the case does not exist for them
        ("kaltim-operator", 404),  # another province
        ("karo-submitter", 403),
        (None, 401),
    ],
)
def test_decisions_are_hidden_from_other_tenants_and_roles(
    client: FlaskClient, triage: TriageDeps, key: str | None, status: int
) -> None:
    case_id = triaged_case(triage)
    assert call(client, "GET", f"/v1/cases/{case_id}/triage", key)[0] == status
    assert call(client, "GET", f"/v1/cases/{case_id}/triage/history", key)[0] == status


def test_unknown_case_is_404(client: FlaskClient) -> None:
    status, body = call(client, "GET", "/v1/cases/does-not-exist/triage", "karo-officer")
    assert status == 404
    assert body["status"] == 404


# --- override ----------------------------------------------------------------------------------


def test_supervisor_override_is_recorded_with_who_and_why(
    client: FlaskClient, triage: TriageDeps
) -> None:
    case_id = triaged_case(triage)
    triage.clock.advance(minutes=30)  # type: ignore[attr-defined]
    status, body = call(
        client,
        "POST",
        f"/v1/cases/{case_id}/triage/override",
        "karo-supervisor",
        {"category": "FASILITAS", "priority": "urgent", "reason": "Memakai mobil dinas"},
    )
    assert status == 201, body
    assert body["kind"] == "override"
    assert body["decided_by"] == "Drs. Herman Karo-Karo"
    assert body["decided_by_key"] == "pk_sup"
    assert body["override_reason"] == "Memakai mobil dinas"
    assert body["category"] == "FASILITAS"
    assert body["priority"] == "urgent"
    assert body["rules_version"]  # the proposal's rules version stays on the record

    status, history = call(client, "GET", f"/v1/cases/{case_id}/triage/history", "karo-officer")
    assert [(d["kind"], d["category"]) for d in history["decisions"]] == [
        ("submitted", "MEDSOS"),
        ("override", "FASILITAS"),
    ]
    # The override is announced, and a category of another unit re-routes the case.
    stored = triage.decisions.find_one({"kind": "override"})
    assert stored is not None
    messages = [json.loads(item["body"]) for item in stored["outbox"]]
    assert [m["type"] for m in messages] == ["case.triaged", "case.assigned"]
    assert messages[0]["data"]["decided_by"] == "Drs. Herman Karo-Karo"
    assert messages[1]["data"]["unit"] == "INSPEKTORAT"
    status, current = call(client, "GET", f"/v1/cases/{case_id}/triage", "karo-officer")
    assert current["override"]["reason"] == "Memakai mobil dinas"
    assert current["assignment"]["unit"] == "INSPEKTORAT"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category": "FASILITAS"}, "reason"),
        ({"category": "FASILITAS", "reason": "   "}, "reason"),
        ({"category": "KORUPSI", "reason": "x"}, "category"),
        ({"priority": "asap", "reason": "x"}, "priority"),
        ({"reason": "nothing else"}, ""),
    ],
)
def test_invalid_override_is_refused_naming_the_field(
    client: FlaskClient, triage: TriageDeps, body: dict[str, Any], field: str
) -> None:
    case_id = triaged_case(triage)
    status, problem = call(
        client, "POST", f"/v1/cases/{case_id}/triage/override", "karo-supervisor", body
    )
    assert status == 422
    assert field in {e["field"] for e in problem["errors"]}
    assert triage.decisions.count_documents({"case_id": case_id}) == 1


def test_officers_cannot_override_and_other_regencies_cannot_see(
    client: FlaskClient, triage: TriageDeps
) -> None:
    case_id = triaged_case(triage)
    body = {"category": "FASILITAS", "reason": "x"}
    path = f"/v1/cases/{case_id}/triage/override"
    assert call(client, "POST", path, "karo-officer", body)[0] == 403
    assert call(client, "POST", path, "bengkulu-supervisor", body)[0] == 404


def test_a_duplicate_can_be_declared_not_one(client: FlaskClient, triage: TriageDeps) -> None:
    first = triaged_case(triage)
    second = triaged_case(triage)
    state = triage.cases.find_one({"_id": second})
    assert state is not None
    assert state["duplicate_of"] == first
    status, body = call(
        client,
        "POST",
        f"/v1/cases/{second}/triage/override",
        "karo-supervisor",
        {"not_duplicate": True, "reason": "Unggahan lain pada hari yang sama"},
    )
    assert status == 201, body
    assert body["duplicate_of"] is None
    assert body["assignee_id"] is not None
    state = triage.cases.find_one({"_id": second})
    assert state is not None
    assert state["duplicate_of"] is None
    assert state["next_wakeup"] is not None  # its own ladder now runs


# --- dry run -----------------------------------------------------------------------------------


def test_dry_run_triages_without_storing(client: FlaskClient, triage: TriageDeps) -> None:
    status, body = call(
        client,
        "POST",
        "/v1/triage/dry-run",
        "karo-officer",
        {
            "title": "Camat pose dua jari bersama paslon",
            "description": "Foto camat berpose salam dua jari bersama calon bupati beredar.",
            "accused": [{"name": "Budi", "position": "Camat"}],
        },
    )
    assert status == 200, body
    assert body["stored"] is False
    assert body["category"] == "FOTO_POSE"
    assert body["routing"]["unit"] == "BKPSDM"
    assert body["due_at"]
    assert any("Camat" in reason for reason in body["priority_reasons"])
    for collection in (triage.decisions, triage.cases, triage.facts, triage.steps):
        assert collection.count_documents({}) == 0


def test_dry_run_of_foreign_text_warns_and_proposes_review(client: FlaskClient) -> None:
    status, body = call(
        client,
        "POST",
        "/v1/triage/dry-run",
        "karo-officer",
        {
            "title": "Election postponed",
            "description": "A message says the election was postponed by one week; share it.",
        },
    )
    assert status == 200
    assert body["category"] == "LAINNYA"
    assert body["needs_review"] is True
    assert "bahasa_tidak_dikenali" in body["flags"]
    assert "not recognised as Indonesian" in body["warnings"][0]


@pytest.mark.parametrize(
    ("key", "body", "status", "field"),
    [
        ("karo-officer", {"title": "", "description": "  "}, 422, "description"),
        ("karo-officer", {"title": "x", "description": "kata " * 3000}, 422, "description"),
        ("sumut-operator", {"title": "Hoaks", "region_code": "99.01"}, 422, "region_code"),
        ("sumut-operator", {"title": "Hoaks", "region_code": "1206"}, 422, "region_code"),
        ("sumut-operator", {"title": "Hoaks"}, 422, "region_code"),
        ("sumut-operator", {"title": "Hoaks", "region_code": "64.02"}, 404, None),
        ("karo-officer", {"title": "Hoaks", "colour": "red"}, 422, "colour"),
    ],
)
def test_dry_run_refuses_bad_input_clearly(
    client: FlaskClient, key: str, body: dict[str, Any], status: int, field: str | None
) -> None:
    answer_status, problem = call(client, "POST", "/v1/triage/dry-run", key, body)
    assert answer_status == status
    assert problem["detail"]
    if field:
        assert field in {e["field"] for e in problem["errors"]}


def test_dry_run_for_a_regency_of_the_province(client: FlaskClient) -> None:
    status, body = call(
        client,
        "POST",
        "/v1/triage/dry-run",
        "kaltim-operator",
        {"title": HOAX_TITLE, "description": HOAX_TEXT, "region_code": KUTAI_TIMUR},
    )
    assert status == 200
    assert body["region_code"] == KUTAI_TIMUR
    assert body["category"] == "HOAKS"
    assert body["routing"]["unit"] == "DISKOMINFO"


# --- province clusters -------------------------------------------------------------------------


def test_province_sees_the_same_hoax_across_its_regencies(
    client: FlaskClient, triage: TriageDeps
) -> None:
    hoax = {"title": HOAX_TITLE, "description": HOAX_TEXT, "evidence_urls": [], "people": []}
    kukar = triaged_case(triage, KUTAI_KARTANEGARA, **hoax)
    triage.clock.advance(hours=2)  # type: ignore[attr-defined]
    kutim = triaged_case(triage, KUTAI_TIMUR, **hoax)
    triaged_case(triage, KUTAI_TIMUR)  # an unrelated case stays out of the cluster
    status, body = call(client, "GET", "/v1/provinces/64/clusters", "kaltim-operator")
    assert status == 200, body
    (cluster,) = body["clusters"]
    assert cluster["regions"] == [KUTAI_KARTANEGARA, KUTAI_TIMUR]
    assert [c["case_id"] for c in cluster["cases"]] == [kukar, kutim]
    assert cluster["cases"][0]["category"] == "HOAKS"
    only_hoaxes = call(client, "GET", "/v1/provinces/64/clusters?category=HOAKS", "kaltim-operator")
    assert len(only_hoaxes[1]["clusters"]) == 1
    # A regency office does not see the province's view; another province's key neither.
    assert call(client, "GET", "/v1/provinces/64/clusters", "kutim-supervisor")[0] == 404
    assert call(client, "GET", "/v1/provinces/64/clusters", "sumut-operator")[0] == 404
    assert call(client, "GET", "/v1/provinces/64/clusters?days=0", "kaltim-operator")[0] == 422


# --- clocks of a page of cases, and the working-day calendar ----------------------------------


def test_clocks_answer_for_the_visible_triaged_cases_of_a_page(
    client: FlaskClient, triage: TriageDeps
) -> None:
    mine = [triaged_case(triage) for _ in range(2)]
    elsewhere = triaged_case(triage, tenant=KUTAI_KARTANEGARA)
    query = "&".join(f"case_id={c}" for c in [*mine, elsewhere, "not-a-case"])

    status, body = call(client, "GET", f"/v1/clocks?{query}", "karo-officer")

    assert status == 200
    assert sorted(i["case_id"] for i in body["items"]) == sorted(mine)
    for item in body["items"]:
        deadline = datetime.fromisoformat(item["deadline"])
        assert deadline > triage.clock()
        # A new case's deadline is days away, counted in working days of Karo's calendar.
        assert item["working_days_left"] >= 1
        assert item["paused"] is False
        assert item["stopped"] is False
        assert item["status"] in ("on_time", "due_soon")


def test_working_days_left_turn_negative_once_the_deadline_has_passed(
    client: FlaskClient, triage: TriageDeps
) -> None:
    case_id = triaged_case(triage)
    triage.clock.advance(days=40)  # type: ignore[attr-defined]

    _, body = call(client, "GET", f"/v1/clocks?case_id={case_id}", "karo-supervisor")

    (item,) = body["items"]
    assert item["working_days_left"] < 0
    assert item["status"] == "breached"


def test_clocks_refuse_an_empty_or_oversized_question(client: FlaskClient) -> None:
    assert call(client, "GET", "/v1/clocks", "karo-officer")[0] == 422
    many = "&".join(f"case_id=c{i}" for i in range(101))
    assert call(client, "GET", f"/v1/clocks?{many}", "karo-officer")[0] == 422


def test_working_days_ahead_skip_weekends_and_holidays(
    client: FlaskClient, triage: TriageDeps
) -> None:
    status, body = call(client, "GET", f"/v1/regions/{KARO}/working-days?ahead=5", "karo-officer")
    assert status == 200
    until = datetime.fromisoformat(body["until"])
    # Five working days are at least five calendar days and at most a fortnight away.
    assert timedelta(days=5) <= until - triage.clock() < timedelta(days=15)
    assert until.astimezone(triage.config.calendar(triage.config.current(KARO)).tz).weekday() < 5


def test_working_days_of_another_regency_are_not_found(client: FlaskClient) -> None:
    status, _ = call(
        client, "GET", f"/v1/regions/{KUTAI_KARTANEGARA}/working-days?ahead=2", "karo-officer"
    )
    assert status == 404
    status, _ = call(client, "GET", "/v1/regions/12/working-days?ahead=2", "sumut-operator")
    assert status == 200
    status, _ = call(client, "GET", f"/v1/regions/{KARO}/working-days?ahead=0", "karo-officer")
    assert status == 422
