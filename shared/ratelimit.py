"""Rate limits that hold across every replica: fixed windows counted in MongoDB.

Counting every request in the database costs as much CPU as a whole submission, so each
process takes a share of the window's budget from the shared count at once (a lease) and
spends it locally. A lease is a twentieth of what the window has left when it is taken,
computed by the database in the same atomic update, so shares shrink to single requests as
the budget runs out and a small limit is counted exactly. A limit is never overshot: what a
process may spend was added to the shared count before it spent it. The price is the other
way and small: a share a process has taken and not spent (it stopped getting requests, or
crashed) is lost to the others for the rest of the window. Old windows expire through a TTL
index.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ReturnDocument, WriteConcern
from pymongo.collection import Collection

SHARE_DIVISOR = 20
_MAX_BUCKETS = 20_000


@dataclass(frozen=True)
class Verdict:
    """Whether a request may go ahead, and when to come back if not."""

    allowed: bool
    remaining: int
    retry_after: int


@dataclass
class _Bucket:
    window_start: int
    shared: int = 0  # the window's count across all processes (leases included), as last read
    left: int = 0  # leased by this process and not spent yet

    def spend(self, count: int) -> bool:
        """Take ``count`` from this process's share, if it holds that much."""
        if self.left < count:
            return False
        self.left -= count
        return True


def ensure_indexes(collection: Collection[dict[str, Any]]) -> None:
    collection.create_index("expires_at", expireAfterSeconds=0, name="window_expiry")


class SharedLimiter:
    """Fixed-window limits shared through ``collection``; safe to use from many threads."""

    def __init__(self, collection: Collection[dict[str, Any]]) -> None:
        # A counter is advisory: losing a few counts in a crash only makes the window
        # stricter, so it is not made durable before answering (that wait would cost more
        # than the request).
        self._collection = collection.with_options(write_concern=WriteConcern(w=1, j=False))
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def hit(
        self,
        bucket: str,
        limit: int,
        count: int = 1,
        window: timedelta = timedelta(minutes=1),
        now: datetime | None = None,
    ) -> Verdict:
        """Count ``count`` requests in ``bucket`` and judge them against ``limit``."""
        now = now or datetime.now(UTC)
        seconds = int(window.total_seconds())
        start = int(now.timestamp()) // seconds * seconds
        retry_after = max(1, start + seconds - int(now.timestamp()))
        with self._lock:
            state = self._bucket(bucket, start)
            if state.spend(count):
                return self._verdict(state, limit, True, retry_after)
            if state.shared >= limit:
                # The whole budget is leased; nobody gives a share back within a window.
                return self._verdict(state, limit, False, retry_after)
            need = count - state.left
        shared, granted = self._lease(bucket, start, seconds, limit, need)
        with self._lock:
            state.shared = max(state.shared, shared)
            state.left += granted
            return self._verdict(state, limit, state.spend(count), retry_after)

    def _bucket(self, bucket: str, start: int) -> _Bucket:
        state = self._buckets.get(bucket)
        if state is None or state.window_start != start:
            if len(self._buckets) > _MAX_BUCKETS:
                self._buckets = {k: b for k, b in self._buckets.items() if b.window_start >= start}
            state = _Bucket(start)
            self._buckets[bucket] = state
        return state

    @staticmethod
    def _verdict(state: _Bucket, limit: int, allowed: bool, retry_after: int) -> Verdict:
        remaining = max(0, limit - state.shared) + state.left
        return Verdict(allowed=allowed, remaining=remaining, retry_after=retry_after)

    def _lease(
        self, bucket: str, start: int, seconds: int, limit: int, need: int
    ) -> tuple[int, int]:
        """Take a share of the window: (the shared count after it, what this process got)."""
        count = {"$ifNull": ["$count", 0]}
        share = {"$floor": {"$divide": [{"$subtract": [limit, count]}, SHARE_DIVISOR]}}
        doc = self._collection.find_one_and_update(
            {"_id": f"{bucket}:{start}"},
            [
                {
                    "$set": {
                        "lease": {"$max": [need, share]},
                        "expires_at": {
                            "$ifNull": [
                                "$expires_at",
                                datetime.fromtimestamp(start + 2 * seconds, UTC),
                            ]
                        },
                    }
                },
                {"$set": {"count": {"$add": [count, "$lease"]}}},
            ],
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        if doc is None:  # an upsert always returns the document; this only satisfies typing
            return limit, 0
        after, lease = int(doc["count"]), int(doc["lease"])
        # Only what was still under the limit before this lease is this process's to spend.
        return after, max(0, min(lease, limit - (after - lease)))
