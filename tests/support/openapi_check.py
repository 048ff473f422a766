"""Checks a real answer against the OpenAPI document of the app that gave it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from flask import Flask
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

# Served by every app outside its API: probes, metrics and the document itself.
OPS_ROUTES = frozenset({"/healthz", "/readyz", "/metrics", "/openapi.json"})


class Checker:
    """Validates an answer against the document's schema for its operation and status."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        resource = Resource.from_contents(doc, default_specification=DRAFT202012)
        self.registry: Registry[Any] = Registry().with_resource("urn:doc", resource)
        self.seen: set[tuple[str, str, str]] = set()

    def check(self, path: str, method: str, response: Any) -> Any:
        """Fail unless the answer's status, content type and body are documented; the body."""
        operation = self.doc["paths"][path][method]
        status = str(response.status_code)
        assert status in operation["responses"], (
            f"{method} {path} answered undocumented {status}: {response.get_data()[:300]!r}"
        )
        self.seen.add((method, path, status))
        documented = operation["responses"][status]
        if "content" not in documented:
            assert not response.get_data()
            return None
        content_type = response.mimetype
        assert content_type in documented["content"], (path, status, content_type)
        schema = documented["content"][content_type]["schema"]
        body = response.get_json()
        errors = list(
            Draft202012Validator(
                _rooted(schema),
                registry=self.registry,
                format_checker=Draft202012Validator.FORMAT_CHECKER,
            ).iter_errors(body)
        )
        assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]
        return body


def _rooted(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with its local references pointed into the registered document."""
    if "$ref" in schema:
        return {"$ref": "urn:doc" + schema["$ref"]}
    if "anyOf" in schema:
        return {"anyOf": [_rooted(s) for s in schema["anyOf"]]}
    return schema


def undocumented_routes(app: Flask, doc: dict[str, Any]) -> list[str]:
    """Every (method, rule) of the app's url_map that the document does not describe."""
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.rule in OPS_ROUTES or rule.endpoint == "static":
            continue
        # <case_id>, <path:x>, <any(a, b):kind> → {case_id}, {x}, {kind}
        path = re.sub(r"<(?:[^<>:]+:)?([A-Za-z_]\w*)>", r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if method.lower() not in doc["paths"].get(path, {}):
                missing.append(f"{method} {rule.rule}")
    return missing


def served_document(app: Flask) -> dict[str, Any]:
    """The document the app serves at /openapi.json."""
    answer = app.test_client().get("/openapi.json")
    assert answer.status_code == 200, answer.get_data()[:300]
    body: dict[str, Any] = answer.get_json()
    return body


def assert_valid_openapi_31(doc: dict[str, Any]) -> None:
    assert doc["openapi"].startswith("3.1")
    validate(doc)


def unauthenticated_operations(doc: dict[str, Any]) -> list[str]:
    """Operations the document lets through without a key."""
    return [
        f"{method.upper()} {path}"
        for path, operations in doc["paths"].items()
        for method, operation in operations.items()
        if not operation.get("security")
    ]


def undocumented_refusals(
    doc: dict[str, Any],
    *,
    always: Sequence[str] = ("401", "403", "503"),
    with_body: Sequence[str] = ("400", "413", "415", "422"),
) -> list[str]:
    """Authenticated operations whose document omits an answer every one of them can give
    (``always``, and ``with_body`` too for those that take a body); empty when none does."""
    missing = []
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            if not operation.get("security"):
                continue
            wanted = set(always) | (set(with_body) if "requestBody" in operation else set())
            absent = sorted(wanted - set(operation["responses"]))
            if absent:
                missing.append(f"{method.upper()} {path}: {', '.join(absent)}")
    return missing
