"""Schemathesis over HTTP against the whole suite running as real processes (gunicorn apps and
workers, real MongoDB, RabbitMQ and SMTP): each service's live ``/openapi.json`` drives
generated requests at that service, with real keys made in intake, so triage and notify check
them across the service boundary as in production. Every answer must be documented, match
its schema and never be a 5xx.

A case is submitted first and followed until triage has decided it and notify has told its
officer; about half the examples name that case (and its officer, regency and tracking code),
so they reach past the 404s.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
import schemathesis

from services.cli.infra import MongoServer
from services.intake.access import sessions
from services.intake.access.keys import create_key
from services.intake.access.sessions import Client, Lifetimes
from services.intake.openapi import document as intake_document
from services.notify.openapi import document as notify_document
from services.triage.openapi import document as triage_document
from tests.fuzz.checks import fuzz
from tests.fuzz.test_intake_openapi_fuzz import _ROLES as INTAKE_ROLES
from tests.fuzz.test_notify_openapi_fuzz import _ROLES as NOTIFY_ROLES
from tests.fuzz.test_triage_openapi_fuzz import _ROLES as TRIAGE_ROLES
from tests.support.builders import case_payload
from tests.support.suite import Suite, running_suite
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

KARO = "12.06"
SUMUT = "12"
# Few examples per operation: the point here is the real stack (gunicorn, the remote key
# check, data the workers wrote); the in-process fuzz tests explore each app further.
EXAMPLES = 10
_ROLES = {"intake": INTAKE_ROLES, "triage": TRIAGE_ROLES, "notify": NOTIFY_ROLES}
# Triage and notify first: intake's operations may move or close the shared case.
_OPERATIONS = [
    (service, method.upper(), path)
    for service, doc in (
        ("triage", triage_document()),
        ("notify", notify_document()),
        ("intake", intake_document()),
    )
    for path, methods in doc["paths"].items()
    for method in methods
    if method in {"get", "post", "put", "patch", "delete"}
]


@dataclass
class Live:
    """The running suite, a case every service knows, and a key per role."""

    suite: Suite
    keys: dict[str, str]
    known: dict[str, dict[str, str]]


def _get(suite: Suite, service: str, path: str, key: str) -> Any:
    answer = requests.get(
        suite.urls[service] + path, headers={"Authorization": f"Bearer {key}"}, timeout=5
    )
    return answer.json() if answer.status_code == 200 else None


def _session(suite: Suite) -> str:
    """A Karo officer signed in to the console, as the console holds their session."""
    entry = suite.person("karo-fuzz-live")
    lifetimes = Lifetimes(idle=timedelta(minutes=30), absolute=timedelta(hours=12))
    return sessions.start(
        entry, second_factor=False, client=Client(), lifetimes=lifetimes, now=datetime.now(UTC)
    )


@pytest.fixture(scope="module")
def live(
    mongo_server: MongoServer, broker: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    with running_suite(mongo_server.url, tmp_path_factory.mktemp("fuzz-suite")) as suite:
        submitter = suite.key(KARO, "submitter")
        supervisor = suite.key(KARO, "supervisor")
        created = suite.submit(submitter, case_payload())
        case_id = created["id"]
        decision = eventually(
            lambda: _get(suite, "triage", f"/v1/cases/{case_id}/triage", supervisor)
        )
        officer_id = decision["assignment"]["officer_id"]
        eventually(lambda: _get(suite, "notify", f"/v1/cases/{case_id}/deliveries", supervisor))
        keys = {
            "submitter": submitter,
            "supervisor": supervisor,
            # Named with the officer's id (a key from before the directory): notify lets it
            # read and set that officer's own preferences.
            "officer": create_key(name=officer_id, region=KARO, role="officer")[0],
            # Province-level, as deployments issue operators' keys.
            "operator": suite.key(SUMUT, "operator"),
            "auditor": suite.key(KARO, "auditor"),
            # The console's own keys, and a person signed in to it (a session token).
            "console": suite.key(SUMUT, "console"),
            "public": suite.key(SUMUT, "public"),
            "session": _session(suite),
        }
        known = {
            "intake": {"case_id": case_id, "code": created["tracking_code"]},
            "triage": {
                "case_id": case_id,
                "code": KARO,
                "province": SUMUT,
                "officer_id": officer_id,
            },
            "notify": {"case_id": case_id, "officer_id": officer_id},
        }
        yield Live(suite, keys, known)


@pytest.mark.parametrize(
    ("service", "method", "path"), _OPERATIONS, ids=[f"{s} {m} {p}" for s, m, p in _OPERATIONS]
)
def test_live_answers_conform_to_each_services_document(
    live: Live, service: str, method: str, path: str
) -> None:
    base = live.suite.urls[service]
    # The document the running service serves, and requests sent to that service.
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    role = _ROLES[service].get((method, path), "officer")
    headers = {"Authorization": f"Bearer {live.keys[role]}"}
    fuzz(
        schema[path][method],
        headers,
        live.known[service],
        max_examples=EXAMPLES,
        base_url=base,
        timeout=30,
    )


_BODIES = [
    (service, method.upper(), path)
    for service, doc in (
        ("triage", triage_document()),
        ("notify", notify_document()),
        ("intake", intake_document()),
    )
    for path, methods in doc["paths"].items()
    for method, operation in methods.items()
    if "application/json" in (operation.get("requestBody") or {}).get("content", {})
]
NESTED = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    ("service", "method", "path"), _BODIES, ids=[f"{s} {m} {p}" for s, m, p in _BODIES]
)
def test_a_hundred_thousand_nested_brackets_never_break_a_service(
    live: Live, service: str, method: str, path: str
) -> None:
    """Every JSON body of every service, nested far too deep, gets a problem and no 5xx (it
    once raised RecursionError into a 500 on intake, triage and notify)."""
    url = path
    for name, value in live.known[service].items():
        url = url.replace("{" + name + "}", value)
    role = _ROLES[service].get((method, path), "officer")
    answer = requests.request(
        method,
        live.suite.urls[service] + url.replace("{", "x").replace("}", "x"),
        data=NESTED,
        headers={"Authorization": f"Bearer {live.keys[role]}", "Content-Type": "application/json"},
        timeout=30,
    )
    assert answer.status_code < 500, answer.text[:300]
    assert answer.headers["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("service", "method", "path"), _BODIES, ids=[f"{s} {m} {p}" for s, m, p in _BODIES]
)
def test_a_control_character_in_any_body_is_refused_by_name(
    live: Live, service: str, method: str, path: str
) -> None:
    """A right-to-left override in a string of any body of any service is never stored: the
    shared body reader names the field. An operation may refuse the caller or the path
    first (404, 403, 409), never with a 5xx, and never by accepting the body."""
    url = path
    for name, value in live.known[service].items():
        url = url.replace("{" + name + "}", value)
    role = _ROLES[service].get((method, path), "officer")
    answer = requests.request(
        method,
        live.suite.urls[service] + url.replace("{", "x").replace("}", "x"),
        data=json.dumps({"title": "Foto pose\u202e dua jari"}),
        headers={"Authorization": f"Bearer {live.keys[role]}", "Content-Type": "application/json"},
        timeout=30,
    )
    assert 400 <= answer.status_code < 500, answer.text[:300]
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    if answer.status_code == 422:
        assert answer.json()["errors"] == [
            {
                "field": "title",
                "message": "contains a control character (U+202E)",
                "code": "control_character",
            }
        ]


_LISTS = [
    (service, path)
    for service, doc in (
        ("triage", triage_document()),
        ("notify", notify_document()),
        ("intake", intake_document()),
    )
    for path, methods in doc["paths"].items()
    if any(p["name"] == "limit" for p in methods.get("get", {}).get("parameters", []))
]


@pytest.mark.parametrize(("service", "path"), _LISTS, ids=[f"{s} {p}" for s, p in _LISTS])
@pytest.mark.parametrize("query", ["limit=-5", "limit=999999999999", "cursor=zzz"])
def test_every_list_refuses_a_page_it_cannot_give_by_name(
    live: Live, service: str, path: str, query: str
) -> None:
    role = _ROLES[service].get(("GET", path), "officer")
    answer = requests.get(
        f"{live.suite.urls[service]}{path}?{query}",
        headers={"Authorization": f"Bearer {live.keys[role]}"},
        timeout=30,
    )
    assert answer.status_code == 422, answer.text[:300]
    assert [e["field"] for e in answer.json()["errors"]] == [query.split("=")[0]]
