"""Triage learns from officers: confirmations and overrides become labelled examples, their
precision and recall are served and exported, and a candidate rules version is evaluated on
them before it may be activated (real MongoDB)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client import REGISTRY

from services.cli.infra import MongoServer
from services.triage.api_access import EXTENSION
from services.triage.app import create_app
from services.triage.bootstrap import ensure_indexes
from services.triage.deps import TriageDeps, build
from services.triage.handlers import handle_status_changed
from services.triage.quality_gauges import QualityGauges
from services.triage.quality_openapi import EvaluationView, QualityView
from services.triage.rules_files import default_rules_text
from shared.auth import Principal
from shared.settings import Settings
from tests.support.triage_calls import call, triage_case
from tests.unit.triage.builders import (
    HOAX_TEXT,
    HOAX_TITLE,
    KARO,
    MEDSOS_TITLE,
    FakeClock,
    database_only_settings,
    envelope_of,
    short_sighted_rules_text,
    status_change,
)

PRINCIPALS = {
    "karo-supervisor": Principal(
        "pk_sup", "Drs. Herman Karo-Karo", KARO, "supervisor", officer_id="karo-supervisor"
    ),
    "karo-officer": Principal("pk_off", "Joni Sitepu", KARO, "officer"),
    "sumut-operator": Principal("pk_op", "Operator Sumut", "12", "operator"),
    "bengkulu-supervisor": Principal("pk_bkl", "Supervisor Bengkulu", "17.71", "supervisor"),
}


@pytest.fixture
def db_settings(mongo_server: MongoServer) -> Iterator[Settings]:
    yield from database_only_settings(mongo_server.url)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(db_settings: Settings, clock: FakeClock) -> Flask:
    app = create_app(settings=db_settings)
    app.config["PANTAU_AUTHENTICATE"] = PRINCIPALS.get
    app.extensions[EXTENSION].clock = clock
    ensure_indexes()
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def worker(db_settings: Settings, app: Flask, clock: FakeClock) -> TriageDeps:
    d = build(db_settings)
    d.clock = clock
    return d


def move(worker: TriageDeps, case_id: str, to: str, frm: str = "received") -> bool:
    event = status_change(case_id, to, frm)
    return handle_status_changed(envelope_of(event, at=worker.clock()), event, worker)


def override(client: FlaskClient, case_id: str, category: str) -> None:
    status, body = call(
        client,
        "POST",
        f"/v1/cases/{case_id}/triage/override",
        body={"category": category, "reason": "Isi laporan menyebut unsur SARA"},
    )
    assert status == 201, body


def example(worker: TriageDeps, case_id: str) -> dict[str, Any]:
    doc = worker.examples.find_one({"_id": case_id})
    assert doc is not None
    return doc


# --- labelled examples -----------------------------------------------------------------------


def test_a_verified_case_becomes_a_confirmed_example_once(worker: TriageDeps) -> None:
    decision = triage_case(worker)
    case_id = decision["case_id"]
    event = status_change(case_id, "verified")
    envelope = envelope_of(event, at=worker.clock())
    assert handle_status_changed(envelope, event, worker)
    assert not handle_status_changed(envelope, event, worker)  # redelivered
    assert move(worker, case_id, "under_examination", "verified")
    doc = example(worker, case_id)
    assert doc["tenant"] == KARO
    assert doc["facts"]["title"] == MEDSOS_TITLE
    assert doc["facts"]["employment_types"] == ["PNS"]
    assert doc["proposed"] == doc["final"] == decision["category"]
    assert doc["kind"] == "confirmed"
    assert doc["labelled_by"] == "Joni Sitepu"
    assert doc["rules_version"] == decision["rules_version"]
    assert doc["model_version"] == decision["model_version"]
    assert len(doc["history"]) == 1
    assert worker.examples.count_documents({}) == 1


def test_a_rejected_case_labels_nothing(worker: TriageDeps) -> None:
    case_id = triage_case(worker)["case_id"]
    assert move(worker, case_id, "rejected")
    assert worker.examples.count_documents({}) == 0


def test_an_override_is_the_label_and_a_later_one_replaces_it(
    client: FlaskClient, worker: TriageDeps
) -> None:
    decision = triage_case(worker)
    case_id = decision["case_id"]
    override(client, case_id, "SARA")
    assert move(worker, case_id, "verified")  # verification keeps the officer's label
    doc = example(worker, case_id)
    assert (doc["proposed"], doc["final"], doc["kind"]) == (
        decision["category"],
        "SARA",
        "override",
    )
    assert (doc["labelled_by"], doc["labelled_by_officer"]) == (
        "Drs. Herman Karo-Karo",
        "karo-supervisor",
    )
    override(client, case_id, "HOAKS")
    doc = example(worker, case_id)
    assert doc["final"] == "HOAKS"
    assert [h["category"] for h in doc["history"]] == ["SARA", "HOAKS"]


def test_a_priority_override_leaves_the_category_to_be_confirmed(
    client: FlaskClient, worker: TriageDeps
) -> None:
    decision = triage_case(worker)
    case_id = decision["case_id"]
    status, _ = call(
        client,
        "POST",
        f"/v1/cases/{case_id}/triage/override",
        body={"priority": "urgent", "reason": "Menjelang hari pemungutan suara"},
    )
    assert status == 201
    assert worker.examples.count_documents({}) == 0
    assert move(worker, case_id, "verified")
    assert example(worker, case_id)["kind"] == "confirmed"


def sara_proposal(worker: TriageDeps) -> str:
    """What triage had proposed for the case the supervisor filed as SARA."""
    doc = worker.examples.find_one({"final": "SARA"})
    assert doc is not None
    return str(doc["proposed"])


# --- quality -----------------------------------------------------------------------------------


def labelled_set(client: FlaskClient, worker: TriageDeps, clock: FakeClock) -> list[str]:
    """Two confirmed cases and one overridden today; one confirmed 40 days ago."""
    old = triage_case(worker)["case_id"]
    assert move(worker, old, "verified")
    clock.advance(days=40)
    ids = [triage_case(worker)["case_id"] for _ in range(3)]
    assert move(worker, ids[0], "verified")
    assert move(worker, ids[1], "verified")
    override(client, ids[2], "SARA")
    return [old, *ids]


def test_quality_figures_per_window_and_category(
    client: FlaskClient, worker: TriageDeps, clock: FakeClock
) -> None:
    labelled_set(client, worker, clock)
    proposed = sara_proposal(worker)
    status, month = call(client, "GET", "/v1/triage/quality?days=30")
    assert status == 200, month
    QualityView.model_validate(month)
    rows = {row["category"]: row for row in month["categories"]}
    assert (month["region_code"], month["examples"], month["correct"]) == (KARO, 3, 2)
    assert rows[proposed]["precision"] == round(2 / 3, 4)
    assert rows[proposed]["recall"] == 1.0
    assert (rows["SARA"]["precision"], rows["SARA"]["recall"]) == (None, 0.0)
    status, quarter = call(client, "GET", "/v1/triage/quality?days=90")
    assert (quarter["examples"], quarter["correct"]) == (4, 3)


def test_quality_is_kept_to_the_callers_area(
    client: FlaskClient, worker: TriageDeps, clock: FakeClock
) -> None:
    labelled_set(client, worker, clock)
    status, province = call(client, "GET", "/v1/triage/quality", "sumut-operator")
    assert (status, province["region_code"], province["examples"]) == (200, "12", 3)
    status, karo = call(client, "GET", f"/v1/triage/quality?region_code={KARO}", "sumut-operator")
    assert (status, karo["examples"]) == (200, 3)
    status, own = call(client, "GET", "/v1/triage/quality", "bengkulu-supervisor")
    assert (status, own["region_code"], own["examples"]) == (200, "17.71", 0)
    assert (
        call(client, "GET", f"/v1/triage/quality?region_code={KARO}", "bengkulu-supervisor")[0]
        == 404
    )
    assert call(client, "GET", "/v1/triage/quality", "karo-officer")[0] == 403
    status, problem = call(client, "GET", "/v1/triage/quality?days=7")
    assert status == 422
    assert problem["errors"][0]["field"] == "days"


def test_the_worker_exports_the_figures_as_gauges(
    client: FlaskClient, worker: TriageDeps, clock: FakeClock
) -> None:
    labelled_set(client, worker, clock)
    proposed = sara_proposal(worker)
    gauges = QualityGauges(worker)
    gauges.refresh()

    def sample(name: str, **labels: str) -> float | None:
        return REGISTRY.get_sample_value(name, {"tenant": KARO, **labels})

    assert sample("pantau_triage_labelled_examples", window="30d") == 3
    assert sample("pantau_triage_labelled_examples", window="90d") == 4
    assert sample("pantau_triage_precision", category=proposed, window="30d") == round(2 / 3, 4)
    assert sample("pantau_triage_recall", category="SARA", window="30d") == 0.0
    assert sample("pantau_triage_precision", category="SARA", window="30d") is None
    # A label that leaves the window takes its samples with it.
    clock.advance(days=100)
    gauges.refresh()
    assert sample("pantau_triage_precision", category=proposed, window="30d") is None
    assert sample("pantau_triage_labelled_examples", window="90d") == 0


# --- evaluation and activation -----------------------------------------------------------------


def confirmed_cases(worker: TriageDeps) -> list[str]:
    texts: list[dict[str, Any]] = [
        {},
        {"title": HOAX_TITLE, "description": HOAX_TEXT, "evidence_urls": []},
        {
            "title": "ASN ikut kampanye",
            "description": "Kepala sekolah hadir di panggung "
            "kampanye pasangan calon bupati dan berorasi mengajak guru memilih.",
        },
    ]
    ids = []
    for changes in texts:
        case_id = triage_case(worker, **changes)["case_id"]
        assert move(worker, case_id, "verified")
        ids.append(case_id)
    return ids


def test_an_evaluation_lists_the_changed_cases_and_the_accuracy(
    client: FlaskClient, worker: TriageDeps
) -> None:
    ids = confirmed_cases(worker)
    status, body = call(
        client, "POST", "/v1/triage/evaluations", body={"text": short_sighted_rules_text()}
    )
    assert status == 200, body
    EvaluationView.model_validate(body)
    assert (body["region_code"], body["examples"], body["correct_before"]) == (KARO, 3, 3)
    assert body["accuracy_before"] == 1.0
    assert body["lowers_accuracy"] is True
    assert body["correct_after"] < 3
    assert body["changes"]
    for change in body["changes"]:
        assert change["case_id"] in ids
        assert change["current"] == change["final"] != change["candidate"]
        assert change["effect"] == "broken"
    # The shipped rules under a new version change nothing.
    same = re.sub(r"^version: .*$", 'version: "same-2"', default_rules_text(), flags=re.M)
    status, body = call(client, "POST", "/v1/triage/evaluations", body={"text": same})
    assert (status, body["changes"], body["correct_after"]) == (200, [], 3)
    assert body["candidate_rules_version"] == "same-2"


def test_an_evaluation_needs_a_regency_and_valid_rules(
    client: FlaskClient, worker: TriageDeps
) -> None:
    confirmed_cases(worker)
    text = short_sighted_rules_text()
    status, problem = call(
        client, "POST", "/v1/triage/evaluations", "sumut-operator", {"text": text}
    )
    assert (status, problem["errors"][0]["field"]) == (422, "region_code")
    status, body = call(
        client,
        "POST",
        "/v1/triage/evaluations",
        "sumut-operator",
        {"text": text, "region_code": KARO},
    )
    assert (status, body["examples"]) == (200, 3)
    status, problem = call(
        client, "POST", "/v1/triage/evaluations", body={"text": "version: [unclosed"}
    )
    assert status == 422
    assert problem["errors"][0]["field"].startswith("text")
    body = {"text": text, "region_code": KARO}
    assert call(client, "POST", "/v1/triage/evaluations", "karo-officer", body)[0] == 403
    assert call(client, "POST", "/v1/triage/evaluations", "bengkulu-supervisor", body)[0] == 404


def test_rules_that_lower_accuracy_are_refused_unless_forced_with_a_reason(
    client: FlaskClient, worker: TriageDeps
) -> None:
    confirmed_cases(worker)
    path = f"/v1/regions/{KARO}/rules"
    text = short_sighted_rules_text()
    status, problem = call(client, "PUT", path, body={"text": text, "reason": "lebih cepat"})
    assert status == 409
    assert problem["evaluation"]["correct_before"] == 3
    assert problem["evaluation"]["correct_after"] < 3
    assert problem["errors"][0]["code"] == "lowers_accuracy"
    assert call(client, "GET", path)[1]["version"] == 0
    status, problem = call(client, "PUT", path, body={"text": text, "force": True})
    assert (status, problem["errors"][0]["field"]) == (422, "reason")
    assert call(client, "GET", path)[1]["version"] == 0
    status, body = call(
        client, "PUT", path, body={"text": text, "force": True, "reason": "uji coba sepekan"}
    )
    assert (status, body["version"], body["rules_version"]) == (200, 1, "short-sighted-1")
    status, history = call(client, "GET", f"/v1/regions/{KARO}/config/history?kind=rules")
    latest = history["versions"][0]
    assert latest["reason"] == "uji coba sepekan"
    assert latest["evaluation"]["forced"] is True
    assert latest["evaluation"]["correct_before"] == 3
    # Going back to the shipped rules raises accuracy: no force needed.
    status, body = call(
        client, "PUT", path, body={"text": default_rules_text(), "reason": "kembali"}
    )
    assert (status, body["version"]) == (200, 2), body
    status, history = call(client, "GET", f"/v1/regions/{KARO}/config/history?kind=rules")
    assert history["versions"][0]["evaluation"]["forced"] is False


def test_force_belongs_to_rules_only(client: FlaskClient) -> None:
    body = {
        "units": ["BKPSDM"],
        "default_unit": "BKPSDM",
        "by_category": {},
        "force": True,
    }
    status, problem = call(client, "PUT", f"/v1/regions/{KARO}/routing", body=body)
    assert (status, problem["errors"][0]["field"]) == (422, "force")
