"""A key revoked by another process stops working here as soon as the change stream says so."""

from __future__ import annotations

from datetime import UTC, datetime

from flask.testing import FlaskClient

from services.intake.access.keys import _cache, create_key, revoke
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
    eventually(_cache.following.is_set, timeout=10)
    assert client.get("/v1/auth/whoami", headers=headers).status_code == 200
    # Now served from memory (how a followed document is kept: test_followed_documents).
    # Another replica revokes the key: a plain database write, nothing in this process.
    ApiKey._get_collection().update_one(
        {"prefix": record.prefix}, {"$set": {"revoked_at": datetime.now(UTC)}}
    )
    eventually(lambda: client.get("/v1/auth/whoami", headers=headers).status_code == 401, timeout=5)
    # Whatever the cache holds now is the revoked record, read after the eviction.
    assert (_cache.read(record.prefix) or {}).get("revoked_at") is not None
    # Revoked here, through the API's own path, it is forgotten at once.
    other, second = create_key(name="BKPSDM Karo", region="12.06", role="officer")
    second_headers = {"Authorization": f"Bearer {other}"}
    assert client.get("/v1/auth/whoami", headers=second_headers).status_code == 200
    assert revoke(second.prefix)
    assert client.get("/v1/auth/whoami", headers=second_headers).status_code == 401
