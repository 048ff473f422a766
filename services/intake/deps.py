"""What intake's views need besides the request, built once per process by ``create_app``."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from services.intake.access.sessions import Lifetimes
from services.intake.access.sign_in import Door, Throttle
from services.intake.access.vault import Vault, VaultError, parse_key
from services.intake.cases.idempotency import IdempotencyStore
from shared import client_stand_ins, mongo
from shared.ratelimit import SharedLimiter
from shared.sealed_contacts import ContactSeal, seal_from
from shared.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class IntakeDeps:
    settings: Settings
    vault: Vault | None
    idempotency: IdempotencyStore
    limiter: SharedLimiter
    door: Door
    # Keys the stand-ins of callers' addresses that per-address limits store.
    client_key: bytes
    # Seals a citizen's contact for notify (None: no PANTAU_RECEIPT_KEY, no receipts).
    receipts: ContactSeal | None


def build(settings: Settings) -> IntakeDeps:
    """Wire the dependencies (no socket is opened until first use)."""
    vault: Vault | None = None
    encoded = settings.vault_key.get_secret_value()
    vault_key = b""
    if encoded:
        try:
            vault_key = parse_key(encoded)
            vault = Vault(vault_key)
        except VaultError:
            # A wrong key must stop the service, not silently store identities unreadably.
            raise
    else:
        log.warning(
            "no PANTAU_VAULT_KEY: reports with a reporter identity will be refused, and "
            "callers' addresses are stored as hashes without a secret key"
        )
    db = mongo.database("intake")
    limiter = SharedLimiter(db["rate_limits"])
    return IntakeDeps(
        settings=settings,
        vault=vault,
        idempotency=IdempotencyStore(db["idempotency"]),
        limiter=limiter,
        client_key=client_stand_ins.key_from(vault_key, "intake"),
        receipts=receipt_seal(settings),
        door=Door(
            vault=vault,
            limiter=limiter,
            lifetimes=lifetimes(settings),
            throttle=Throttle(
                per_account=settings.sign_in_failures_per_account,
                per_address=settings.sign_in_rate_per_address,
            ),
        ),
    )


def receipt_seal(settings: Settings) -> ContactSeal | None:
    """The seal for receipts' contacts; a key that is no key stops the service."""
    seal = seal_from(settings.receipt_key.get_secret_value())
    if seal is None:
        log.warning("no PANTAU_RECEIPT_KEY: citizens' tracking codes are shown, not sent to them")
    return seal


def lifetimes(settings: Settings) -> Lifetimes:
    """How long people's sessions live, from the settings."""
    return Lifetimes(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_absolute_hours),
    )


def deps() -> IntakeDeps:
    """The current app's dependencies."""
    found: IntakeDeps = current_app.extensions["pantau.intake"]
    return found
