"""The HTTP frame every service shares: problem details, request ids, health, metrics."""

from __future__ import annotations

import pytest
from flask import Flask

from shared.problems import Problem
from shared.request_input import json_body
from shared.settings import Settings
from shared.web import create_base_app


@pytest.fixture
def app() -> Flask:
    state = {"db": True}
    app = create_base_app(
        "intake", Settings(max_body_bytes=64), readiness={"mongodb": lambda: state["db"]}
    )
    app.config["state"] = state

    @app.post("/echo")
    def echo() -> dict[str, object]:
        return {"got": json_body(64)}

    @app.get("/boom")
    def boom() -> dict[str, object]:
        raise RuntimeError("secret internal detail")

    @app.get("/refuse")
    def refuse() -> dict[str, object]:
        raise Problem(409, "Stale version.", errors=[{"field": "version", "message": "old"}])

    return app


def test_unknown_route_is_a_problem_document(app: Flask) -> None:
    answer = app.test_client().get("/nowhere")
    assert answer.status_code == 404
    assert answer.mimetype == "application/problem+json"
    body = answer.get_json()
    assert body["status"] == 404
    assert body["instance"] == "/nowhere"
    assert body["request_id"] == answer.headers["X-Request-ID"]


def test_wrong_method_lists_the_allowed_ones(app: Flask) -> None:
    answer = app.test_client().get("/echo")
    assert answer.status_code == 405
    assert "POST" in answer.headers["Allow"]
    assert answer.mimetype == "application/problem+json"


def test_unexpected_error_reveals_nothing(app: Flask) -> None:
    answer = app.test_client().get("/boom")
    assert answer.status_code == 500
    assert "secret" not in answer.get_data(as_text=True)
    assert "Traceback" not in answer.get_data(as_text=True)
    assert answer.get_json()["request_id"]


def test_problem_carries_field_errors(app: Flask) -> None:
    body = app.test_client().get("/refuse").get_json()
    assert body["status"] == 409
    assert body["errors"] == [{"field": "version", "message": "old"}]


def test_body_limits_and_content_types(app: Flask) -> None:
    client = app.test_client()
    assert client.post("/echo", json={"a": 1}).get_json() == {"got": {"a": 1}}
    big = client.post("/echo", json={"a": "x" * 200})
    assert big.status_code == 413
    assert big.mimetype == "application/problem+json"
    assert client.post("/echo", data="a=1").status_code == 415
    empty = client.post("/echo", data="", content_type="application/json")
    assert empty.status_code == 400
    broken = client.post("/echo", data='{"a": ', content_type="application/json")
    assert broken.status_code == 400
    assert "line 1" in broken.get_json()["detail"]


def test_callers_request_id_is_kept_only_when_plain(app: Flask) -> None:
    client = app.test_client()
    kept = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert kept.headers["X-Request-ID"] == "abc-123"
    forged = client.get("/healthz", headers={"X-Request-ID": 'x" {"level":"ERROR"}'})
    assert forged.headers["X-Request-ID"] != 'x" {"level":"ERROR"}'


def test_readiness_reports_the_failing_check(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    app.config["state"]["db"] = False
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.get_json()["checks"] == {"mongodb": "failing"}


def test_metrics_count_requests_by_route(app: Flask) -> None:
    client = app.test_client()
    client.get("/healthz")
    text = client.get("/metrics").get_data(as_text=True)
    assert (
        'pantau_http_requests_total{method="GET",route="/healthz",service="intake",status="200"}'
        in text
    )
