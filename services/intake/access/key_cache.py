"""A per-process cache of API keys that a revocation empties at once.

Every request needs its key checked; reading the key from MongoDB each time costs more CPU
than the rest of a submission's own work. Each process keeps what it read, and a MongoDB
change stream on the keys collection evicts a key the moment it is updated, revoked or
deleted in any process of any replica. While the stream is not running (it starts lazily,
after the fork, and restarts after errors), nothing is cached at all, so a revoked key can
never outlive its revocation by more than the stream's own delivery time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from pymongo.collection import Collection

log = logging.getLogger(__name__)

Record = dict[str, Any]


class KeyCache:
    def __init__(
        self,
        collection: Callable[[], Collection[Record]],
        *,
        ttl: float = 300.0,
        max_entries: int = 50_000,
    ) -> None:
        self._collection = collection
        self._ttl = ttl
        self._max = max_entries
        self._entries: dict[str, tuple[float, Record]] = {}
        self._watching = threading.Event()
        self._started = False
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def get(self, prefix: str) -> Record | None:
        """The key record for ``prefix`` (None when there is no such key)."""
        self._ensure_watcher()
        if self._watching.is_set():
            hit = self._entries.get(prefix)
            if hit is not None and hit[0] > time.monotonic():
                return hit[1]
        record = self._collection().find_one(
            {"prefix": prefix},
            {
                "secret_hash": 1,
                "name": 1,
                "region": 1,
                "role": 1,
                "officer_id": 1,
                "revoked_at": 1,
            },
        )
        # Only while the stream runs: otherwise no one would evict the entry on revocation.
        if record is not None and self._watching.is_set():
            if len(self._entries) >= self._max:
                self._entries.clear()
            self._entries[prefix] = (time.monotonic() + self._ttl, record)
        return record

    def evict(self, prefix: str) -> None:
        self._entries.pop(prefix, None)

    def close(self) -> None:
        self._stop.set()

    def _ensure_watcher(self) -> None:
        if self._started:
            return
        with self._lock:
            if self._started:
                return
            self._started = True
            threading.Thread(target=self._watch, name="key-cache-watch", daemon=True).start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                with self._collection().watch(max_await_time_ms=500) as stream:
                    self._watching.set()
                    while not self._stop.is_set() and stream.alive:
                        change = stream.try_next()
                        if change is not None:
                            self._apply(change)
            except Exception:
                # Whatever broke the stream (the database, or its connection being replaced),
                # the safe state is the same: cache nothing until a new stream runs.
                level = logging.WARNING if self._watching.is_set() else logging.DEBUG
                log.log(level, "key cache lost its change stream; caching paused", exc_info=True)
            finally:
                self._watching.clear()
                self._entries.clear()
            self._stop.wait(1.0)

    def _apply(self, change: dict[str, Any]) -> None:
        # Updates name the document by _id, not by prefix: evict every entry of that id.
        key_id = change.get("documentKey", {}).get("_id")
        if change.get("operationType") in ("drop", "rename", "invalidate", "dropDatabase"):
            self._entries.clear()
            return
        for prefix, (_, record) in list(self._entries.items()):
            if record.get("_id") == key_id:
                self._entries.pop(prefix, None)
