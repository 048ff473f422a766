"""What mongod itself says it served: a test's way to count reads without timing them."""

from __future__ import annotations

from typing import Any

from pymongo import MongoClient
from pymongo.collection import Collection

from shared.settings import Settings


def queries_on(settings: Settings, collection: Collection[Any]) -> int:
    """Queries mongod has served on ``collection`` so far (its ``top`` counters)."""
    client: MongoClient[dict[str, Any]]
    with MongoClient(settings.mongo_url) as client:
        totals = client.admin.command("top")["totals"]
    return int(totals.get(collection.full_name, {}).get("queries", {}).get("count", 0))
