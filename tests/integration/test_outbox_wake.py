"""The outbox relay on the real database and broker: woken, it publishes at once however
seldom it looks on its own; it does not look before its interval; a stop ends it promptly.
A worker wakes it after each handled event (``shared/worker_runtime.py``), and intake's also
when its HTTP processes write pending events (``shared/outbox_watch.py``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence

import pytest
from pymongo import MongoClient
from pymongo.collection import Collection

from shared import outbox
from shared.broker import topology
from shared.broker.publisher import Outgoing, Publisher
from shared.outbox import Document, OutboxRelay
from shared.outbox_watch import OutboxWatch, more_buffered, pending_writes
from shared.settings import Settings
from tests.support.broker import depth
from tests.support.commands import CommandCounter
from tests.support.waiting import eventually
from tests.unit.triage.builders import envelope_of, submitted

AN_HOUR = 3600.0


@pytest.fixture
def collection(settings: Settings) -> Iterator[Collection[Document]]:
    client: MongoClient[Document] = MongoClient(settings.mongo_url)
    pending = client[settings.database_name("triage")]["wake_test"]
    outbox.ensure_indexes(pending)
    yield pending
    client.close()


def test_a_woken_relay_publishes_at_once_and_an_idle_one_waits_its_interval(
    settings: Settings, collection: Collection[Document]
) -> None:
    queue = topology.consumer_topology(settings, "triage").queue
    depth(settings, queue)  # declares the topology, so the relay's publish has a queue to reach
    relay = OutboxRelay(
        "test", [collection], Publisher(settings, name="wake-test"), idle_interval=AN_HOUR
    )
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    try:
        # Its first look found nothing; it now waits an hour unless woken.
        time.sleep(1.0)
        collection.insert_one({"_id": "c-1", **outbox.fields([envelope_of(submitted())])})
        time.sleep(1.5)
        assert depth(settings, queue) == 0, "the relay looked before its interval"
        assert collection.count_documents({"outbox_pending": True}) == 1

        relay.wake()
        eventually(lambda: depth(settings, queue) == 1, timeout=10)
        eventually(lambda: collection.count_documents({"outbox_pending": True}) == 0, timeout=10)
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive(), "a stop waited for the hour-long interval"


def test_the_watch_wakes_the_relay_when_another_process_writes_pending_events(
    settings: Settings, collection: Collection[Document]
) -> None:
    calls: list[float] = []
    watch = OutboxWatch([collection], lambda: calls.append(time.monotonic()))
    stop = threading.Event()
    thread = threading.Thread(target=watch.run, args=(stop,), daemon=True)
    thread.start()
    try:
        eventually(watch.watching.is_set, timeout=10)
        collection.insert_one({"_id": "c-1", **outbox.fields([envelope_of(submitted())])})
        eventually(lambda: len(calls) >= 1, timeout=10)
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()


def test_a_burst_of_writes_wakes_the_relay_per_batch_and_after_the_last_write(
    settings: Settings, collection: Collection[Document]
) -> None:
    """Read one change at a time, every insert was a getMore and a wake of its own (300
    here); now a wake comes with the last change of each batch the server sends, the watch
    pauses between batches, and the last write is still followed by a wake."""
    calls: list[float] = []
    watch = OutboxWatch([collection], lambda: calls.append(time.monotonic()), pause=0.1)
    stop = threading.Event()
    thread = threading.Thread(target=watch.run, args=(stop,), daemon=True)
    thread.start()
    try:
        eventually(watch.watching.is_set, timeout=10)
        for n in range(300):
            collection.insert_one({"_id": f"b-{n}", **outbox.fields([envelope_of(submitted())])})
        last_write = time.monotonic()
        eventually(lambda: bool(calls) and calls[-1] >= last_write, timeout=10)
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()
    assert 1 <= len(calls) <= 60, len(calls)


def test_this_pymongo_tells_the_watch_where_a_batch_ends(
    collection: Collection[Document],
) -> None:
    """Without it the watch falls back to a wake per change: correct, and as costly as
    before. A pymongo that stops saying must fail here, not slow the relay unseen."""
    event = envelope_of(submitted())
    with collection.database.watch(
        pending_writes([collection.name]), max_await_time_ms=200
    ) as stream:
        collection.insert_many([{"_id": f"m-{n}", **outbox.fields([event])} for n in range(3)])
        seen: list[bool | None] = []
        while len(seen) < 3:
            if stream.try_next() is not None:
                seen.append(more_buffered(stream))
    # insert_many is one command; its changes may come in one batch or more, and the last
    # change read has nothing after it.
    assert seen[-1] is False
    assert all(more is not None for more in seen)


def test_the_stream_carries_only_writes_that_make_a_document_pending(
    collection: Collection[Document],
) -> None:
    """Every other write to a case (its timeline, its status) would wake the relay for
    nothing: the server leaves them out."""
    event = envelope_of(submitted())
    with collection.database.watch(
        pending_writes([collection.name]), max_await_time_ms=200
    ) as stream:
        collection.insert_one({"_id": "plain", "title": "no events"})
        collection.update_one({"_id": "plain"}, {"$set": {"title": "still none"}})
        collection.database["elsewhere"].insert_one(outbox.fields([event]))
        collection.update_one({"_id": "plain"}, outbox.push([event]))
        collection.insert_one({"_id": "pending", **outbox.fields([event])})
        seen = []
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < 1.5:
            change = stream.try_next()
            if change is not None:
                seen.append(change)
                quiet_since = time.monotonic()
    # The push and the pending insert, in order, and nothing of the rest; only the token.
    assert len(seen) == 2, seen
    assert all(set(change) == {"_id"} for change in seen)


class _Rounds(Publisher):
    """The real publisher, counting the batches it is handed (one per round with events)."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings, name="rounds-test")
        self.batches: list[int] = []

    def publish(self, messages: Sequence[Outgoing]) -> None:
        super().publish(messages)
        self.batches.append(len(messages))


