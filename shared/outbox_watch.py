"""Waking an outbox relay when another process writes pending events.

A worker's own handlers wake its relay when they return; the events of a service's HTTP
processes (intake's submissions above all) are written elsewhere. A change stream on their
collections, filtered on the server to the writes that make a document pending, wakes the
relay for those at once, so the relay can look on its own seldom. Each look is a query on
every outbox collection (about 0.6 ms of the worker's CPU and as much of mongod's, 60 times a
second for intake's three collections at the former 50 ms interval); the stream costs mongod
one read of each write it is told about, and nothing while nothing is written.

The stream is only a wake-up: while it is not running (before it starts, after an error,
during an election) the relay's own interval still finds every event, a little later.

The watch wakes the relay once per batch the server sends, then reads nothing for ``pause``
(the relay's gap between busy rounds, which the relay keeps anyway). Read as they came, under
load every insert was a getMore of its own and a wake-up for a relay already due to look:
more CPU per case than the relay's whole round. The writes of a pause come back in one batch;
a lone write still wakes the relay at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from pymongo.collection import Collection

from shared.outbox import ROUND_GAP_S

log = logging.getLogger(__name__)

_RETRY_S = 1.0


def pending_writes(names: Sequence[str]) -> list[dict[str, Any]]:
    """The stream's pipeline: inserts of pending documents and updates that make one pending,
    in the named collections; only the resume token comes back."""
    return [
        {
            "$match": {
                "ns.coll": {"$in": list(names)},
                "$or": [
                    {"operationType": {"$in": ["insert", "replace"]},
                     "fullDocument.outbox_pending": True},
                    {"operationType": "update",
                     "updateDescription.updatedFields.outbox_pending": True},
                ],
            }
        },
        {"$project": {"_id": 1}},
    ]  # fmt: skip


class OutboxWatch:
    """Calls ``wake`` whenever a document of ``collections`` becomes pending."""

    def __init__(
        self,
        collections: Sequence[Collection[dict[str, Any]]],
        wake: Callable[[], None],
        *,
        pause: float = ROUND_GAP_S,
    ) -> None:
        if not collections:
            raise ValueError("nothing to watch")
        self.database = collections[0].database
        self.names = [c.name for c in collections]
        self.wake = wake
        self.pause = pause
        self.watching = threading.Event()

    def run(self, stop: threading.Event) -> None:
        """Watch until ``stop`` is set; any failure reopens the stream a second later."""
        while not stop.is_set():
            try:
                with self.database.watch(
                    pending_writes(self.names), max_await_time_ms=500
                ) as stream:
                    self.watching.set()
                    while not stop.is_set() and stream.alive:
                        if stream.try_next() is None:
                            continue
                        more = more_buffered(stream)
                        if more:
                            continue  # the wake comes with the batch's last change
                        self.wake()
                        if more is not None:
                            stop.wait(self.pause)
            except Exception as exc:
                # The relay's own looks go on meanwhile: nothing is lost, only later.
                log.warning("outbox watch lost its change stream", extra={"error": repr(exc)})
            finally:
                self.watching.clear()
            # A stream that ended or failed may have missed a write: look once now.
            self.wake()
            stop.wait(_RETRY_S)


def more_buffered(stream: Any) -> bool | None:
    """Whether the stream holds more changes of the batch last read (so the next read needs
    no getMore); None when this pymongo does not say.

    pymongo says so only through its cursor's private ``_has_next``, what its own
    ``try_next`` asks; the cursor is looked up each time because a resumed stream has a new
    one. Without it the watch wakes for every change and never pauses, as it did before:
    costlier, never later.
    """
    has_next = getattr(getattr(stream, "_cursor", None), "_has_next", None)
    return bool(has_next()) if callable(has_next) else None
