"""An unreachable database is a temporary 503 with Retry-After, never a 500."""

from __future__ import annotations

import mongoengine
import pytest
from flask import Flask
from pymongo.errors import (
    AutoReconnect,
    ConnectionFailure,
    ServerSelectionTimeoutError,
    WTimeoutError,
)

from shared import mongo
from shared.settings import Settings
from shared.web import create_base_app


@pytest.fixture
def app() -> Flask:
    app = create_base_app("intake", Settings(), readiness={"mongodb": lambda: False})

    @app.get("/raise/<name>")
    def raise_(name: str) -> dict[str, object]:
        kinds: dict[str, Exception] = {
            "selection": ServerSelectionTimeoutError("127.0.0.1:27017: connection refused"),
            "reconnect": AutoReconnect("connection closed"),
            "failure": ConnectionFailure("no route"),
            # A majority did not confirm the write in time (most of the replica set is down).
            "unconfirmed": WTimeoutError(
                "waiting for replication timed out at 127.0.0.1:27017", 64, {}
            ),
        }
        raise kinds[name]

    return app


@pytest.mark.parametrize("name", ["selection", "reconnect", "failure", "unconfirmed"])
def test_database_unreachable_is_503_with_retry_after(app: Flask, name: str) -> None:
    answer = app.test_client().get(f"/raise/{name}")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    assert answer.mimetype == "application/problem+json"
    body = answer.get_json()
    assert body["status"] == 503
    assert body["request_id"] == answer.headers["X-Request-ID"]
    # The driver's message names hosts and ports; a client never sees it.
    assert "27017" not in answer.get_data(as_text=True)


def test_other_errors_stay_500(app: Flask) -> None:
    @app.get("/boom")
    def boom() -> dict[str, object]:
        raise RuntimeError("not a database problem")

    assert app.test_client().get("/boom").status_code == 500


def test_every_write_waits_for_a_journaled_majority_within_a_bound() -> None:

    mongo.connect(Settings(db_prefix="wc"), "wc-check")
    try:
        client = mongoengine.get_connection(alias="wc-check")
        assert client.write_concern.document == {
            "w": "majority",
            "j": True,
            "wtimeout": mongo.MAJORITY_WAIT_MS,
        }
    finally:
        mongo.disconnect("wc-check")
