"""The transactional outbox: events stored with the write that causes them, published later.

A document that must emit events carries them in an ``outbox`` array, written in the same
atomic update as the change itself, with ``outbox_pending`` set. The relay publishes the
pending documents' events with publisher confirms and removes what the broker confirmed. While
the broker is down nothing is removed, and the HTTP path never waits on the broker.

Of several replicas, one relays each collection at a time: it holds the collection's lease (a
small document in ``outbox_leases``), renewed while it works, given up when it stops or cannot
publish; another replica takes over when the lease is given up or lapses (a killed relay's,
after at most ``lease``). A lease written into every pending document instead cost a second
write of each document for every event it carried. If a paused holder
resumes after its lease lapsed, both may publish the same events once: every consumer
already drops an event it has handled, as it must for a relay killed between the broker's
confirm and the clear. Events that a standby's own handlers write wait for the holder's next
look (its interval; a relay woken by a change stream, as intake's, sees them at once).

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
from pymongo.errors import DuplicateKeyError

from shared.broker.connection import Backoff
from shared.broker.publisher import EventPublisher, Outgoing, PublishError
from shared.contracts import Envelope, encode
from shared.metrics import (
    EVENTS_PUBLISHED,
    OUTBOX_BACKLOG,
    OUTBOX_OLDEST,
    OUTBOX_PUBLISH_ERRORS,
)
from shared.pipeline import outbox_state

log = logging.getLogger(__name__)

Document = dict[str, Any]

_STOP_CHECK_S = 0.25
# Rounds under load at most ten a second: a round costs two commands however many events it
# carries, so a relay woken by every handled event at 30 cases a second paid them per case.
ROUND_GAP_S = 0.1
# The collection holding each outbox collection's lease, in the same database.
LEASES = "outbox_leases"
# Every field the outbox keeps in a document, with those of the former per-document lease
# that older documents may still carry: bookkeeping, never shown to a reader nor copied into
# another document.
FIELDS = frozenset({"outbox", "outbox_pending", "outbox_since", "outbox_lease", "outbox_owner"})
# How often a relay that does not hold a collection's lease asks for it: the takeover after
# a holder gives it up comes within this, and a standby costs one small write this often.
_STANDBY_LOOK_S = 1.0


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
        lease: timedelta = timedelta(seconds=10),
        idle_interval: float = 0.05,
        round_gap: float = ROUND_GAP_S,
        standby_look: float = _STANDBY_LOOK_S,
    ) -> None:
        self.service = service
        self.collections = list(collections)
        self.publisher = publisher
        self.batch_size = batch_size
        self.lease = lease
        self.idle_interval = idle_interval
        self.round_gap = round_gap
        self.standby_look = standby_look
        self.owner = uuid.uuid4().hex
        # By collection name, on the monotonic clock: until when this relay counts a lease as
        # its own without renewing it (half its length), and when a standby asks again.
        self._renew_at: dict[str, float] = {}
        self._ask_at: dict[str, float] = {}
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
        self.let_go()  # a replica takes over now, not when the lease lapses
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
        """Read, publish and clear one batch if this relay holds the collection's lease (two
        round trips, and a third to renew the lease every half of its length); returns how
        many events were published."""
        if not self._hold(collection):
            return 0
        docs = list(
            collection.find({"outbox_pending": True}, {"outbox": 1})
            .sort("outbox_since", ASCENDING)
            .limit(self.batch_size)
        )
        if not docs:
            return 0
        self._full = self._full or len(docs) >= self.batch_size
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
                self._let_go(collection)  # another replica may reach the broker: let it try
                raise
        self._clear(collection, sent)
        for message in messages:
            EVENTS_PUBLISHED.labels(service=self.service, type=message.routing_key).inc()
        return len(messages)

    def _hold(self, collection: Collection[Document]) -> bool:
        """Whether this relay holds ``collection``'s lease, taking or renewing it if due."""
        name = collection.name
        now_s = time.monotonic()
        if now_s < self._renew_at.get(name, 0.0):
            return True
        if now_s < self._ask_at.get(name, 0.0):
            return False
        now = datetime.now(UTC)
        try:
            # Free, lapsed or already ours: taken. Held by another: the upsert's insert
            # collides with its document.
            collection.database[LEASES].update_one(
                {"_id": name, "$or": [{"owner": self.owner}, {"until": {"$lt": now}}]},
                {"$set": {"owner": self.owner, "service": self.service, "until": now + self.lease}},
                upsert=True,
            )
        except DuplicateKeyError:
            self._renew_at.pop(name, None)
            self._ask_at[name] = now_s + self.standby_look
            return False
        self._renew_at[name] = now_s + self.lease.total_seconds() / 2
        return True

    def let_go(self) -> None:
        """Give up every lease this relay holds, so another replica takes over at once."""
        for collection in self.collections:
            self._let_go(collection)

    def _let_go(self, collection: Collection[Document]) -> None:
        if self._renew_at.pop(collection.name, None) is None:
            return
        try:
            collection.database[LEASES].delete_one({"_id": collection.name, "owner": self.owner})
        except Exception:
            # Not given up: it lapses within its length.
            log.warning("cannot give up the outbox lease", exc_info=True)

    def _clear(self, collection: Collection[Document], sent: dict[Any, list[str]]) -> None:
        if not sent:
            return
        published = [entry_id for entry_ids in sent.values() for entry_id in entry_ids]
        has_more = {"$gt": [{"$size": "$outbox"}, 0]}
        # One pipeline update for the whole batch: remove exactly the confirmed entries
        # (events added meanwhile stay), and leave the pending index when nothing is left.
        # Written twice (a lapsed holder and its successor), the second removes nothing.
        collection.update_many(
            {"_id": {"$in": list(sent)}},
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
                # Fields of the former per-document lease, left by earlier versions.
                {"$unset": ["outbox_lease", "outbox_owner"]},
            ],
        )

    def _update_gauges(self) -> None:
        # The operations view reads the same figures (``shared.pipeline``); a database that
        # does not answer leaves the gauges as they were.
        state = outbox_state(self.collections, datetime.now(UTC))
        if state is None:
            return
        OUTBOX_BACKLOG.labels(service=self.service).set(state.backlog)
        OUTBOX_OLDEST.labels(service=self.service).set(state.oldest_age_seconds or 0.0)
