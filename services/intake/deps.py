"""What intake's views need besides the request, built once per process by ``create_app``."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app

from services.intake.access.vault import Vault, VaultError, parse_key
from services.intake.cases.idempotency import IdempotencyStore
from shared import mongo
from shared.ratelimit import SharedLimiter
from shared.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class IntakeDeps:
    settings: Settings
    vault: Vault | None
    idempotency: IdempotencyStore
    limiter: SharedLimiter


def build(settings: Settings) -> IntakeDeps:
    """Wire the dependencies (no socket is opened until first use)."""
    vault: Vault | None = None
    encoded = settings.vault_key.get_secret_value()
    if encoded:
        try:
            vault = Vault(parse_key(encoded))
        except VaultError:
            # A wrong key must stop the service, not silently store identities unreadably.
            raise
    else:
        log.warning("no PANTAU_VAULT_KEY: reports with a reporter identity will be refused")
    db = mongo.database("intake")
    return IntakeDeps(
        settings=settings,
        vault=vault,
        idempotency=IdempotencyStore(db["idempotency"]),
        limiter=SharedLimiter(db["rate_limits"]),
    )


def deps() -> IntakeDeps:
    """The current app's dependencies."""
    found: IntakeDeps = current_app.extensions["pantau.intake"]
    return found
