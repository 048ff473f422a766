"""The per-recipient rate limit, shared by every worker through one document per window.

Each window document lists the notification keys admitted in it, at most ``limit`` of them;
one atomic update adds a key only while the list is not full. An alert's place in the list is
its answer, so a retried alert keeps the slot it had and two workers never admit more than
the limit between them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from services.notify.policy import RateWindow

Document = dict[str, Any]


def reserve(
    windows: Collection[Document],
    recipient_id: str,
    channel: str,
    window: RateWindow,
    key: str,
    limit: int,
) -> int | None:
    """The 1-based place of ``key`` among the alerts admitted in ``window``; None if full."""
    doc_id = f"{recipient_id}|{channel}|{window.id}"
    not_full = {"_id": doc_id, f"keys.{limit - 1}": {"$exists": False}}
    update = {
        "$addToSet": {"keys": key},
        # Kept a day past its end so a late retry still finds the slot it was given.
        "$setOnInsert": {"expires_at": window.end + timedelta(days=1)},
    }
    doc: Document | None
    try:
        doc = windows.find_one_and_update(
            not_full, update, upsert=True, return_document=ReturnDocument.AFTER
        )
    except DuplicateKeyError:
        # The document exists: either full (the filter missed it) or another worker created
        # it at the same moment. Try once more without creating.
        doc = windows.find_one_and_update(not_full, update, return_document=ReturnDocument.AFTER)
    if doc is None:
        doc = windows.find_one({"_id": doc_id})
    keys: list[str] = list(doc.get("keys", [])) if doc else []
    return keys.index(key) + 1 if key in keys else None
