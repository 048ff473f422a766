"""The delivery ledger: one document per notification, claimed before sending, every attempt
recorded, and the follow-up event (notification.sent / .failed) queued in the same write.

A document is created by the first worker to claim it (status ``sending`` with a lease). A
second worker, a redelivered event or a restarted worker finds the claim or the final state
and does not send again; a claim whose lease ran out (its worker died) is taken over. The one
window left, a crash after the provider accepted a message and before it is marked, resends
it with the same key (the e-mail Message-ID, the SMS gateway's client reference).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from pymongo import UpdateOne
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from shared import outbox
from shared.broker.consumer import Deferred
from shared.contracts import Envelope

Document = dict[str, Any]
ANSWER_LIMIT = 500

# States from which a notification may be tried again.
RETRYABLE = ("pending", "parked")
# States in which a notification is done with (or waits for its digest): never sent again.
FINAL = ("sent", "failed", "held", "digested", "skipped")


class DeliveryInProgress(Deferred):
    """Another worker holds the claim on this notification (or held it and died): look again
    once its lease has run out, without counting this as a failed attempt."""


def notification_key(case_id: str, event_id: str, recipient_id: str, channel: str) -> str:
    """The deterministic key of one alert."""
    raw = f"{case_id}|{event_id}|{recipient_id}|{channel}".encode()
    return hashlib.sha256(raw).hexdigest()[:40]


def digest_key(recipient_id: str, channel: str, window: str) -> str:
    """The deterministic key of one digest: one per recipient, channel and window."""
    raw = f"digest|{recipient_id}|{channel}|{window}".encode()
    return hashlib.sha256(raw).hexdigest()[:40]


def claim(
    deliveries: Collection[Document],
    key: str,
    fields: Mapping[str, Any],
    now: datetime,
    lease: timedelta,
    *,
    retry_filter: Mapping[str, Any] | None = None,
) -> tuple[bool, str]:
    """Take the right to send ``key``: (True, "new" or "taken") or (False, its final status).

    ``fields`` describe a new document. ``retry_filter`` narrows when a retryable document
    may be taken (a digest waits for its ``next_attempt_at``). Raises DeliveryInProgress while
    another worker's lease is live.
    """
    try:
        result = deliveries.update_one(
            *_claim_parts(key, fields, now, lease, retry_filter), upsert=True
        )
    except DuplicateKeyError:
        return refused(deliveries, key)
    return True, "new" if result.upserted_id is not None else "taken"


def claim_op(
    key: str,
    fields: Mapping[str, Any],
    now: datetime,
    lease: timedelta,
    *,
    retry_filter: Mapping[str, Any] | None = None,
) -> UpdateOne:
    """The claim as one upsert (a batch of alerts writes it with the records before it): it
    creates the document, or takes one that may be retried or whose lease ran out; on any
    other document the insert it falls back to meets the key already there (a duplicate-key
    error, :func:`refused`)."""
    return UpdateOne(*_claim_parts(key, fields, now, lease, retry_filter), upsert=True)


def _claim_parts(
    key: str,
    fields: Mapping[str, Any],
    now: datetime,
    lease: timedelta,
    retry_filter: Mapping[str, Any] | None,
) -> tuple[Document, Document]:
    retryable: dict[str, Any] = {"status": {"$in": list(RETRYABLE)}, **(retry_filter or {})}
    expired = {"status": "sending", "lease_until": {"$lt": now}}
    return (
        {"_id": key, "$or": [retryable, expired]},
        {
            "$set": {"status": "sending", "lease_until": now + lease},
            "$setOnInsert": {**fields, "attempts": [], "created_at": now},
        },
    )


def refused(deliveries: Collection[Document], key: str) -> tuple[bool, str]:
    """(False, the final status) of a claim that found ``key`` taken; DeliveryInProgress
    while it is being sent (or may be retried later)."""
    current = deliveries.find_one({"_id": key}, {"status": 1})
    if current is None or current["status"] in ("sending", *RETRYABLE):
        raise DeliveryInProgress(key)
    return False, str(current["status"])


def attempt_entry(
    now: datetime,
    channel: str,
    result: str,
    *,
    answer: str = "",
    error: str = "",
    attempt: int | None = None,
) -> Document:
    """One line of a notification's history."""
    entry: Document = {"at": now, "channel": channel, "result": result}
    if answer:
        entry["answer"] = answer[:ANSWER_LIMIT]
    if error:
        entry["error"] = error[:ANSWER_LIMIT]
    if attempt is not None:
        entry["attempt"] = attempt
    return entry


def record(
    deliveries: Collection[Document],
    key: str,
    status: str,
    entry: Document,
    now: datetime,
    follow_ups: Sequence[Envelope] = (),
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Set the outcome of an attempt, append it to the history and queue its events, in one
    write: the event about a send exists exactly when the ledger says it happened."""
    deliveries.update_one({"_id": key}, record_update(status, entry, now, follow_ups, extra))


def record_update(
    status: str,
    entry: Document,
    now: datetime,
    follow_ups: Sequence[Envelope] = (),
    extra: Mapping[str, Any] | None = None,
) -> Document:
    """The update :func:`record` writes (a batch of alerts writes several in one command)."""
    update: dict[str, Any] = {
        "$set": {"status": status, "lease_until": None, **(extra or {})},
        "$push": {"attempts": entry},
    }
    if status == "sent":
        update["$set"]["sent_at"] = now
    if follow_ups:
        queued = outbox.push(list(follow_ups), now)
        update["$push"]["outbox"] = queued["$push"]["outbox"]
        update["$set"].update(queued["$set"])
        update["$min"] = queued["$min"]
    return update


def insert_final(
    deliveries: Collection[Document],
    key: str,
    fields: Mapping[str, Any],
    status: str,
    entry: Document,
    now: datetime,
    follow_ups: Sequence[Envelope] = (),
) -> bool:
    """Create a document already in its final state (held, skipped, unreachable); False when
    it exists (a redelivered event)."""
    doc: Document = {
        "_id": key,
        **fields,
        "status": status,
        "lease_until": None,
        "attempts": [entry],
        "created_at": now,
    }
    if follow_ups:
        doc.update(outbox.fields(list(follow_ups), now))
    try:
        deliveries.insert_one(doc)
    except DuplicateKeyError:
        return False
    return True
