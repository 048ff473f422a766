"""People's sessions: the credential the console holds for a signed-in person.

A session token (``pns_<prefix>_<secret>``) is used exactly like an officer's API key, so
intake, triage and notify see the person as themselves (their officer id, role and region)
and enforce tenancy, roles and the audit trail as they always do. It lives here, beside the
keys, so that ending it is one write that every service honours: at once in intake, and in
triage and notify as soon as their few seconds of cached answers run out.

A session ends after ``idle`` without use (OWASP: 15-30 minutes), ``absolute`` after it
started whatever happens (a working day), at sign-out, when its person signs out everywhere
or sets a new password, and when a supervisor deactivates the person or changes their role.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from pymongo.collection import Collection

from services.intake.access.account_models import PersonSession
from services.intake.access.tokens import digest, new_prefix, new_secret
from shared.auth import Principal

TOKEN_KIND: Final = "pns"  # noqa: S105 (a token's kind, not a secret)
# Writing last use at every request would double the writes of a busy page; a minute of
# imprecision on a 30-minute idle limit is harmless.
TOUCH_EVERY: Final = timedelta(seconds=60)

Document = dict[str, Any]


@dataclass(frozen=True)
class Client:
    """Where a person signs in from, as the console saw it (for the log and the throttle)."""

    address: str | None = None
    agent: str | None = None


@dataclass(frozen=True)
class Lifetimes:
    idle: timedelta
    absolute: timedelta


def collection() -> Collection[Document]:
    found: Collection[Document] = PersonSession._get_collection()
    return found


def start(
    officer: Mapping[str, Any],
    *,
    second_factor: bool,
    client: Client,
    lifetimes: Lifetimes,
    now: datetime,
) -> str:
    """Open a session for a directory entry; returns the token (shown once)."""
    prefix = new_prefix(12)
    secret = new_secret()
    collection().insert_one(
        {
            "_id": prefix,
            "secret_hash": digest(secret),
            "officer_id": officer["_id"],
            "region": officer["region"],
            "role": officer["role"],
            "name": officer["name"],
            "second_factor": second_factor,
            "created_at": now,
            "last_seen_at": now,
            "expires_at": now + lifetimes.absolute,
            "client_address": client.address,
            "client_agent": (client.agent or "")[:300] or None,
        }
    )
    return f"{TOKEN_KIND}_{prefix}_{secret}"


def is_session_token(token: str) -> bool:
    return token.startswith(TOKEN_KIND + "_")


def prefix_of(token: str) -> str | None:
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_KIND or not parts[1] or not parts[2]:
        return None
    return parts[1]


def authenticate(
    token: str,
    lifetimes: Lifetimes,
    now: datetime,
    on_expired: Callable[[Document, str], None] | None = None,
) -> Principal | None:
    """The person a live session token belongs to, or None (unknown, ended or expired).

    ``on_expired`` hears of a session found past its idle or absolute limit ("idle" or
    "absolute"), once: the one request that finds it ends it.
    """
    prefix = prefix_of(token)
    if prefix is None:
        return None
    doc = collection().find_one({"_id": prefix})
    if doc is None or not hmac.compare_digest(doc["secret_hash"], digest(token.split("_", 2)[2])):
        return None
    if now >= doc["expires_at"] or now - doc["last_seen_at"] > lifetimes.idle:
        ended = collection().delete_one({"_id": prefix}).deleted_count
        if ended and on_expired is not None:
            on_expired(doc, "absolute" if now >= doc["expires_at"] else "idle")
        return None
    if now - doc["last_seen_at"] >= TOUCH_EVERY:
        collection().update_one(
            {"_id": prefix, "last_seen_at": doc["last_seen_at"]}, {"$set": {"last_seen_at": now}}
        )
    return Principal(
        key_prefix=prefix,
        name=doc["name"],
        region=doc["region"],
        role=doc["role"],
        officer_id=doc["officer_id"],
        kind="session",
    )


def end(prefix: str) -> Document | None:
    """End one session; the ended session's document, or None if there was none."""
    found: Document | None = collection().find_one_and_delete({"_id": prefix})
    return found


def end_all(officer_id: str, *, keep: str | None = None) -> int:
    """End every session of a person (except ``keep``); how many were ended."""
    query: Document = {"officer_id": officer_id}
    if keep is not None:
        query["_id"] = {"$ne": keep}
    return int(collection().delete_many(query).deleted_count)


def listing(scope: Document, now: datetime, idle: timedelta, limit: int = 500) -> list[Document]:
    """Live sessions in ``scope`` (a query on region), most recently used first."""
    docs = (
        collection()
        .find(
            {**scope, "expires_at": {"$gt": now}, "last_seen_at": {"$gt": now - idle}},
            {"secret_hash": 0},
        )
        .sort("last_seen_at", -1)
        .limit(limit)
    )
    return list(docs)
