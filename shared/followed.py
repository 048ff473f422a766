"""Documents read by id through a cache that a change stream keeps current.

Some documents are read for nearly every event a worker handles and change seldom: a
regency's configuration head (triage, every case), an officer's contact profile (notify,
every alert). Reading one is a query, cheap for the database and not for the worker: most of
its cost is the driver's own work per command. A worker follows such a collection with a
change stream and reads a document again only after it changed.

The cache is trusted only while the stream runs: before it starts, after an error and
during an election every read goes to the database. A document read while a change arrives
is not kept (a generation counter), so a cached document is never older than the last change
the stream reported. A process that writes a document itself forgets it at once rather than
wait for its own change to come back through the stream. Callers must not change what
:meth:`FollowedDocuments.read` returns: it is shared.
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
_LIMIT = 10_000


class FollowedDocuments:
    """Reads documents by ``_id`` through a cache that :meth:`run` keeps current;
    thread-safe."""

    def __init__(self, collection: Collection[Document], *, limit: int = _LIMIT) -> None:
        self.collection = collection
        self.limit = limit
        self._lock = threading.Lock()
        self._cached: dict[Any, Document | None] = {}
        self._generation = 0
        self._live = False
        self.following = threading.Event()

    def read(self, key: Any) -> Document | None:
        """The document with ``_id`` ``key`` (None when there is none): from memory while
        the stream runs and nothing changed since it was read, else from the database."""
        with self._lock:
            if self._live and key in self._cached:
                return self._cached[key]
            generation = self._generation
        found = self.collection.find_one({"_id": key})
        with self._lock:
            # A change reported (or a stream lost) during the read bumped the generation:
            # what was read may predate it, so it serves this call only.
            if self._live and self._generation == generation:
                if len(self._cached) >= self.limit:
                    self._cached.clear()
                self._cached[key] = found
        return found

    def forget(self, key: Any = None) -> None:
        """Drop ``key`` (every document when None): this process has just written it."""
        with self._lock:
            self._generation += 1
            if key is None:
                self._cached.clear()
            else:
                self._cached.pop(key, None)

    def run(self, stop: threading.Event) -> None:
        """Follow the collection until ``stop`` is set; a lost stream is reopened a second
        later, and until then every read goes to the database."""
        while not stop.is_set():
            try:
                with self.collection.watch(
                    [{"$project": {"documentKey": 1, "operationType": 1}}],
                    max_await_time_ms=_AWAIT_MS,
                ) as stream:
                    # Opened: every change from now on is reported, so documents read from
                    # now on may be kept. Whatever was kept before is dropped.
                    self._set_live(True)
                    self.following.set()
                    while not stop.is_set() and stream.alive:
                        change = stream.try_next()
                        if change is not None:
                            key = (change.get("documentKey") or {}).get("_id")
                            # A drop or a rename says nothing of one document: forget all.
                            self.forget(key)
            except Exception as exc:
                log.warning(
                    "change stream lost",
                    extra={"collection": self.collection.name, "error": repr(exc)},
                )
            finally:
                self.following.clear()
                self._set_live(False)
            stop.wait(_RETRY_S)

    def _set_live(self, live: bool) -> None:
        with self._lock:
            self._live = live
            self._generation += 1
            self._cached.clear()
