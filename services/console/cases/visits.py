"""When a person last opened each case, so queues can mark what is new to them.

Kept in the console's own database: it is about a page, not about the case. Marks older
than 90 days expire (a case untouched for that long is not "new" to anyone).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Final

from pymongo import UpdateOne

from services.console.deps import deps

KEEP: Final = timedelta(days=90)
COLLECTION: Final = "visits"


def ensure_indexes() -> None:
    deps().collection(COLLECTION).create_index("expires_at", expireAfterSeconds=0, name="expiry")


def mark_seen(officer_id: str, case_id: str, now: datetime) -> None:
    """Record that the person opened the case now."""
    deps().collection(COLLECTION).bulk_write(
        [
            UpdateOne(
                {"_id": f"{officer_id}:{case_id}"},
                {"$set": {"seen_at": now, "expires_at": now + KEEP}},
                upsert=True,
            )
        ],
        ordered=False,
    )


def seen(officer_id: str, case_ids: Iterable[str]) -> dict[str, datetime]:
    """When the person last opened each of ``case_ids`` (absent: never)."""
    keys = [f"{officer_id}:{case_id}" for case_id in case_ids]
    if not keys:
        return {}
    found = deps().collection(COLLECTION).find({"_id": {"$in": keys}}, {"seen_at": 1})
    return {str(doc["_id"]).split(":", 1)[1]: doc["seen_at"] for doc in found}  # type: ignore[misc]
