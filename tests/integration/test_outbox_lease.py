"""Replicas of a relay on the real database and broker: one relays a collection at a time, by
the collection's lease; another takes over when the holder stops, cannot publish or dies; and
a round writes each document it publishes once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from prometheus_client import REGISTRY
from pymongo import MongoClient
from pymongo.collection import Collection

from shared import outbox
from shared.broker import topology
from shared.broker.publisher import Publisher
from shared.outbox import LEASES, Document, OutboxRelay
from shared.settings import Settings
from tests.support.broker import depth, drain
from tests.support.commands import CommandCounter
from tests.support.waiting import eventually
from tests.unit.triage.builders import envelope_of, submitted


@pytest.fixture
def collection(settings: Settings) -> Iterator[Collection[Document]]:
    # Time zone aware, as the services' clients are (the relay's backlog gauge needs it).
    client: MongoClient[Document] = MongoClient(settings.mongo_url, tz_aware=True)
    pending = client[settings.database_name("triage")]["lease_test"]
    outbox.ensure_indexes(pending)
    yield pending
    client.close()


def _queue(settings: Settings) -> str:
    queue = topology.consumer_topology(settings, "triage").queue
    depth(settings, queue)  # declared, so what the relays publish is kept
    return queue


def _add(collection: Collection[Document], name: str) -> str:
    envelope = envelope_of(submitted())
    collection.insert_one({"_id": name, **outbox.fields([envelope])})
    return str(envelope.id)


def _published(settings: Settings, queue: str) -> list[str]:
    return [str(properties.message_id) for properties, _ in drain(settings, queue)]


def test_one_relay_publishes_a_collection_at_a_time_and_another_takes_over_when_it_stops(
    settings: Settings, collection: Collection[Document]
) -> None:
    queue = _queue(settings)
    first = OutboxRelay("test", [collection], Publisher(settings, name="first"), standby_look=0)
    second = OutboxRelay("test", [collection], Publisher(settings, name="second"), standby_look=0)
    one = _add(collection, "c-1")
    assert first.relay_once(collection) == 1
    two = _add(collection, "c-2")
    assert second.relay_once(collection) == 0, "the first relay holds the lease"
    assert collection.count_documents({"outbox_pending": True}) == 1
    stop = threading.Event()
    thread = threading.Thread(target=first.run, args=(stop,), daemon=True)
    thread.start()
    eventually(lambda: collection.count_documents({"outbox_pending": True}) == 0, timeout=10)
    stop.set()
    thread.join(5)
    assert not thread.is_alive()
    assert collection.database[LEASES].count_documents({"owner": first.owner}) == 0
    three = _add(collection, "c-3")
    assert second.relay_once(collection) == 1, "given up at the stop: taken over at once"
    assert _published(settings, queue) == [one, two, three]


def test_a_dead_holder_s_lease_lapses_and_it_cannot_publish_after_another_took_over(
    settings: Settings, collection: Collection[Document]
) -> None:
    queue = _queue(settings)
    short = timedelta(seconds=1)
    dead = OutboxRelay("test", [collection], Publisher(settings, name="dead"), lease=short)
    other = OutboxRelay(
        "test", [collection], Publisher(settings, name="other"), lease=short, standby_look=0
    )
    one = _add(collection, "c-1")
    assert dead.relay_once(collection) == 1  # then killed: its lease is never given up
    two = _add(collection, "c-2")
    assert other.relay_once(collection) == 0
    eventually(lambda: other.relay_once(collection) == 1, timeout=10, interval=0.1)
    # The first one comes back (it was only paused): the lease is the other's now.
    _add(collection, "c-3")
    assert dead.relay_once(collection) == 0
    assert _published(settings, queue) == [one, two]
    assert collection.count_documents({"outbox_pending": True}) == 1


def test_a_round_writes_each_published_document_once(
    settings: Settings, collection: Collection[Document]
) -> None:
    queue = _queue(settings)
    updates = CommandCounter(collection.name, name="update")
    client: MongoClient[Document] = MongoClient(settings.mongo_url, event_listeners=[updates])
    try:
        watched = client[collection.database.name][collection.name]
        ids = [_add(collection, f"c-{n}") for n in range(20)]
        relay = OutboxRelay("test", [watched], Publisher(settings, name="writes"))
        assert relay.relay_once(watched) == 20
    finally:
        client.close()
    assert updates.count == 1, "one update clears the batch; nothing is written before it"
    assert sorted(_published(settings, queue)) == sorted(ids)
    for doc in collection.find():
        assert doc["outbox"] == []
        assert "outbox_pending" not in doc
        assert "outbox_lease" not in doc


def test_a_relay_on_a_client_without_time_zones_still_publishes_and_reports_its_backlog(
    settings: Settings,
) -> None:
    """The backlog gauge compares the database's dates with the clock: a naive date (a
    client without ``tz_aware``) must not stop the relay's thread."""
    client: MongoClient[Document] = MongoClient(settings.mongo_url)
    naive = client[settings.database_name("triage")]["naive_test"]
    outbox.ensure_indexes(naive)
    queue = _queue(settings)
    one = _add(naive, "n-1")
    relay = OutboxRelay("naive", [naive], Publisher(settings, name="naive"))
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    try:
        eventually(lambda: naive.count_documents({"outbox_pending": True}) == 0, timeout=10)
        assert thread.is_alive()
        assert (
            REGISTRY.get_sample_value("pantau_outbox_oldest_age_seconds", {"service": "naive"})
            is not None
        )
    finally:
        stop.set()
        thread.join(5)
        client.close()
    assert _published(settings, queue) == [one]
