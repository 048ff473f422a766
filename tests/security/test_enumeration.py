"""Probing ids across tenants learns nothing: another regency's real id and a random id of the
same shape answer with the same status, the same problem body and the same length.

Only the echoed request path (``instance``) and request id may differ; with ids of equal length
even the byte count is the same. Timings are deliberately not asserted (too noisy to test).
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from bson import ObjectId
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from services.cli.mailbox import MailSink
from services.intake.access.keys import create_key
from services.intake.app import create_app as create_intake
from services.intake.bootstrap import ensure_indexes
from services.notify.app import create_app as create_notify
from services.notify.delivery import handle as notify_handle
from services.triage.api_access import EXTENSION as TRIAGE_EXTENSION
from services.triage.app import create_app as create_triage
from services.triage.bootstrap import ensure_indexes as triage_indexes
from services.triage.deps import TriageDeps
from services.triage.new_cases import handle_case_submitted
from shared.auth import Principal
from shared.problems import PROBLEM_JSON
from shared.settings import Settings
from tests.integration.test_notify_delivery import assigned, notify_deps_for, officer
from tests.security.support import (
    KALTIM,
    KARO,
    OTHER_REGENCY,
    REPORTER,
    auth,
    key,
    submit,
    upload_pdf,
)
from tests.unit.triage.builders import FakeClock, envelope_of, submitted

VOLATILE = ("instance", "request_id")


def same_shape(
    real: TestResponse, random: TestResponse, echoed: tuple[str, str] = ("", "")
) -> None:
    """The two answers cannot be told apart except by what echoes the request (``echoed``: the
    id each request named, which a detail may quote back; both have the same length)."""
    assert real.status_code == random.status_code == 404
    assert real.mimetype == random.mimetype
    assert len(echoed[0]) == len(echoed[1])
    first, second = real.get_json(), random.get_json()
    if echoed[0]:
        first = json.loads(json.dumps(first).replace(echoed[0], "<id>"))
        second = json.loads(json.dumps(second).replace(echoed[1], "<id>"))
    if real.mimetype == PROBLEM_JSON:
        assert set(first) == set(second)
        assert {k: v for k, v in first.items() if k not in VOLATILE} == {
            k: v for k, v in second.items() if k not in VOLATILE
        }
        echo = len(str(first.get("instance"))) - len(str(second.get("instance")))
        assert len(real.data) - len(random.data) == echo
    else:
        assert first == second  # GeoReport's error list
        assert len(real.data) == len(random.data)
    assert sorted(real.headers.keys()) == sorted(random.headers.keys())


def random_object_id() -> str:
    return str(ObjectId())


# --- intake ------------------------------------------------------------------------------------


@pytest.fixture
def intake(settings: Settings) -> tuple[FlaskClient, dict[str, str]]:
    app = create_intake(settings=settings)
    ensure_indexes()
    client = app.test_client()
    karo = submit(client, key(KARO, "supervisor"), reporter=REPORTER)
    uploaded = upload_pdf(client, karo["id"], key(KARO, "supervisor"))
    assert uploaded.status_code == 201
    return client, {
        "case_id": karo["id"],
        "evidence_id": uploaded.get_json()["items"][0]["id"],
        "key_prefix": create_key(name="karo", region=KARO, role="officer")[1].prefix,
    }


INTAKE_PROBES: list[tuple[str, str, Callable[[str, str], str], dict[str, Any]]] = [
    ("GET", "supervisor", lambda c, e: f"/v1/cases/{c}", {}),
    (
        "POST",
        "supervisor",
        lambda c, e: f"/v1/cases/{c}/reporter:reveal",
        {"json": {"reason": "klarifikasi identitas pelapor"}},
    ),
    ("GET", "supervisor", lambda c, e: f"/v1/cases/{c}/evidence", {}),
    ("GET", "supervisor", lambda c, e: f"/v1/cases/{c}/evidence/{e}", {}),
    ("GET", "auditor", lambda c, e: f"/v1/cases/{c}/evidence/{e}/content", {}),
    ("GET", "supervisor", lambda c, e: f"/open311/v2/requests/{c}.json", {}),
]


@pytest.mark.parametrize(("method", "role", "path", "extra"), INTAKE_PROBES)
def test_intake_case_ids_of_other_tenants_look_like_random_ids(
    intake: tuple[FlaskClient, dict[str, str]],
    method: str,
    role: str,
    path: Callable[[str, str], str],
    extra: dict[str, Any],
) -> None:
    client, ids = intake
    region = KALTIM if role in ("operator", "auditor") else OTHER_REGENCY
    stranger = auth(key(region, role))
    real = client.open(
        path(ids["case_id"], ids["evidence_id"]), method=method, headers=stranger, **extra
    )
    random = client.open(
        path(random_object_id(), random_object_id()), method=method, headers=stranger, **extra
    )
    same_shape(real, random)


def test_intake_malformed_ids_answer_like_missing_ones(
    intake: tuple[FlaskClient, dict[str, str]],
) -> None:
    """A well-formed and a malformed id are indistinguishable: the id's shape is no oracle."""
    client, _ = intake
    headers = auth(key(KARO, "supervisor"))
    missing = client.get(f"/v1/cases/{random_object_id()}", headers=headers)
    malformed = client.get(f"/v1/cases/{'z' * 24}", headers=headers)
    same_shape(missing, malformed)


