"""``Idempotency-Key``: a retried request gets the first answer, never a second case.

The first request with a key claims it (a unique ``_id``), does the work and stores the
answer; a retry with the same key and body replays that answer; the same key with another
body is refused. A retry that arrives while the first is still working waits for it briefly.
Only successful answers are kept, so a clerk can correct a refused request and send it again
with the same key. Keys are scoped to the API key that sent them and kept for 24 hours.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from shared.problems import Problem

KEEP = timedelta(hours=24)
# A claim older than this belongs to a request that died; a retry may take it over.
STALE = timedelta(seconds=60)
WAIT_FOR_FIRST = 10.0


@dataclass(frozen=True)
class Replay:
    """A stored answer to send again."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str]


def body_fingerprint(payload: Any) -> str:
    """The same JSON, however its keys were ordered, gives the same fingerprint."""
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_key(raw: str) -> str:
    if not 1 <= len(raw) <= 255 or not raw.isascii() or not raw.isprintable():
        raise Problem(
            400,
            "Idempotency-Key must be 1-255 printable ASCII characters (a UUID is a good choice).",
        )
    return raw


class IdempotencyStore:
    def __init__(self, collection: Collection[dict[str, Any]]) -> None:
        self.collection = collection

    def ensure_indexes(self) -> None:
        self.collection.create_index("expires_at", expireAfterSeconds=0, name="expiry")

    def begin(self, scope: str, key: str, fingerprint: str) -> Replay | None:
        """Claim ``key`` (None: go ahead and do the work) or return the answer to replay."""
        _id = f"{scope}:{key}"
        deadline = time.monotonic() + WAIT_FOR_FIRST
        while True:
            now = datetime.now(UTC)
            try:
                self.collection.insert_one(
                    {
                        "_id": _id,
                        "fingerprint": fingerprint,
                        "state": "working",
                        "claimed_at": now,
                        "expires_at": now + KEEP,
                    }
                )
                return None
            except DuplicateKeyError:
                pass
            doc = self.collection.find_one({"_id": _id})
            if doc is None:
                continue  # expired or abandoned between our two calls: claim again
            if doc["fingerprint"] != fingerprint:
                raise Problem(
                    422,
                    "This Idempotency-Key was already used with a different request body. "
                    "Use a new key for a new request.",
                )
            if doc["state"] == "done":
                return Replay(doc["status"], doc["body"], doc.get("headers", {}))
            if doc["claimed_at"] < now - STALE:
                taken = self.collection.find_one_and_update(
                    {"_id": _id, "state": "working", "claimed_at": doc["claimed_at"]},
                    {"$set": {"claimed_at": now}},
                    return_document=ReturnDocument.AFTER,
                )
                if taken is not None:
                    return None
            if time.monotonic() > deadline:
                raise Problem(
                    409,
                    "A request with this Idempotency-Key is still being processed; retry shortly.",
                    headers={"Retry-After": "2"},
                )
            time.sleep(0.05)

    def finish(
        self, scope: str, key: str, status: int, body: dict[str, Any], headers: dict[str, str]
    ) -> None:
        self.collection.update_one(
            {"_id": f"{scope}:{key}"},
            {"$set": {"state": "done", "status": status, "body": body, "headers": headers}},
        )

    def abandon(self, scope: str, key: str) -> None:
        self.collection.delete_one({"_id": f"{scope}:{key}", "state": "working"})
