"""Followed documents on the real database: while the change stream runs, a document is read
once and then served from memory; a change written by another process is seen, and drops only
the document it changed; a document read while a change arrives is not kept; without the
stream every read goes to the database; a worker's cache, which asks its stream before each
batch rather than wait, hears of a change as it asks; and a process that saves a
configuration sees it at once (triage's configuration heads are followed this way, as are
notify's profiles)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from pymongo import MongoClient
from pymongo.collection import Collection

from services.cli.infra import MongoServer
from services.triage.bootstrap import bootstrap, ensure_indexes
from services.triage.deps import build
from shared.followed import FollowedDocuments
from shared.settings import Settings
from tests.support.commands import CommandCounter
from tests.support.waiting import eventually
from tests.unit.triage.builders import database_only_settings

Document = dict[str, object]
TENANT = "19.05"


@pytest.fixture
def heads(settings: Settings) -> Iterator[tuple[Collection[Document], CommandCounter]]:
    listener = CommandCounter("heads_test")
    client: MongoClient[Document] = MongoClient(settings.mongo_url, event_listeners=[listener])
    collection = client[settings.database_name("triage")]["heads_test"]
    collection.delete_many({})
    # Written before any stream opens, so no test sees its own setup arrive as a change.
    collection.insert_many([{"_id": TENANT, "rules": 1}, {"_id": "19.02", "rules": 7}])
    yield collection, listener
    client.close()


@pytest.fixture
def following(
    heads: tuple[Collection[Document], CommandCounter],
) -> Iterator[FollowedDocuments]:
    cache = FollowedDocuments(heads[0])
    stop = threading.Event()
    thread = threading.Thread(target=cache.run, args=(stop,), daemon=True)
    thread.start()
    eventually(cache.following.is_set, timeout=10)
    yield cache
    stop.set()
    thread.join(5)
    assert not thread.is_alive(), "the stream did not see the stop"


def _rules(cache: FollowedDocuments, key: str = TENANT) -> object:
    found = cache.read(key)
    return None if found is None else found.get("rules")


def test_a_followed_document_is_read_once_and_a_change_by_another_process_is_seen(
    settings: Settings,
    heads: tuple[Collection[Document], CommandCounter],
    following: FollowedDocuments,
) -> None:
    collection, finds = heads
    assert _rules(following) == 1
    before = finds.count
    for _ in range(20):
        assert _rules(following) == 1
    assert finds.count == before, "a followed document was read again with nothing changed"

    # Another process (its own client, so not this cache's forget) changes the other one.
    other: MongoClient[Document] = MongoClient(settings.mongo_url)
    try:
        other[collection.database.name][collection.name].update_one(
            {"_id": "19.02"}, {"$set": {"rules": 8}}
        )
        eventually(lambda: _rules(following, "19.02") == 8, timeout=10)
        # Only the changed document was dropped.
        before = finds.count
        assert _rules(following) == 1
        assert finds.count == before, "a change to one document dropped another"

        other[collection.database.name][collection.name].update_one(
            {"_id": TENANT}, {"$set": {"rules": 2}}
        )
    finally:
        other.close()
    eventually(lambda: _rules(following) == 2, timeout=10)
    # A document that does not exist reads as None, and is cached like any other.
    assert following.read("19.99") is None
    before = finds.count
    assert following.read("19.99") is None
    assert finds.count == before


def test_a_cache_that_does_not_wait_hears_of_a_change_as_it_catches_up(
    settings: Settings, heads: tuple[Collection[Document], CommandCounter]
) -> None:
    """A worker's cache asks its stream before each batch instead of waiting in the
    database: a change committed before the ask is seen by the very next read."""
    collection, finds = heads
    # Its own looks are a minute apart here: only the catch-up can bring the change.
    cache = FollowedDocuments(collection, waits=False, ask_every=60.0)
    stop = threading.Event()
    thread = threading.Thread(target=cache.run, args=(stop,), daemon=True)
    thread.start()
    other: MongoClient[Document] = MongoClient(settings.mongo_url)
    try:
        eventually(cache.following.is_set, timeout=10)
        assert (_rules(cache), _rules(cache, "19.02")) == (1, 7)
        before = finds.count
        assert (_rules(cache), _rules(cache, "19.02")) == (1, 7)
        assert finds.count == before, "a followed document was read again with nothing changed"
        other[collection.database.name][collection.name].update_one(
            {"_id": TENANT}, {"$set": {"rules": 2}}
        )
        cache.catch_up()
        assert _rules(cache) == 2
        # Only the changed document was read again.
        assert finds.count == before + 1
        assert _rules(cache, "19.02") == 7
        assert finds.count == before + 1
    finally:
        stop.set()
        thread.join(5)
        other.close()
    assert not thread.is_alive(), "the stream did not see the stop"
    # Without its stream the cache reads the database again, and catching up does nothing.
    cache.catch_up()
    before = finds.count
    assert _rules(cache) == 2
    assert finds.count == before + 1


def test_a_head_read_while_a_change_arrives_is_not_kept(
    heads: tuple[Collection[Document], CommandCounter], following: FollowedDocuments
) -> None:
    _, finds = heads
    # The change is reported while the read is on its way: the read may predate it.
    finds.during.append(following.forget)
    assert _rules(following) == 1
    before = finds.count
    following.read(TENANT)
    assert finds.count == before + 1, "a read that raced a change was kept"
    following.read(TENANT)
    assert finds.count == before + 1, "the next read, with nothing changed, was not kept"


def test_without_its_stream_every_read_goes_to_the_database(
    heads: tuple[Collection[Document], CommandCounter],
) -> None:
    collection, finds = heads
    cache = FollowedDocuments(collection)
    for _ in range(3):
        cache.read(TENANT)
    assert finds.count == 3
    # A change with nobody following it is seen by the very next read.
    collection.update_one({"_id": TENANT}, {"$set": {"rules": 2}})
    assert _rules(cache) == 2


def test_a_stopped_stream_stops_the_cache(
    heads: tuple[Collection[Document], CommandCounter],
) -> None:
    collection, finds = heads
    cache = FollowedDocuments(collection)
    stop = threading.Event()
    thread = threading.Thread(target=cache.run, args=(stop,), daemon=True)
    thread.start()
    eventually(cache.following.is_set, timeout=10)
    cache.read(TENANT)
    stop.set()
    thread.join(5)
    before = finds.count
    cache.read(TENANT)
    assert finds.count == before + 1, "a head was served from memory with nobody following"


@pytest.fixture
def db_settings(mongo_server: MongoServer) -> Iterator[Settings]:
    yield from database_only_settings(mongo_server.url)


def test_a_saved_configuration_is_in_force_at_once_in_the_process_that_saved_it(
    db_settings: Settings,
) -> None:
    bootstrap(db_settings)
    ensure_indexes()
    store = build(db_settings).config
    stop = threading.Event()
    thread = threading.Thread(target=store.head_cache.run, args=(stop,), daemon=True)
    thread.start()
    try:
        eventually(store.head_cache.following.is_set, timeout=10)
        before = store.current(TENANT)
        assert before.versions["calendar"] == 0
        saved = store.save(
            TENANT,
            "calendar",
            {"entries": [{"kind": "holiday", "start": "2026-12-24", "label": "libur"}]},
            by="sup-1",
            reason="libur daerah",
        )
        assert saved.versions["calendar"] == 1
        # No waiting for the stream: the saving process forgot its cached head itself.
        assert store.current(TENANT).versions["calendar"] == 1
    finally:
        stop.set()
        thread.join(5)


def test_documents_followed_by_another_field_are_dropped_when_their_document_changes(
    settings: Settings, heads: tuple[Collection[Document], CommandCounter]
) -> None:
    """API keys are found by their prefix, while the stream names the changed document by
    its _id: a revocation written by another process still drops the cached key, and a key
    that did not exist when asked for is found as soon as it is created."""
    collection, finds = heads
    collection.insert_one({"_id": "key-1", "prefix": "abc", "revoked_at": None})
    keys = FollowedDocuments(collection, field="prefix", projection={"revoked_at": 1})
    stop = threading.Event()
    thread = threading.Thread(target=keys.run, args=(stop,), daemon=True)
    thread.start()
    other: MongoClient[Document] = MongoClient(settings.mongo_url)
    elsewhere = other[collection.database.name][collection.name]
    try:
        eventually(keys.following.is_set, timeout=10)
        assert (keys.read("abc") or {}).get("revoked_at") is None
        before = finds.count
        keys.read("abc")
        assert finds.count == before, "a followed key was read again with nothing changed"

        elsewhere.update_one({"_id": "key-1"}, {"$set": {"revoked_at": "2026-12-03"}})
        eventually(lambda: (keys.read("abc") or {}).get("revoked_at") == "2026-12-03", timeout=10)

        assert keys.read("new") is None
        elsewhere.insert_one({"_id": "key-2", "prefix": "new", "revoked_at": None})
        assert keys.read("new") is not None, "a missing key was kept as missing"
    finally:
        stop.set()
        thread.join(5)
        other.close()


def test_a_process_that_forks_after_building_it_starts_the_stream_on_first_use(
    heads: tuple[Collection[Document], CommandCounter],
) -> None:
    collection, finds = heads
    cache = FollowedDocuments(lambda: collection, background=True)
    try:
        assert not cache.following.is_set()
        assert _rules(cache) == 1
        eventually(cache.following.is_set, timeout=10)
        _rules(cache)
        before = finds.count
        assert _rules(cache) == 1
        assert finds.count == before
    finally:
        cache.close()
    eventually(lambda: not cache.following.is_set(), timeout=10)


def test_a_cache_follows_the_collection_its_function_names_now(settings: Settings) -> None:
    """A process that connects to another database (each test does) reads from the new
    collection: its stream must follow that one, or it keeps documents whose changes it never
    hears of (a revoked key served from memory)."""
    client: MongoClient[Document] = MongoClient(settings.mongo_url)
    database = client[settings.database_name("triage")]
    first, second = database["follow_first"], database["follow_second"]
    first.insert_one({"_id": TENANT, "rules": 1})
    second.insert_one({"_id": TENANT, "rules": 2})
    current = [first]
    cache = FollowedDocuments(lambda: current[0])
    stop = threading.Event()
    thread = threading.Thread(target=cache.run, args=(stop,), daemon=True)
    thread.start()
    try:
        eventually(cache.following.is_set, timeout=10)
        assert _rules(cache) == 1
        current[0] = second
        eventually(lambda: _rules(cache) == 2, timeout=10)
        eventually(cache.following.is_set, timeout=10)
        assert _rules(cache) == 2
        second.update_one({"_id": TENANT}, {"$set": {"rules": 3}})
        eventually(lambda: _rules(cache) == 3, timeout=10)
    finally:
        stop.set()
        thread.join(5)
        client.close()
