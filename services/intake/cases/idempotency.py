"""``Idempotency-Key``: a retried request gets the first answer, never a second case.

The first request with a key claims it (a unique ``_id``), does the work and stores the
answer; a retry with the same key and body replays that answer; the same key with another
body is refused. A retry that arrives while the first is still working waits for it briefly.
Only successful answers are kept, so a clerk can correct a refused request and send it again
with the same key. Keys are scoped to the API key that sent them and kept for 24 hours.

A claim reserves the ids of the cases its request creates. When the database fails over in
the middle of a request, whether the case was kept is unknown (a write no majority confirmed
may still survive); the claim is then left ``unsure`` instead of being dropped, and the retry
takes it over at once and does the work again with the same ids, so a case that did survive
is found by its id and answered, never filed a second time.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument, WriteConcern
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError, PyMongoError

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


@dataclass(frozen=True)
class Claim:
    """Go ahead: the key is this request's, with the ids its cases are to have."""

    seed: ObjectId

    def object_id(self, index: int = 0) -> ObjectId:
        """The id of the request's ``index``-th case: the seed's time, the rest derived, so
        every attempt of the request names the same cases."""
        if index == 0:
            return self.seed
        tail = hashlib.sha256(f"{self.seed}:{index}".encode()).digest()[:8]
        return ObjectId(self.seed.binary[:4] + tail)


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

    def begin(self, scope: str, key: str, fingerprint: str) -> Replay | Claim:
        """Claim ``key`` (a Claim: go ahead and do the work) or return the answer to replay."""
        _id = f"{scope}:{key}"
        deadline = time.monotonic() + WAIT_FOR_FIRST
        while True:
            now = datetime.now(UTC)
            seed = ObjectId()
            try:
                self.collection.insert_one(
                    {
                        "_id": _id,
                        "fingerprint": fingerprint,
                        "state": "working",
                        "seed": seed,
                        "claimed_at": now,
                        "expires_at": now + KEEP,
                    }
                )
                return Claim(seed)
            except DuplicateKeyError:
                pass
            except PyMongoError:
                # The claim may exist without the request ever doing its work: the retry may
                # have it at once.
                self.unsure(scope, key)
                raise
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
            if doc["state"] == "unsure" or doc["claimed_at"] < now - STALE:
                taken = self.collection.find_one_and_update(
                    {"_id": _id, "state": doc["state"], "claimed_at": doc["claimed_at"]},
                    {"$set": {"state": "working", "claimed_at": now}},
                    return_document=ReturnDocument.AFTER,
                )
                if taken is not None:
                    return Claim(taken.get("seed") or seed)
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
        """The request failed and stored nothing: the key is free for a corrected request."""
        self.collection.delete_one({"_id": f"{scope}:{key}", "state": "working"})

    def unsure(self, scope: str, key: str) -> None:
        """The request failed on the database and may have stored its cases: the retry takes
        the claim over at once, with its ids. Written without waiting for a majority (the
        database is failing over) and best effort: a claim left ``working`` is taken over
        once stale, with the same ids."""
        quick = self.collection.with_options(write_concern=WriteConcern(w=1))
        try:
            quick.update_one(
                {"_id": f"{scope}:{key}", "state": "working"}, {"$set": {"state": "unsure"}}
            )
        except PyMongoError:
            return
