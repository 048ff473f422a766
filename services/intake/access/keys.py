"""API keys: random, shown once, stored as a hash, found by a short prefix, revocable."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from services.intake.access.models import ApiKey
from services.intake.directory.officers import lookup
from shared.auth import ROLES, Principal
from shared.followed import FollowedDocuments
from shared.regions import parse_region_code

_PREFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


# One per process: created at import but it reads nothing until the first request (after fork).
# Every request needs its key checked, and reading it costs more CPU than the rest of a
# submission's own work: each process keeps what it read while a change stream says nothing
# changed, so a revocation in any process of any replica takes effect as soon as the stream
# reports it.
_cache = FollowedDocuments(
    lambda: ApiKey._get_collection(),
    field="prefix",
    projection={
        "secret_hash": 1,
        "name": 1,
        "region": 1,
        "role": 1,
        "officer_id": 1,
        "revoked_at": 1,
    },
    limit=50_000,
    background=True,
)


def hash_secret(secret: str) -> str:
    """The stored form of a key's secret. It is 256 random bits (or a long configured secret),
    so a fast hash is enough: there is nothing to brute-force."""
    return hashlib.sha256(secret.encode()).hexdigest()


class OfficerLinkRefused(ValueError):
    """The key cannot name this officer (unknown, deactivated, or of another region)."""


def check_officer_link(officer_id: str, region: str) -> None:
    """Refuse to tie a key of ``region`` to anyone but an active officer of that region."""
    entry = lookup(officer_id)
    if entry is None:
        raise OfficerLinkRefused(f"no active officer {officer_id!r} in the directory")
    if entry["region"] != region:
        raise OfficerLinkRefused(
            f"officer {officer_id} works in {entry['region']}, not in {region}"
        )


def create_key(
    name: str, region: str, role: str, officer_id: str | None = None
) -> tuple[str, ApiKey]:
    """Create a key and return the full token (to show once) and its stored record.

    ``officer_id`` makes it a person's key: what it does is attributed to that officer.
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of: {', '.join(ROLES)}")
    region = parse_region_code(region).code
    name = name.strip()
    if not name:
        raise ValueError("a key needs a name saying whose it is")
    if officer_id is not None:
        check_officer_link(officer_id, region)
    prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(10))
    secret = secrets.token_urlsafe(32)
    record = ApiKey(
        prefix=prefix,
        secret_hash=hash_secret(secret),
        name=name,
        region=region,
        role=role,
        officer_id=officer_id,
    )
    record.save(force_insert=True)
    return f"pnt_{prefix}_{secret}", record


def authenticate(token: str) -> Principal | None:
    """The principal of a bearer token, or None when unknown, malformed or revoked."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != "pnt" or not parts[1] or not parts[2]:
        return None
    record = _cache.read(parts[1])
    if record is None or record.get("revoked_at") is not None:
        return None
    if not hmac.compare_digest(record["secret_hash"], hash_secret(parts[2])):
        return None
    return Principal(
        key_prefix=parts[1],
        name=record["name"],
        region=record["region"],
        role=record["role"],
        officer_id=record.get("officer_id"),
    )


def revoke(prefix: str) -> bool:
    """Revoke a key by prefix; it stops working at the next request.

    This process forgets it at once; the others hear of it through their change streams.
    """
    updated = ApiKey.objects(prefix=prefix, revoked_at=None).update(
        set__revoked_at=datetime.now(UTC)
    )
    _cache.forget(prefix)
    return bool(updated)
