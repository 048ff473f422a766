"""The transactional outbox: events stored with the write that causes them, published later.

A document that must emit events carries them in an ``outbox`` array, written in the same
atomic update as the change itself, with ``outbox_pending`` set. The relay leases pending
documents (so several replicas do not publish the same batch), publishes their events with
publisher confirms and removes what the broker confirmed. While the broker is down nothing is
removed, and the HTTP path never waits on the broker.

The relay looks for pending documents every ``idle_interval`` while it finds none, and at once
when woken (:meth:`OutboxRelay.wake`): a worker wakes its relay after each event its handlers
have handled, so events its own handlers wrote do not wait for the next look, and a service
whose events are mostly written by its worker can look seldom (each look is a query, and idle
looks were most of an idle worker's CPU and a large part of mongod's).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING
from pymongo.collection import Collection

from shared.broker.connection import Backoff
from shared.broker.publisher import EventPublisher, Outgoing, PublishError
from shared.contracts import Envelope, encode
from shared.metrics import (
    EVENTS_PUBLISHED,
    OUTBOX_BACKLOG,
    OUTBOX_OLDEST,
    OUTBOX_PUBLISH_ERRORS,
)

log = logging.getLogger(__name__)

Document = dict[str, Any]

_STOP_CHECK_S = 0.25
# Rounds under load at most ten a second: a round costs three commands however many events it
# carries, so a relay woken by every handled event at 30 cases a second paid them per case.
_ROUND_GAP_S = 0.1


def entry(envelope: Envelope) -> Document:
    """The outbox entry of one envelope."""
    return {
        "id": str(envelope.id),
        "type": envelope.type,
        "correlation_id": envelope.correlation_id,
        "body": encode(envelope).decode(),
    }


def push(envelopes: Sequence[Envelope], now: datetime | None = None) -> Document:
    """Update operators that add ``envelopes`` to a document's outbox (merge with your own)."""
    return {
        "$push": {"outbox": {"$each": [entry(e) for e in envelopes]}},
        "$set": {"outbox_pending": True},
        "$min": {"outbox_since": now or datetime.now(UTC)},
    }


def fields(envelopes: Sequence[Envelope], now: datetime | None = None) -> Document:
    """The outbox fields of a document inserted together with ``envelopes``."""
    return {
        "outbox": [entry(e) for e in envelopes],
        "outbox_pending": True,
        "outbox_since": now or datetime.now(UTC),
    }


def ensure_indexes(collection: Collection[Document]) -> None:
    """The partial index the relay scans: only documents with pending events are in it."""
    collection.create_index(
        [("outbox_since", ASCENDING)],
        name="outbox_pending",
        partialFilterExpression={"outbox_pending": True},
    )