def _running(relay: OutboxRelay) -> tuple[threading.Event, threading.Thread]:
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    return stop, thread


def test_a_lone_event_after_an_empty_look_does_not_wait_out_the_gap(
    settings: Settings, collection: Collection[Document]
) -> None:
    """The gap between rounds gathers events under load; it follows only rounds that
    published, so the first event after a quiet spell goes at once."""
    queue = topology.consumer_topology(settings, "triage").queue
    depth(settings, queue)
    relay = OutboxRelay(
        "test",
        [collection],
        Publisher(settings, name="gap-test"),
        idle_interval=AN_HOUR,
        round_gap=AN_HOUR,
    )
    stop, thread = _running(relay)
    try:
        time.sleep(0.5)  # its first look found nothing
        collection.insert_one({"_id": "lone", **outbox.fields([envelope_of(submitted())])})
        relay.wake()
        eventually(lambda: depth(settings, queue) == 1, timeout=10)
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()


def test_events_woken_in_quick_succession_go_out_together_with_no_empty_look_after(
    settings: Settings, collection: Collection[Document]
) -> None:
    """A round costs the same two commands for one event as for fifty: events that come
    while the relay waits out its gap after a round that published go together in the next
    round. After a round, the relay looks again at once only if woken meanwhile (or its
    batch was full): an empty look after every round was a command per case for nothing."""
    queue = topology.consumer_topology(settings, "triage").queue
    depth(settings, queue)
    # The relay's looks for pending events, not the backlog gauge's reads, which come
    # every few seconds whatever happens.
    looks = CommandCounter(
        collection.name, where=lambda command: "outbox" in command.get("projection", {})
    )
    client: MongoClient[Document] = MongoClient(settings.mongo_url, event_listeners=[looks])
    watched = client[collection.database.name][collection.name]
    publisher = _Rounds(settings)
    relay = OutboxRelay("test", [watched], publisher, idle_interval=AN_HOUR, round_gap=1.0)
    stop, thread = _running(relay)
    try:
        time.sleep(0.5)
        collection.insert_one({"_id": "lone", **outbox.fields([envelope_of(submitted())])})
        relay.wake()
        eventually(lambda: depth(settings, queue) == 1, timeout=10)
        for n in range(5):
            collection.insert_one({"_id": f"c-{n}", **outbox.fields([envelope_of(submitted())])})
            relay.wake()
        eventually(lambda: depth(settings, queue) == 6, timeout=10)
        eventually(lambda: collection.count_documents({"outbox_pending": True}) == 0, timeout=10)
        looked = looks.count
        time.sleep(2.0)  # twice the gap: an empty look after the round would have come
        assert looks.count == looked, "the relay looked again with nothing to find"
    finally:
        stop.set()
        thread.join(5)
        client.close()
    # The first look, the lone event's round, the five's round.
    assert looked == 3
    assert publisher.batches == [1, 5]
