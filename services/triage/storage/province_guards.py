"""One filing at a time per province, across triage's replicas.

A case's duplicates are looked for among its province's earlier cases, in the snapshot of
the transaction that files it. Two replicas filing copies of one report at the same moment
would each search a snapshot without the other's copy, and both would file theirs as new:
two officers alerted for one hoax, and no link between the two (a write skew that snapshot
isolation allows). So every transaction that searches for duplicates first writes a guard
document per province it files in. MongoDB refuses a transaction's write to a document that
another transaction has written and not yet committed, or committed after this one's
snapshot (a write conflict, which the driver retries after a short backoff): of two
replicas filing in one province, the second runs again once the first has committed, and
its search sees the first copy. Replicas filing in different provinces never meet, and a
single worker's batches, filed one after another, never conflict.

A guard document is created once, outside any transaction (two transactions creating the
same document would fail on its key rather than be retried), and this process remembers
which it has seen.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from pymongo.client_session import ClientSession
from pymongo.collection import Collection

COLLECTION = "province_guards"


class ProvinceGuards:
    """Writes a province's guard in a filing transaction; thread-safe."""

    def __init__(self) -> None:
        self._existing: set[str] = set()
        self._lock = threading.Lock()

    def hold(
        self,
        guards: Collection[dict[str, Any]],
        provinces: Iterable[str],
        session: ClientSession,
    ) -> None:
        """Write the guard of each of ``provinces`` in the transaction of ``session``; call
        it before the transaction's first search, so a filing that must wait does no work
        that it would do again."""
        for province in sorted(set(provinces)):
            self._ensure(guards, province)
            guards.update_one({"_id": province}, {"$inc": {"filings": 1}}, session=session)

    def _ensure(self, guards: Collection[dict[str, Any]], province: str) -> None:
        with self._lock:
            if province in self._existing:
                return
        guards.update_one(
            {"_id": province},
            {"$setOnInsert": {"filings": 0, "created_at": datetime.now(UTC)}},
            upsert=True,
        )
        with self._lock:
            self._existing.add(province)