class OutboxRelay:
    """Publishes pending outbox entries of the given collections until stopped."""

    def __init__(
        self,
        service: str,
        collections: Sequence[Collection[Document]],
        publisher: EventPublisher,
        *,
        batch_size: int = 500,
        lease: timedelta = timedelta(seconds=30),
        idle_interval: float = 0.05,
        round_gap: float = _ROUND_GAP_S,
    ) -> None:
        self.service = service
        self.collections = list(collections)
        self.publisher = publisher
        self.batch_size = batch_size
        self.lease = lease
        self.idle_interval = idle_interval
        self.round_gap = round_gap
        self.owner = uuid.uuid4().hex
        self._woken = threading.Event()
        self._full = False  # this round read a whole batch from some collection

    def wake(self) -> None:
        """Look for pending events now, not at the next interval (thread-safe, cheap)."""
        self._woken.set()

    def run(self, stop: threading.Event) -> None:
        """Relay until ``stop`` is set; broker and database failures back off and retry."""
        backoff = Backoff(initial=0.2, cap=10.0)
        next_gauge = 0.0
        last_busy = -self.round_gap
        while not stop.is_set():
            # Under load every handled event wakes the relay: a round at least round_gap after
            # the last one that published gathers what came meanwhile into one batch (a round
            # costs the same for one event as for fifty). A lone event, after a quiet spell
            # or an empty look, goes at once.
            gap = last_busy + self.round_gap - time.monotonic()
            if gap > 0 and stop.wait(gap):
                break
            started = time.monotonic()
            # Gauges first: during a broker outage they are what shows the backlog growing.
            now = datetime.now(UTC).timestamp()
            if now >= next_gauge:
                self._update_gauges()
                next_gauge = now + 5
            # Cleared before the round: a wake during it means there may be more.
            self._woken.clear()
            self._full = False
            try:
                published = sum(self.relay_once(c) for c in self.collections)
                backoff.reset()
            except PublishError as exc:
                OUTBOX_PUBLISH_ERRORS.labels(service=self.service).inc()
                log.warning("outbox relay cannot publish", extra={"error": str(exc)})
                backoff.wait(stop)
                continue
            except Exception:
                log.exception("outbox relay round failed")
                backoff.wait(stop)
                continue
            # Another look at once only when there may be more: a full batch was left behind,
            # or a handler woke the relay during the round. Otherwise the look would find
            # nothing (events written without a wake are found at the interval, as always).
            if published:
                last_busy = started
            if not published or not (self._full or self._woken.is_set()):
                self._idle(stop)
        self.publisher.close()

    def _idle(self, stop: threading.Event) -> None:
        """Wait until woken, stopped or the interval has passed (a stop is seen within a
        quarter second whatever the interval)."""
        deadline = time.monotonic() + self.idle_interval
        while not stop.is_set() and not self._woken.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self._woken.wait(min(remaining, _STOP_CHECK_S))

    def relay_once(self, collection: Collection[Document]) -> int:
        """Read, lease, publish and clear one batch (three round trips when no other relay
        competes for it); returns how many events were published."""
        now = datetime.now(UTC)
        ready = {
            "outbox_pending": True,
            "$or": [{"outbox_lease": {"$exists": False}}, {"outbox_lease": {"$lt": now}}],
        }
        docs = list(
            collection.find(ready, {"outbox": 1, "outbox_since": 1})
            .sort("outbox_since", ASCENDING)
            .limit(self.batch_size)
        )
        if not docs:
            return 0
        self._full = self._full or len(docs) >= self.batch_size
        # Each document is leased only as it was read: one that another relay leased, or
        # published and cleared meanwhile (its outbox_since then is gone or later), is left
        # alone, so what was read is exactly what this relay publishes.
        as_read = [{"_id": d["_id"], "outbox_since": d.get("outbox_since")} for d in docs]
        leased = collection.update_many(
            {"$and": [ready, {"$or": as_read}]},
            {"$set": {"outbox_lease": now + self.lease, "outbox_owner": self.owner}},
        )
        if leased.modified_count < len(docs):
            # Another relay got some of them first (replicas): publish only what this one holds.
            docs = list(
                collection.find(
                    {
                        "_id": {"$in": [d["_id"] for d in docs]},
                        "outbox_owner": self.owner,
                        "outbox_lease": {"$gt": now},
                    },
                    {"outbox": 1},
                ).sort("outbox_since", ASCENDING)
            )
        messages: list[Outgoing] = []
        sent: dict[Any, list[str]] = {}
        for doc in docs:
            for item in doc.get("outbox", []):
                messages.append(
                    Outgoing(
                        message_id=item["id"],
                        routing_key=item["type"],
                        body=item["body"].encode(),
                        correlation_id=item.get("correlation_id"),
                    )
                )
                sent.setdefault(doc["_id"], []).append(item["id"])
        if messages:
            try:
                self.publisher.publish(messages)
            except PublishError:
                self._release(collection, list(sent))
                raise
        self._clear(collection, sent)
        for message in messages:
            EVENTS_PUBLISHED.labels(service=self.service, type=message.routing_key).inc()
        return len(messages)

    def _clear(self, collection: Collection[Document], sent: dict[Any, list[str]]) -> None:
        if not sent:
            return
        published = [entry_id for entry_ids in sent.values() for entry_id in entry_ids]
        has_more = {"$gt": [{"$size": "$outbox"}, 0]}
        # One pipeline update for the whole batch: remove exactly the confirmed entries
        # (events added meanwhile stay), and leave the pending index when nothing is left.
        collection.update_many(
            {"_id": {"$in": list(sent)}, "outbox_owner": self.owner},
            [
                {
                    "$set": {
                        "outbox": {
                            "$filter": {
                                "input": "$outbox",
                                "cond": {"$not": [{"$in": ["$$this.id", published]}]},
                            }
                        }
                    }
                },
                {
                    "$set": {
                        "outbox_pending": {"$cond": [has_more, True, "$$REMOVE"]},
                        "outbox_since": {"$cond": [has_more, "$outbox_since", "$$REMOVE"]},
                    }
                },
                {"$unset": ["outbox_lease", "outbox_owner"]},
            ],
        )

    def _release(self, collection: Collection[Document], ids: list[Any]) -> None:
        collection.update_many(
            {"_id": {"$in": ids}, "outbox_owner": self.owner},
            {"$unset": {"outbox_lease": "", "outbox_owner": ""}},
        )

    def _update_gauges(self) -> None:
        backlog = 0
        oldest: datetime | None = None
        try:
            for collection in self.collections:
                backlog += collection.count_documents({"outbox_pending": True})
                first = collection.find_one(
                    {"outbox_pending": True}, {"outbox_since": 1}, sort=[("outbox_since", 1)]
                )
                if first and first.get("outbox_since"):
                    since: datetime = first["outbox_since"]
                    oldest = since if oldest is None else min(oldest, since)
        except Exception:
            log.warning("cannot read outbox backlog", exc_info=True)
            return
        OUTBOX_BACKLOG.labels(service=self.service).set(backlog)
        age = (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0
        OUTBOX_OLDEST.labels(service=self.service).set(max(age, 0.0))
