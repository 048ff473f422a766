"""Every HTTP app boots while MongoDB is unreachable and says so on /readyz.

A gunicorn worker that restarts during a database outage must come up (gunicorn stops the
whole app when a worker fails to boot); readiness, not a crash, reports the outage.
"""

from __future__ import annotations

import importlib

import mongoengine
import pytest

from services.cli.infra import free_port
from shared.settings import Settings


@pytest.mark.parametrize("service", ["intake", "triage", "notify"])
def test_app_boots_and_reports_the_outage(service: str, settings: Settings) -> None:
    gone = settings.model_copy(
        update={"mongo_url": f"mongodb://127.0.0.1:{free_port()}/?serverSelectionTimeoutMS=500"}
    )
    mongoengine.disconnect(alias=service)
    app = importlib.import_module(f"services.{service}.app").create_app(settings=gone)
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json()["checks"]["mongodb"] == "failing"
