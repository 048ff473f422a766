"""One filing at a time per regency, across triage's replicas.

A new case is a duplicate when an earlier case of its regency matches it, which the filing
transaction's search reads from its snapshot. Two replicas filing copies of one report at the
same moment would each search a snapshot without the other's copy, and both would file theirs
as new: two officers alerted for one report, and no link between the two (a write skew that
snapshot isolation allows). So every transaction that searches for duplicates first writes a
guard document for each regency it files in. MongoDB refuses a transaction's write to a
document that another transaction has written and not yet committed, or committed after this
one's snapshot began (a write conflict, which the driver retries after a short backoff): of
two replicas filing in one regency, the second runs again once the first has committed, and
its search sees the first copy. Filings in different regencies never wait for each other
(``new_cases`` files a batch one regency at a time while another replica holds one of its
regencies).

Cases of other regencies of the province are only ever *related* (linked, still assigned),
and two replicas filing them at the same moment may miss that link; the province's clusters
(read from the stored facts when asked) still show them together.

A guard document is created once, outside any transaction (two transactions creating the
same document would fail on its key rather than be retried), and this process remembers
which exist.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from pymongo.client_session import ClientSession
from pymongo.collection import Collection

COLLECTION = "filing_guards"


class FilingGuards:
    """Writes a regency's guard in a filing transaction; thread-safe."""

    def __init__(self) -> None:
        self._existing: set[str] = set()
        self._lock = threading.Lock()

    def hold(
        self,
        guards: Collection[dict[str, Any]],
        tenants: Iterable[str],
        session: ClientSession,
    ) -> None:
        """Write the guard of each of ``tenants`` in the transaction of ``session``; call it
        before the transaction's first search, so a filing that must wait does no work that
        it would do again."""
        held = sorted(set(tenants))
        for tenant in held:
            self._ensure(guards, tenant)
        # One command for all of them: the conflict is still per document.
        guards.update_many({"_id": {"$in": held}}, {"$inc": {"filings": 1}}, session=session)

    def _ensure(self, guards: Collection[dict[str, Any]], tenant: str) -> None:
        with self._lock:
            if tenant in self._existing:
                return
        guards.update_one(
            {"_id": tenant},
            {"$setOnInsert": {"filings": 0, "created_at": datetime.now(UTC)}},
            upsert=True,
        )
        with self._lock:
            self._existing.add(tenant)
