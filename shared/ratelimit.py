"""Rate limits that hold across every replica: fixed windows counted in MongoDB.

Counting every request in the database costs as much CPU as a whole submission, so each
process counts locally and adds its count to the shared one in batches. The batch shrinks as
the shared count nears the limit: far from it a process syncs every few dozen requests or
every second; near it, at every request. A limit can therefore be overshot by at most a few
requests per process, never by a multiple of itself. Old windows expire through a TTL index.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ReturnDocument, WriteConcern
from pymongo.collection import Collection

SYNC_SECONDS = 1.0
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
    shared: int = 0  # the count across all processes, as last read
    pending: int = 0  # counted here, not yet added to the shared count
    synced_at: float = 0.0


def ensure_indexes(collection: Collection[dict[str, Any]]) -> None:
    collection.create_index("expires_at", expireAfterSeconds=0, name="window_expiry")


class SharedLimiter:
    """Fixed-window limits shared through ``collection``; safe to use from many threads."""

    def __init__(self, collection: Collection[dict[str, Any]]) -> None:
        # A counter is advisory: losing a few counts in a crash is harmless, so it is not
        # made durable before answering (that wait would cost more than the request).
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
            state = self._buckets.get(bucket)
            if state is None or state.window_start != start:
                if len(self._buckets) > _MAX_BUCKETS:
                    self._buckets = {
                        k: b for k, b in self._buckets.items() if b.window_start >= start
                    }
                state = _Bucket(start)
                self._buckets[bucket] = state
            state.pending += count
            batch = max(1, (limit - state.shared) // 20)
            due = state.pending >= batch or time.monotonic() - state.synced_at >= SYNC_SECONDS
            to_add = state.pending if due else 0
            state.pending -= to_add
        if to_add:
            shared = self._add(bucket, start, seconds, to_add)
            with self._lock:
                state.shared = max(state.shared, shared)
                state.synced_at = time.monotonic()
        total = state.shared + state.pending
        return Verdict(
            allowed=total <= limit, remaining=max(0, limit - total), retry_after=retry_after
        )

    def _add(self, bucket: str, start: int, seconds: int, amount: int) -> int:
        doc = self._collection.find_one_and_update(
            {"_id": f"{bucket}:{start}"},
            {
                "$inc": {"count": amount},
                "$setOnInsert": {"expires_at": datetime.fromtimestamp(start + 2 * seconds, UTC)},
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        return int(doc["count"]) if doc else amount
