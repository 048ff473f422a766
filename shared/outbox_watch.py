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
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from pymongo.collection import Collection

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
        self, collections: Sequence[Collection[dict[str, Any]]], wake: Callable[[], None]
    ) -> None:
        if not collections:
            raise ValueError("nothing to watch")
        self.database = collections[0].database
        self.names = [c.name for c in collections]
        self.wake = wake
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
                        if stream.try_next() is not None:
                            self.wake()
            except Exception as exc:
                # The relay's own looks go on meanwhile: nothing is lost, only later.
                log.warning("outbox watch lost its change stream", extra={"error": repr(exc)})
            finally:
                self.watching.clear()
            # A stream that ended or failed may have missed a write: look once now.
            self.wake()
            stop.wait(_RETRY_S)
