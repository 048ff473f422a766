"""Triage's OpenAPI document is valid, covers every route, and real answers match it.

Keys are checked by intake in production; here an authenticator mapping test tokens to
principals stands in for that service boundary, as in ``test_triage_api``.
"""

from __future__ import annotations

from collections.abc import Iterator
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
from shared.settings import Settings
from tests.support.openapi_check import (
    Checker,
    assert_valid_openapi_31,
    served_document,
    unauthenticated_operations,
    undocumented_refusals,
    undocumented_routes,
)
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
    "officer": Principal("pk_off", "Joni Sitepu", KARO, "officer"),
    "supervisor": Principal("pk_sup", "Drs. Herman Karo-Karo", KARO, "supervisor"),
    "submitter": Principal("pk_sub", "Diskominfo Karo", KARO, "submitter"),
    "sumut": Principal("pk_sumut", "Operator Sumut", "12", "operator"),
    "kaltim": Principal("pk_kaltim", "Operator Kaltim", "64", "operator"),
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
def doc(app: Flask) -> dict[str, Any]:
    return served_document(app)


def test_document_is_valid_openapi_31(doc: dict[str, Any]) -> None:
    assert_valid_openapi_31(doc)


def test_every_route_is_documented(app: Flask, doc: dict[str, Any]) -> None:
    assert undocumented_routes(app, doc) == []


def test_every_operation_is_authenticated_and_documents_its_refusals(
    doc: dict[str, Any],
) -> None:
    assert unauthenticated_operations(doc) == []
    assert undocumented_refusals(doc) == []


def _triaged(deps: TriageDeps, tenant: str = KARO, **changes: Any) -> str:
    event = submitted(at=deps.clock(), **changes)
    assert handle_case_submitted(envelope_of(event, tenant), event, deps)
    return event.case_id


