"""The intake bench's reading of what mongod did per request, from mongod's own counters."""

from __future__ import annotations

import uuid
from typing import Any

from pymongo import MongoClient

from bench.intake_throughput import DatabaseWork
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
        client.drop_database(collection.database.name)
    finally:
        client.close()
