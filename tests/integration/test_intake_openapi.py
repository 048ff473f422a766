"""The OpenAPI document is valid, covers every route, and real answers match it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from services.intake.app import create_app
from services.intake.bootstrap import ensure_indexes
from services.intake.keys import create_key
from shared.settings import Settings
from tests.support.builders import case_payload

_OPS_ROUTES = {"/healthz", "/readyz", "/metrics", "/openapi.json"}


@pytest.fixture
def app(settings: Settings) -> Flask:
    app = create_app(settings=settings)
    ensure_indexes()
    return app


@pytest.fixture
def doc(app: Flask) -> dict[str, Any]:
    body: dict[str, Any] = app.test_client().get("/openapi.json").get_json()
    return body


class Checker:
    """Validates an answer against the document's schema for its operation and status."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        resource = Resource.from_contents(doc, default_specification=DRAFT202012)
        self.registry: Registry[Any] = Registry().with_resource("urn:intake", resource)

    def check(self, path: str, method: str, response: Any) -> None:
        operation = self.doc["paths"][path][method]
        status = str(response.status_code)
        assert status in operation["responses"], f"{method} {path} answered undocumented {status}"
        documented = operation["responses"][status]
        if "content" not in documented:
            assert not response.get_data()
            return
        content_type = response.mimetype
        assert content_type in documented["content"], (path, status, content_type)
        schema = documented["content"][content_type]["schema"]
        ref = {"$ref": "urn:intake" + schema["$ref"]}
        errors = list(
            Draft202012Validator(ref, registry=self.registry).iter_errors(response.get_json())
        )
        assert not errors, [e.message for e in errors]


def test_document_is_valid_openapi_31(doc: dict[str, Any]) -> None:
    assert doc["openapi"].startswith("3.1")
    validate(doc)


def test_every_route_is_documented(app: Flask, doc: dict[str, Any]) -> None:
    for rule in app.url_map.iter_rules():
        if rule.rule in _OPS_ROUTES or rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        assert path in doc["paths"], f"{rule.rule} is not in the OpenAPI document"
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            assert method.lower() in doc["paths"][path], f"{method} {rule.rule} undocumented"


def test_real_answers_match_the_document(app: Flask, doc: dict[str, Any]) -> None:
    client: FlaskClient = app.test_client()
    checker = Checker(doc)
    token = create_key(name="Karo", region="12.06", role="submitter")[0]
    officer = create_key(name="Officer", region="12.06", role="officer")[0]
    supervisor = create_key(name="Supervisor", region="12.06", role="supervisor")[0]
    operator = create_key(name="Operator", region="12", role="operator")[0]
    h = {"Authorization": f"Bearer {token}"}

    created = client.post(
        "/v1/cases",
        json=case_payload(
            reporter={"name": "Siti Rahmawati", "phone": "081260001234", "anonymous": False}
        ),
        headers=h,
    )
    checker.check("/v1/cases", "post", created)
    case_id = created.get_json()["id"]
    checker.check("/v1/cases", "post", client.post("/v1/cases", json={"title": 1}, headers=h))
    checker.check("/v1/cases", "post", client.post("/v1/cases", json=case_payload()))
    checker.check(
        "/v1/cases:batch",
        "post",
        client.post("/v1/cases:batch", json={"cases": [case_payload(), {"title": ""}]}, headers=h),
    )
    oh = {"Authorization": f"Bearer {officer}"}
    checker.check("/v1/cases", "get", client.get("/v1/cases?limit=1", headers=oh))
    checker.check("/v1/cases", "get", client.get("/v1/cases?limit=0", headers=oh))
    checker.check("/v1/cases/{case_id}", "get", client.get(f"/v1/cases/{case_id}", headers=oh))
    checker.check("/v1/cases/{case_id}", "get", client.get("/v1/cases/nope", headers=oh))
    reveal = f"/v1/cases/{case_id}/reporter:reveal"
    checker.check(
        "/v1/cases/{case_id}/reporter:reveal",
        "post",
        client.post(
            reveal,
            json={"reason": "klarifikasi kepada pelapor"},
            headers={"Authorization": f"Bearer {supervisor}"},
        ),
    )
    checker.check(
        "/v1/cases/{case_id}/reporter:reveal",
        "post",
        client.post(reveal, json={"reason": "klarifikasi kepada pelapor"}, headers=oh),
    )
    ah = {"Authorization": f"Bearer {operator}"}
    checker.check("/v1/access-log", "get", client.get("/v1/access-log", headers=ah))
    code = created.get_json()["tracking_code"]
    checker.check("/v1/track/{code}", "get", client.get(f"/v1/track/{code}"))
    checker.check("/v1/track/{code}", "get", client.get("/v1/track/XXXX"))
    checker.check("/v1/auth/whoami", "get", client.get("/v1/auth/whoami", headers=oh))
    made = client.post(
        "/v1/keys", json={"name": "n", "region": "12.06", "role": "officer"}, headers=ah
    )
    checker.check("/v1/keys", "post", made)
    checker.check("/v1/keys", "get", client.get("/v1/keys", headers=ah))
    checker.check(
        "/v1/keys/{prefix}",
        "delete",
        client.delete(f"/v1/keys/{made.get_json()['prefix']}", headers=ah),
    )
