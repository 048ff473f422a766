"""Challenges already spent, in the console's own collection, so one solved challenge files
one report. Entries expire with their challenge (a TTL index)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final, Protocol

from pymongo.errors import DuplicateKeyError

COLLECTION: Final = "spent_challenges"


class _Collection(Protocol):
    def insert_one(self, document: Any, *args: Any, **kwargs: Any) -> Any: ...
    def find_one(self, *args: Any, **kwargs: Any) -> Any: ...
    def create_index(self, keys: Any, *args: Any, **kwargs: Any) -> Any: ...


class SpentChallenges:
    """Spends challenges; a challenge comes back only as a resend of the same sending."""

    def __init__(self, collection: _Collection) -> None:
        self.collection = collection
        self._indexed = False

    def ensure_indexes(self) -> None:
        if not self._indexed:
            self.collection.create_index("expires_at", expireAfterSeconds=0, name="expiry")
            self._indexed = True

    def spend(self, challenge_id: str, sending: str, expires: int) -> bool:
        """Spend ``challenge_id`` for the sending ``sending`` (its Idempotency-Key).

        True the first time, and again for the same sending (a resend after a timeout,
        which intake answers with the first answer); False for any other sending: a reused
        challenge.
        """
        self.ensure_indexes()
        try:
            self.collection.insert_one(
                {
                    "_id": challenge_id,
                    "sending": sending,
                    "expires_at": datetime.fromtimestamp(expires, UTC),
                }
            )
            return True
        except DuplicateKeyError:
            found = self.collection.find_one({"_id": challenge_id})
            return found is not None and found.get("sending") == sending
