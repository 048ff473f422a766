"""The orders a list of cases can be read in, and cursors that page through each without
skipping or repeating a case.

Pure: a sort name and the last document of a page in, a MongoDB sort and the condition
"after this document" out. Every order ends with ``_id`` (unique), so ties on the sort key
never make a page boundary ambiguous. A case carries two keys for queues, written with the
case and kept by triage's events: ``due_key`` (the statutory deadline; cases without one yet
sort last) and ``priority_rank`` (urgent 0 ... low 3; untriaged last).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final, Literal

from bson import ObjectId
from bson.errors import InvalidId

from shared import dates, paging

Sort = Literal["newest", "due", "priority", "updated"]
SORTS: Final[tuple[str, ...]] = ("newest", "due", "priority", "updated")

# Where an undated or untriaged case sorts: after every real deadline and priority.
NO_DEADLINE: Final = datetime(9999, 12, 31, tzinfo=UTC)
PRIORITY_RANK: Final = {"urgent": 0, "high": 1, "normal": 2, "low": 3}
UNRANKED: Final = 9

# Each order: (field, direction) pairs; ``_id`` descending always closes it.
_KEYS: Final[Mapping[str, tuple[tuple[str, int], ...]]] = {
    "newest": (("_id", -1),),
    "due": (("due_key", 1), ("_id", -1)),
    "priority": (("priority_rank", 1), ("due_key", 1), ("_id", -1)),
    "updated": (("updated_at", -1), ("_id", -1)),
}


class BadCursor(paging.BadCursor):
    """A cursor this server did not give out (or not for this order)."""


def sort_spec(sort: str) -> list[tuple[str, int]]:
    """The MongoDB sort of an order."""
    return list(_KEYS[sort])


def queue_keys(due_at: datetime | None, priority: str | None) -> dict[str, Any]:
    """The fields that place a case in the ``due`` and ``priority`` orders."""
    return {
        "due_key": due_at or NO_DEADLINE,
        "priority_rank": PRIORITY_RANK.get(priority or "", UNRANKED),
    }


def encode(sort: str, doc: Mapping[str, Any]) -> str:
    """The cursor pointing after ``doc`` in ``sort``."""
    values = [_plain(doc.get(field)) for field, _ in _KEYS[sort]]
    raw = json.dumps({"s": sort, "k": values}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def after(sort: str, cursor: str) -> dict[str, Any]:
    """The query condition selecting what comes after the cursor's document in ``sort``."""
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if "before" in decoded and sort == "newest":  # cursors of the first release
            return {"_id": {"$lt": ObjectId(decoded["before"])}}
        if decoded.get("s") != sort:
            raise BadCursor("this cursor belongs to another order")
        keys = _KEYS[sort]
        values = [
            _typed(field, value) for (field, _), value in zip(keys, decoded["k"], strict=True)
        ]
    except (binascii.Error, ValueError, KeyError, TypeError, InvalidId) as exc:
        raise BadCursor(str(exc)) from exc
    branches: list[dict[str, Any]] = []
    for depth, (field, direction) in enumerate(keys):
        branch = {keys[i][0]: values[i] for i in range(depth)}
        branch[field] = {"$gt" if direction == 1 else "$lt": values[depth]}
        branches.append(branch)
    return branches[0] if len(branches) == 1 else {"$or": branches}


def _plain(value: Any) -> Any:
    if isinstance(value, ObjectId):
        return {"oid": str(value)}
    if isinstance(value, datetime):
        return {"at": dates.aware(value).isoformat()}
    return value


def _typed(field: str, value: Any) -> Any:
    if isinstance(value, dict) and "oid" in value:
        return ObjectId(value["oid"])
    if isinstance(value, dict) and "at" in value:
        return datetime.fromisoformat(value["at"])
    if field == "priority_rank" and not isinstance(value, int):
        raise ValueError("a priority rank is a number")
    return value