def test_real_answers_match_the_document(app: Flask, doc: dict[str, Any]) -> None:
    client: FlaskClient = app.test_client()
    deps: TriageDeps = app.extensions[EXTENSION]
    checker = Checker(doc)
    case_id = _triaged(deps)
    hoax = {"title": HOAX_TITLE, "description": HOAX_TEXT, "evidence_urls": [], "people": []}
    _triaged(deps, KUTAI_KARTANEGARA, **hoax)
    deps.clock.advance(hours=2)  # type: ignore[attr-defined]
    _triaged(deps, KUTAI_TIMUR, **hoax)

    def call(path: str, method: str, url: str, who: str | None, body: Any = None, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {who}"} if who else {}
        answer = client.open(url, method=method.upper(), json=body, headers=headers, **kw)
        return checker.check(path, method, answer)

    decision = "/v1/cases/{case_id}/triage"
    shown = call(decision, "get", f"/v1/cases/{case_id}/triage", "officer")
    assert shown["decision"]["category"] == "MEDSOS"
    call(decision, "get", "/v1/cases/nope/triage", "officer")  # 404
    call(decision, "get", f"/v1/cases/{case_id}/triage", "submitter")  # 403
    call(decision, "get", f"/v1/cases/{case_id}/triage", None)  # 401
    call(decision, "get", f"/v1/cases/{case_id}/triage", "revoked")  # 401

    override = "/v1/cases/{case_id}/triage/override"
    url = f"/v1/cases/{case_id}/triage/override"
    call(override, "post", url, "supervisor", {"reason": "Bukan kampanye", "priority": "low"})
    call(override, "post", url, "supervisor", {"reason": " "})  # 422
    call(override, "post", url, "supervisor", {"reason": "x", "category": "NOPE"})  # 422
    call(override, "post", url, "supervisor", {"reason": "x"})  # 422: nothing to change
    call(override, "post", url, "supervisor", data="{", content_type="application/json")  # 400
    call(override, "post", url, "supervisor", data="a", content_type="text/plain")  # 415
    call(override, "post", url, "officer", {"reason": "x", "priority": "low"})  # 403
    call(override, "post", "/v1/cases/nope/triage/override", "supervisor", {"reason": "x"})

    history = call(
        "/v1/cases/{case_id}/triage/history",
        "get",
        f"/v1/cases/{case_id}/triage/history",
        "officer",
    )
    assert len(history["decisions"]) == 2

    dry = "/v1/triage/dry-run"
    call(dry, "post", dry, "supervisor", {"title": HOAX_TITLE, "description": HOAX_TEXT})
    call(dry, "post", dry, "submitter", {"title": "Lorem ipsum dolor sit amet"})
    call(dry, "post", dry, "sumut", {"title": "x"})  # 422: a province must name a regency
    call(dry, "post", dry, "sumut", {"title": "x", "region_code": "64.02"})  # 404
    call(dry, "post", dry, "supervisor", {"title": ""})  # 422
    call(dry, "post", dry, "supervisor", {"title": "x", "extra": 1})  # 422

    clusters = "/v1/provinces/{province}/clusters"
    found = call(clusters, "get", "/v1/provinces/64/clusters", "kaltim")
    assert len(found["clusters"]) == 1
    call(clusters, "get", "/v1/provinces/64/clusters?category=HOAKS&days=7", "kaltim")
    call(clusters, "get", "/v1/provinces/64/clusters?days=0", "kaltim")  # 422
    call(clusters, "get", "/v1/provinces/64/clusters?category=X", "kaltim")  # 422
    call(clusters, "get", "/v1/provinces/64/clusters", "sumut")  # 404

    call("/v1/regions/{code}/config", "get", f"/v1/regions/{KARO}/config", "officer")
    call("/v1/regions/{code}/config", "get", "/v1/regions/12/config", "sumut")  # 422
    call("/v1/regions/{code}/config", "get", "/v1/regions/64.02/config", "officer")  # 404
    call("/v1/regions/{code}/config", "get", "/v1/regions/xx/config", "officer")  # 422

    kind = "/v1/regions/{code}/{kind}"
    for name in ("rules", "routing", "roster", "calendar"):
        call(kind, "get", f"/v1/regions/{KARO}/{name}", "officer")
    routing = call(kind, "get", f"/v1/regions/{KARO}/routing", "officer")["table"]
    call(kind, "put", f"/v1/regions/{KARO}/routing", "supervisor", {**routing, "reason": "uji"})
    call(kind, "put", f"/v1/regions/{KARO}/routing", "supervisor", {"units": 3})  # 422
    call(kind, "put", f"/v1/regions/{KARO}/routing", "supervisor", [1])  # 422
    call(kind, "put", f"/v1/regions/{KARO}/rules", "supervisor", {"text": "a: ["})  # 422
    call(
        kind,
        "put",
        f"/v1/regions/{KARO}/calendar",
        "supervisor",
        {"entries": [{"kind": "collective_leave", "start": "2024-12-26", "label": "cuti"}]},
    )
    call(kind, "put", f"/v1/regions/{KARO}/calendar", "supervisor", {"entries": [{"x": 1}]})
    call(kind, "put", f"/v1/regions/{KARO}/roster", "officer", {"officers": []})  # 403
    call(kind, "delete", f"/v1/regions/{KARO}/calendar?reason=kembali", "supervisor")

    officer = "/v1/regions/{code}/roster/officers/{officer_id}"
    roster = call(kind, "get", f"/v1/regions/{KARO}/roster", "officer")["officers"]
    first = f"/v1/regions/{KARO}/roster/officers/{roster[0]['id']}"
    call(officer, "patch", first, "supervisor", {"available": False, "reason": "cuti"})
    call(officer, "patch", first, "supervisor", {"conflicts": ["Budi Santoso"]})
    call(officer, "patch", first, "supervisor", {"available": "no"})  # 422
    call(officer, "patch", first, "supervisor", {"name": "x"})  # 422
    call(officer, "patch", f"/v1/regions/{KARO}/roster/officers/nobody", "supervisor", {})
    call(
        officer,
        "patch",
        f"/v1/regions/{KARO}/roster/officers/nobody",
        "supervisor",
        {"available": True},
    )

    versions = "/v1/regions/{code}/config/history"
    listed = call(versions, "get", f"/v1/regions/{KARO}/config/history?kind=roster", "officer")
    assert len(listed["versions"]) == 2
    call(versions, "get", f"/v1/regions/{KARO}/config/history", "officer")  # 422

    expected = {("get", decision, s) for s in ("200", "401", "403", "404")} | {
        ("post", override, s) for s in ("201", "400", "403", "404", "415", "422")
    }
    assert expected <= checker.seen


def test_hostile_inputs_found_while_documenting_answer_documented_problems(
    app: Flask, doc: dict[str, Any]
) -> None:
    """Each of these answered 500 before: YAML nested thousands deep, a key with a NUL byte
    stored with the payload, and a known_at with no UTC equivalent."""
    client = app.test_client()
    checker = Checker(doc)
    supervisor = {"Authorization": "Bearer supervisor"}
    kind = "/v1/regions/{code}/{kind}"

    def put(name: str, body: Any) -> Any:
        answer = client.put(f"/v1/regions/{KARO}/{name}", json=body, headers=supervisor)
        assert answer.status_code == 422, answer.get_json()
        return checker.check(kind, "put", answer)

    rules = client.get(f"/v1/regions/{KARO}/rules", headers=supervisor).get_json()["text"]
    assert put("rules", {"text": "[" * 5000})["errors"][0]["message"] == "nested too deeply"
    assert put("rules", {"text": rules, "\u0000x": 1})["errors"][0]["field"] == "\u0000x"
    put("calendar", {"entries": [{"start": "2024-12-26", "\u0000": 1}]})
    for moment in ("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"):
        answer = client.post(
            "/v1/triage/dry-run",
            json={"title": "ASN kampanye", "known_at": moment},
            headers=supervisor,
        )
        assert answer.status_code == 422
        checker.check("/v1/triage/dry-run", "post", answer)
