"""Open cases per assigned officer of a regency: the aggregation, and a short-lived copy of
it for routing new cases.

Routing a new case picks the least-loaded eligible officer, so every new case needs its
regency's loads. Aggregated per case, a burst of reports in one regency re-counts every open
case of the regency for each report: the largest item of mongod's CPU per case in the
pipeline bench (about a thousand open cases a regency). :class:`RecentLoads` reads the
aggregation at most once per ``max_age`` per regency and adds what this process assigns as
each new case commits, so within one process the counts stay exact for the cases it files;
any other write through triage's transactions in this process (a status change, a move, the
ladder, the directory) drops the copies. Only what other processes change (another worker
replica, an override in the HTTP app) is seen up to ``max_age`` late: a margin the choice
already has, since two replicas route concurrently on loads read outside their transactions.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from pymongo.client_session import ClientSession
from pymongo.collection import Collection

Document = dict[str, Any]
Loads = dict[str, int]

# Long enough that a burst reads each regency's loads a few times a second at most, short
# enough that a supervisor's reassignment elsewhere counts for the next cases.
MAX_AGE_SECONDS = 1.0


def open_load(
    cases: Collection[Document], tenant: str, session: ClientSession | None = None
) -> Loads:
    """Open cases per assigned officer of ``tenant`` (one aggregation)."""
    pipeline: list[Document] = [
        {"$match": {"tenant": tenant, "open": True, "assignment.officer_id": {"$ne": None}}},
        {"$group": {"_id": "$assignment.officer_id", "n": {"$sum": 1}}},
    ]
    return {str(row["_id"]): int(row["n"]) for row in cases.aggregate(pipeline, session=session)}


class RecentLoads:
    """Each regency's loads as last read, for ``max_age`` seconds, plus this process's own
    new assignments since. Safe to share between threads."""

    def __init__(
        self,
        read: Callable[[str], Loads],
        *,
        max_age: float = MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._read = read
        self._max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._copies: dict[str, tuple[float, Loads]] = {}
        # Bumped by every ``forget``: a read that raced one is not kept.
        self._generation = 0

    def current(self, tenant: str) -> Loads:
        """The regency's loads: the copy while it is young enough, else a fresh read."""
        with self._lock:
            copy = self._copies.get(tenant)
            if copy is not None and self._clock() - copy[0] < self._max_age:
                return dict(copy[1])
            generation = self._generation
        read_at = self._clock()
        loads = self._read(tenant)
        with self._lock:
            if generation == self._generation:
                self._copies[tenant] = (read_at, dict(loads))
        return loads

    def assigned(self, tenant: str, officer_id: str) -> None:
        """A new case of ``tenant`` was committed assigned to ``officer_id``."""
        with self._lock:
            copy = self._copies.get(tenant)
            if copy is not None:
                copy[1][officer_id] = copy[1].get(officer_id, 0) + 1

    def forget(self) -> None:
        """Some write may have moved or closed cases: read again next time."""
        with self._lock:
            self._copies.clear()
            self._generation += 1