def test_key_prefixes_of_other_provinces_look_like_random_prefixes(
    intake: tuple[FlaskClient, dict[str, str]],
) -> None:
    client, ids = intake
    prefix = ids["key_prefix"]
    stranger = auth(key(KALTIM, "operator"))
    real = client.delete(f"/v1/keys/{prefix}", headers=stranger)
    random = client.delete(
        f"/v1/keys/{secrets.token_hex(len(prefix))[: len(prefix)]}", headers=stranger
    )
    same_shape(real, random)
    # And the key is still alive: the probe changed nothing.
    listing = client.get("/v1/keys", headers=auth(key("12", "operator"))).get_json()
    assert [k["revoked_at"] for k in listing["items"] if k["prefix"] == prefix] == [None]


# --- triage and notify -------------------------------------------------------------------------

STRANGERS = {
    "kukar-supervisor": Principal("pk1", "Supervisor Kukar", OTHER_REGENCY, "supervisor"),
    "kaltim-operator": Principal("pk2", "Operator Kaltim", KALTIM, "operator"),
}


@pytest.mark.parametrize("token", sorted(STRANGERS))
def test_triage_case_ids_of_other_tenants_look_like_random_ids(
    settings: Settings, token: str
) -> None:
    app = create_triage(settings=settings)
    app.config["PANTAU_AUTHENTICATE"] = STRANGERS.get
    deps: TriageDeps = app.extensions[TRIAGE_EXTENSION]
    deps.clock = FakeClock()
    # The app creates its indexes in the background; the worker, whose work this is, first.
    triage_indexes()
    event = submitted(at=deps.clock())
    assert handle_case_submitted(envelope_of(event, KARO), event, deps)
    client = app.test_client()
    for suffix in ("triage", "triage/history"):
        real = client.get(f"/v1/cases/{event.case_id}/{suffix}", headers=auth(token))
        random = client.get(f"/v1/cases/{random_object_id()}/{suffix}", headers=auth(token))
        same_shape(real, random)


def test_notify_case_and_officer_ids_of_other_tenants_look_like_random_ids(
    settings: Settings, mail_sink: MailSink
) -> None:
    configured = settings.model_copy(update={"smtp_port": mail_sink.port})
    app = create_notify(
        {"TESTING": True, "PANTAU_AUTHENTICATE": STRANGERS.get}, settings=configured
    )
    case_id = uuid.uuid4().hex[:24]
    notify_handle(*assigned(officer("karo-bkpsdm-1"), case_id=case_id), notify_deps_for(configured))
    client = app.test_client()
    headers = auth("kukar-supervisor")
    other = uuid.uuid4().hex[:24]
    same_shape(
        client.get(f"/v1/cases/{case_id}/deliveries", headers=headers),
        client.get(f"/v1/cases/{other}/deliveries", headers=headers),
        (case_id, other),
    )
    # The detail quotes the officer id, so the random one has the same length.
    same_shape(
        client.get("/v1/recipients/karo-bkpsdm-1/preferences", headers=headers),
        client.get("/v1/recipients/karo-bkpsdm-9/preferences", headers=headers),
        ("karo-bkpsdm-1", "karo-bkpsdm-9"),
    )
