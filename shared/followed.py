"""Documents read by key through a cache that a change stream keeps current.

Some documents are read for nearly every request or event and change seldom: an API key
(intake, every request), a regency's configuration head (triage, every case), an officer's
contact profile (notify, every alert). Reading one is a query, cheap for the database and not
for the process: most of its cost is the driver's own work per command. A process follows
such a collection with a change stream and reads a document again only after it changed.

The cache is trusted only while the stream runs: before it starts, after an error and
during an election every read goes to the database. A document read while a change arrives
is not kept (a generation counter), so a cached document is never older than the last change
the stream reported: a revoked key is refused as soon as the stream has said so. A process
that writes a document itself forgets it at once rather than wait for its own change to come
back through the stream. Callers must not change what :meth:`FollowedDocuments.read`
returns: it is shared.

A worker runs the stream as one of its background tasks (:meth:`FollowedDocuments.run`); an
HTTP process, whose server forks after the app is built, has it start on first use instead
(``background=True``).

A stream that waits in the database for a change (``waits=True``, an HTTP process's) costs
mongod a look at every write of every service, though the followed documents change a few
times a day. A worker's reads are caused by events, so its cache need not hear of a change
the moment it is written, only before the work of the next event: with ``waits=False`` the
stream is asked without waiting, by :meth:`FollowedDocuments.catch_up` before each batch of
events and each round of the worker's periodic tasks (and every second by
:meth:`FollowedDocuments.run`, which keeps the cursor open and bounds how late any other
read hears of a change). A change committed before an event is handled
is then seen by its handler, as surely as with a waiting stream (which reports a change a
moment after it commits, in another thread), and mongod does nothing for other writes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

from pymongo.collection import Collection

log = logging.getLogger(__name__)

Document = dict[str, Any]

_RETRY_S = 1.0
_AWAIT_MS = 500
# A stream that does not wait: its getMore returns at once, and run() asks this often (the
# reads that matter ask first, with catch_up; an idle worker asks once a second, where a
# waiting stream's getMore came back twice).
_ASK_MS = 1
_ASK_EVERY_S = 1.0
_LIMIT = 10_000


class FollowedDocuments:
    """Reads documents by ``field`` (unique) through a cache that :meth:`run` keeps current;
    thread-safe."""

    def __init__(
        self,
        collection: Collection[Document] | Callable[[], Collection[Document]],
        *,
        field: str = "_id",
        projection: Mapping[str, Any] | None = None,
        limit: int = _LIMIT,
        background: bool = False,
        waits: bool = True,
        ask_every: float = _ASK_EVERY_S,
    ) -> None:
        self._collection = collection
        self.field = field
        self.projection = dict(projection) if projection is not None else None
        self.limit = limit
        self.background = background
        self.waits = waits
        self.ask_every = ask_every
        self._lock = threading.Lock()
        # The open stream of a cache that does not wait, used by run() and catch_up() in turn.
        self._asking = threading.Lock()
        self._stream: Any = None
        self._cached: dict[Any, Document | None] = {}
        self._generation = 0
        self._live = False
        self._started = False
        self._closed = threading.Event()
        self.following = threading.Event()

    @property
    def collection(self) -> Collection[Document]:
        """The followed collection (given, or from the function given: a model's collection
        exists only once the database is registered)."""
        found = self._collection
        return found if isinstance(found, Collection) else found()

    def read(self, key: Any) -> Document | None:
        """The document whose ``field`` is ``key`` (None when there is none): from memory
        while the stream runs and nothing changed since it was read, else from the database."""
        if self.background and not self._started:
            self._start()
        with self._lock:
            if self._live and key in self._cached:
                return self._cached[key]
            generation = self._generation
        found = self.collection.find_one({self.field: key}, self.projection)
        # Kept only when a change can reach it: by _id, so a document that is missing now is
        # kept only when looked up by _id (its insert names it).
        keep = found is not None or self.field == "_id"
        with self._lock:
            # A change reported (or a stream lost) during the read bumped the generation:
            # what was read may predate it, so it serves this call only.
            if keep and self._live and self._generation == generation:
                if len(self._cached) >= self.limit:
                    self._cached.clear()
                self._cached[key] = found
        return found

    def forget(self, key: Any = None) -> None:
        """Drop the document whose ``field`` is ``key`` (every one when None): this process
        has just written it."""
        with self._lock:
            self._generation += 1
            if key is None:
                self._cached.clear()
            else:
                self._cached.pop(key, None)

    def _changed(self, document_id: Any) -> None:
        """The stream says the document with ``_id`` ``document_id`` changed."""
        if document_id is None or self.field == "_id":
            self.forget(document_id)
            return
        with self._lock:
            self._generation += 1
            for key, found in list(self._cached.items()):
                if found is not None and found.get("_id") == document_id:
                    del self._cached[key]

    def catch_up(self) -> None:
        """Hear of every change committed so far (a cache that does not wait; call it before
        the work an event causes). Without a stream there is nothing to do: every read goes
        to the database then. A stream that fails here is given up: reads go to the
        database until :meth:`run` has opened another."""
        if self.waits:
            return
        with self._asking:
            stream = self._stream
            if stream is None:
                return
            try:
                self._drain(stream)
            except Exception as exc:
                log.warning("change stream lost", extra={"error": repr(exc)})
                self._stream = None
                self._set_live(False)

    def _drain(self, stream: Any) -> None:
        """Every change the stream holds (one getMore that does not wait, and more while
        changes keep coming)."""
        while (change := stream.try_next()) is not None:
            self._report(change)

    def _report(self, change: Document) -> None:
        # A drop or a rename names no document: everything is forgotten.
        self._changed((change.get("documentKey") or {}).get("_id"))

    def _start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        thread = threading.Thread(
            target=self.run, args=(self._closed,), name="followed-documents", daemon=True
        )
        thread.start()

    def close(self) -> None:
        """Stop the stream started on first use (``background``)."""
        self._closed.set()

    def run(self, stop: threading.Event) -> None:
        """Follow the collection until ``stop`` is set; a lost stream is reopened a second
        later, and until then every read goes to the database."""
        while not stop.is_set():
            try:
                watched = self.collection
                with watched.watch(
                    [{"$project": {"documentKey": 1, "operationType": 1}}],
                    max_await_time_ms=_AWAIT_MS if self.waits else _ASK_MS,
                ) as stream:
                    # Opened: every change from now on is reported, so documents read from
                    # now on may be kept. Whatever was kept before is dropped.
                    self._set_live(True)
                    self.following.set()
                    with self._asking:
                        self._stream = None if self.waits else stream
                    while not stop.is_set() and stream.alive:
                        if self.waits:
                            change = stream.try_next()
                            if change is not None:
                                self._report(change)
                        else:
                            with self._asking:
                                if self._stream is not stream:
                                    break  # given up by catch_up: open another
                                self._drain(stream)
                            stop.wait(self.ask_every)
                        # Reads go to the collection the function names now (a process
                        # connected to another database): a stream on the former one would
                        # keep documents whose changes it never hears of.
                        if self.collection.full_name != watched.full_name:
                            break
            except Exception as exc:
                # Before the first stream (the database not up yet) this is no news.
                level = logging.WARNING if self.following.is_set() else logging.DEBUG
                log.log(level, "change stream lost", extra={"error": repr(exc)})
            finally:
                with self._asking:
                    self._stream = None
                self.following.clear()
                self._set_live(False)
            stop.wait(_RETRY_S)

    def _set_live(self, live: bool) -> None:
        with self._lock:
            self._live = live
            self._generation += 1
            self._cached.clear()
