"""The console's service keys, provisioned by configuration.

A deployment (docker compose, Kubernetes) sets ``PANTAU_CONSOLE_KEY`` and ``PANTAU_PUBLIC_KEY``
from its secrets for both intake and the console; intake's worker registers them at start
(only their hash is stored, as for every key), so the console can sign people in and file
citizens' reports without an operator creating keys by hand first. A key already stored is
left alone: revoking it in the database wins over the configuration until the secret changes.
"""

from __future__ import annotations

import logging
from typing import Final

from mongoengine.errors import NotUniqueError

from services.intake.access.keys import hash_secret
from services.intake.access.models import ApiKey
from shared.settings import Settings

log = logging.getLogger(__name__)

# Both roles are not bound to their key's region (a deployment's console serves all of it);
# the region stored is the province of the first regency only because every key has one.
_ROLES: Final = (
    ("console_key", "console", "Pantau console"),
    ("public_key", "public", "Pantau public pages"),
)


class MalformedServiceKey(ValueError):
    """A configured key that is not of the form ``pnt_<prefix>_<secret>``."""


def register_configured(settings: Settings, region: str = "12") -> list[str]:
    """Store the configured service keys that are not stored yet; the roles registered."""
    registered: list[str] = []
    for setting, role, name in _ROLES:
        token = getattr(settings, setting).get_secret_value()
        if not token:
            continue
        parts = token.split("_", 2)
        if len(parts) != 3 or parts[0] != "pnt" or len(parts[1]) < 8 or len(parts[2]) < 32:
            raise MalformedServiceKey(
                f"PANTAU_{setting.upper()} must look like pnt_<8+ letters>_<32+ characters>"
            )
        try:
            ApiKey(
                prefix=parts[1],
                secret_hash=hash_secret(parts[2]),
                name=name,
                region=region,
                role=role,
            ).save(force_insert=True)
        except NotUniqueError:
            continue
        log.info("service key registered", extra={"role": role, "prefix": parts[1]})
        registered.append(role)
    return registered
