"""A key revoked by another process stops working here as soon as the change stream says so."""

from __future__ import annotations

from datetime import UTC, datetime

from flask.testing import FlaskClient

from services.intake.access.keys import _cache, create_key
from services.intake.access.models import ApiKey
from services.intake.app import create_app
from services.intake.bootstrap import ensure_indexes
from shared.settings import Settings
from tests.support.waiting import eventually


def test_revocation_elsewhere_reaches_this_process(settings: Settings) -> None:
    app = create_app(settings=settings)
    ensure_indexes()
    client: FlaskClient = app.test_client()
    token, record = create_key(name="Diskominfo Karo", region="12.06", role="officer")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/v1/auth/whoami", headers=headers).status_code == 200
    eventually(lambda: _cache._watching.is_set(), timeout=10)
    assert client.get("/v1/auth/whoami", headers=headers).status_code == 200
    assert record.prefix in _cache._entries  # now served from memory
    # Another replica revokes the key: a plain database write, nothing in this process.
    ApiKey._get_collection().update_one(
        {"prefix": record.prefix}, {"$set": {"revoked_at": datetime.now(UTC)}}
    )
    eventually(lambda: client.get("/v1/auth/whoami", headers=headers).status_code == 401, timeout=5)
    # Whatever the cache holds now is the revoked record, read after the eviction.
    cached = _cache._entries.get(record.prefix)
    assert cached is None or cached[1].get("revoked_at") is not None
