"""The regencies' configuration heads, kept in memory while a change stream says what changed.

Every triaged case needs its regency's head (which configuration versions are in force, and
the officer directory's stamp) to know whether the cached configuration is still current.
Reading it is one query a case, cheap for the database and not for the worker: most of its
cost is the driver's own work per command. Heads change seldom (a supervisor saves a
configuration, an officer's entry changes), so a worker follows them with a change stream on
the heads collection and reads a head again only after a change.

The cache is trusted only while the stream runs: before it starts, after an error and
during an election every read goes to the database, as it did before. A head read while a
change arrives is not kept (a generation counter), so a cached head is never older than the
last change the stream reported. A process that writes a head itself forgets at once rather
than wait for its own change to come back through the stream.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from pymongo.collection import Collection

log = logging.getLogger(__name__)

Document = dict[str, Any]

_RETRY_S = 1.0
_AWAIT_MS = 500


class HeadCache:
    """Reads heads through a cache that :meth:`run` keeps current; thread-safe."""

    def __init__(self, heads: Collection[Document]) -> None:
        self.heads = heads
        self._lock = threading.Lock()
        self._cached: dict[str, Document] = {}
        self._generation = 0
        self._live = False
        self.following = threading.Event()

    def read(self, tenant: str) -> Document:
        """The head of ``tenant`` (empty when it has none): from memory while the stream
        runs and nothing changed since it was read, else from the database."""
        with self._lock:
            if self._live and tenant in self._cached:
                return self._cached[tenant]
            generation = self._generation
        head = self.heads.find_one({"_id": tenant}) or {}
        with self._lock:
            # A change reported (or a stream lost) during the read bumped the generation:
            # what was read may predate it, so it serves this call only.
            if self._live and self._generation == generation:
                self._cached[tenant] = head
        return head

    def forget(self) -> None:
        """Drop every cached head (this process has just written one)."""
        with self._lock:
            self._generation += 1
            self._cached.clear()

    def run(self, stop: threading.Event) -> None:
        """Follow the heads until ``stop`` is set; a lost stream is reopened a second later,
        and until then every read goes to the database."""
        while not stop.is_set():
            try:
                with self.heads.watch(
                    [{"$project": {"_id": 1}}], max_await_time_ms=_AWAIT_MS
                ) as stream:
                    # Opened: every change from now on is reported, so heads read from now
                    # on may be kept. Whatever was kept before is dropped.
                    self._set_live(True)
                    self.following.set()
                    while not stop.is_set() and stream.alive:
                        if stream.try_next() is not None:
                            self.forget()
            except Exception as exc:
                log.warning("configuration heads' stream lost", extra={"error": repr(exc)})
            finally:
                self.following.clear()
                self._set_live(False)
            stop.wait(_RETRY_S)

    def _set_live(self, live: bool) -> None:
        with self._lock:
            self._live = live
            self._generation += 1
            self._cached.clear()
