"""The benches' reading of what mongod did per request, from mongod's own counters."""

from __future__ import annotations

import uuid
from typing import Any

from pymongo import MongoClient

from bench.database_work import DatabaseWork
from services.cli.infra import MongoServer


def test_documents_written_and_read_are_counted_per_request(mongo_server: MongoServer) -> None:
    client: MongoClient[dict[str, Any]] = MongoClient(mongo_server.url)
    try:
        collection = client[f"bench_{uuid.uuid4().hex[:8]}"]["cases"]
        work = DatabaseWork(client)
        collection.insert_many([{"n": n} for n in range(10)])
        collection.update_many({"n": {"$lt": 5}}, {"$set": {"seen": True}})
        assert len(list(collection.find({"seen": True}))) == 5
        per_request = work.stop().per_request(5)
        # Other clients of the test server may write meanwhile: at least ours, per request.
        assert per_request["inserted"] >= 2.0
        assert per_request["updated"] >= 1.0
        assert per_request["returned"] >= 1.0
        assert per_request["commands"] >= 0.6  # insert, update, find
        ranked = dict(work.commands_per_request(5))
        assert ranked["insert"] >= 0.2
        assert ranked["update"] >= 0.2
        assert ranked["find"] >= 0.2
        by_collection = {name: ops for name, _, ops in work.collections_per_request(5, most=50)}
        ours = by_collection[collection.full_name]
        assert ours["insert"] >= 0.2  # one insert_many
        assert ours["update"] >= 0.2
        assert ours["queries"] >= 0.2
        client.drop_database(collection.database.name)
    finally:
        client.close()
