"""Schemathesis drives triage's real WSGI app (on the real mongod) from its own OpenAPI
document: every operation gets generated requests and each answer must be documented, match
its schema and never be a 5xx.

Keys are checked by intake in production; an authenticator mapping test tokens to principals
stands in for that call (as in ``tests/security/test_access.py``). Half the examples name a
case, region and officer that exist, so the generated bodies reach past the 404s.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from services.cli.infra import MongoServer
from services.triage.api_access import EXTENSION
from services.triage.app import create_app
from services.triage.bootstrap import ensure_indexes
from services.triage.deps import TriageDeps
from services.triage.new_cases import handle_case_submitted
from services.triage.openapi import document
from shared.auth import Principal
from shared.settings import Settings
from tests.fuzz.checks import fuzz_operation
from tests.unit.triage.builders import (
    KARO,
    FakeClock,
    database_only_settings,
    envelope_of,
    submitted,
)

PRINCIPALS = {
    "officer": Principal("pf_off", "karo-bkpsdm-1", KARO, "officer"),
    "supervisor": Principal("pf_sup", "Supervisor Karo", KARO, "supervisor"),
    # Province-level, as deployments issue operators' keys: clusters are a province's view.
    "operator": Principal("pf_op", "Operator Sumut", "12", "operator"),
}

# The role whose key reaches the deepest code of each operation: a supervisor overrides,
# dry-runs and changes the configuration; the province's operator reads clusters and the
# pipeline (parked messages stay an officer's 403 here: this test has no broker of its own);
# anything else is read by an officer. A key of the wrong role would only ever exercise the
# 403 branch.
_ROLES = {
    ("POST", "/v1/cases/{case_id}/triage/override"): "supervisor",
    ("POST", "/v1/triage/dry-run"): "supervisor",
    ("GET", "/v1/provinces/{province}/clusters"): "operator",
    ("GET", "/v1/pipeline"): "operator",
    ("GET", "/v1/parked"): "operator",
    ("POST", "/v1/parked/{ident}/replay"): "operator",
    ("PUT", "/v1/regions/{code}/{kind}"): "supervisor",
    ("DELETE", "/v1/regions/{code}/{kind}"): "supervisor",
    ("PATCH", "/v1/regions/{code}/roster/officers/{officer_id}"): "supervisor",
}

_OPERATIONS = [
    (method.upper(), path)
    for path, methods in document()["paths"].items()
    for method in methods
    if method in {"get", "post", "put", "patch", "delete"}
]


@pytest.fixture
def db_settings(mongo_server: MongoServer) -> Iterator[Settings]:
    yield from database_only_settings(mongo_server.url)


@pytest.fixture
def triage_app(db_settings: Settings) -> tuple[Flask, str]:
    app = create_app(settings=db_settings)
    app.config["PANTAU_AUTHENTICATE"] = PRINCIPALS.get
    deps: TriageDeps = app.extensions[EXTENSION]
    deps.clock = FakeClock()
    ensure_indexes()
    event = submitted(at=deps.clock())
    assert handle_case_submitted(envelope_of(event, KARO), event, deps)
    return app, event.case_id


@pytest.mark.parametrize(("method", "path"), _OPERATIONS, ids=[f"{m} {p}" for m, p in _OPERATIONS])
def test_triage_answers_conform_to_its_openapi_document(
    triage_app: tuple[Flask, str], method: str, path: str
) -> None:
    app, case_id = triage_app
    known = {"case_id": case_id, "code": KARO, "province": "12", "officer_id": "karo-bkpsdm-1"}
    headers = {"Authorization": f"Bearer {_ROLES.get((method, path), 'officer')}"}
    fuzz_operation(app, method, path, headers, known)
