"""Sending held alerts as one digest per recipient, channel and window.

Alerts held during quiet hours or over the rate limit wait in the ledger (status ``held``)
with the moment their window ends. The notify worker's background loop looks for windows
that have ended, moves their alerts into the digest whose key is derived from (recipient,
channel, window), and sends that digest through the same claim as any alert: two workers
flushing at once send it once. A digest that fails for a passing reason is tried again with
growing delay; after the last attempt it is parked for an operator to replay.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from services.notify.channels.base import (
    Outgoing,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from services.notify.delivery import NotifyDeps
from services.notify.ledger import (
    DeliveryInProgress,
    attempt_entry,
    claim,
    digest_key,
    record,
)
from services.notify.metrics import DIGESTS, HELD_NOW, PARKED_DIGESTS
from services.notify.policy import rank
from services.notify.recipients import load
from services.notify.rendering import DigestItem, RenderError
from shared.contracts import NotificationFailed, NotificationSent, new_envelope

log = logging.getLogger(__name__)

Document = dict[str, Any]
# Delays between the attempts of a digest that failed for a passing reason.
RETRY_DELAYS = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10))
BATCH = 500


def retry_delay(tries: int) -> timedelta:
    return RETRY_DELAYS[min(tries, len(RETRY_DELAYS)) - 1]


def flush_due(deps: NotifyDeps, now: datetime | None = None) -> int:
    """Send every digest whose window has ended (and retry those that are due); returns how
    many digests went out in this round."""
    now = now or deps.clock()
    groups: set[tuple[str, str, str]] = set()
    for doc in deps.deliveries.aggregate(
        [
            {"$match": {"status": "held", "release_at": {"$lte": now}}},
            {"$group": {"_id": {"r": "$recipient_id", "c": "$channel", "w": "$window"}}},
            {"$limit": BATCH},
        ]
    ):
        groups.add((doc["_id"]["r"], doc["_id"]["c"], doc["_id"]["w"]))
    # Digests that failed for a passing reason and are due again, or whose worker died.
    for doc in deps.deliveries.find(
        {
            "kind": "digest",
            "$or": [
                {"status": "pending", "next_attempt_at": {"$lte": now}},
                {"status": "sending", "lease_until": {"$lt": now}},
            ],
        },
        {"recipient_id": 1, "channel": 1, "window": 1},
    ).limit(BATCH):
        groups.add((doc["recipient_id"], doc["channel"], doc["window"]))
    sent = 0
    for recipient_id, channel, window in sorted(groups):
        try:
            sent += flush(deps, recipient_id, channel, window, now)
        except DeliveryInProgress:
            continue  # another worker is sending it right now
    return sent


def flush(
    deps: NotifyDeps, recipient_id: str, channel_name: str, window: str, now: datetime
) -> int:
    """Send the digest of one recipient, channel and window; 1 if it went out now."""
    key = digest_key(recipient_id, channel_name, window)
    deliveries = deps.deliveries
    deliveries.update_many(
        {"status": "held", "recipient_id": recipient_id, "channel": channel_name, "window": window},
        {"$set": {"status": "digested", "digest_key": key}},
    )
    items = list(deliveries.find({"kind": "alert", "digest_key": key}))
    if not items:
        return 0
    fields = {
        "kind": "digest",
        "case_id": None,
        "case_ids": sorted({d["case_id"] for d in items}),
        "tenant": items[0].get("tenant"),
        "recipient_id": recipient_id,
        "recipient_name": items[0].get("recipient_name"),
        "channel": channel_name,
        "window": window,
        "hold_reason": items[0].get("reason"),
        "items": [d["_id"] for d in items],
        "tries": 0,
    }
    claimed, status = claim(
        deliveries,
        key,
        fields,
        now,
        deps.lease,
        # A parked digest waits for an operator; a pending one for its next attempt.
        retry_filter={"status": "pending", "next_attempt_at": {"$lte": now}},
    )
    if not claimed:
        if status == "sent":
            _settle_items(deps, key, items, now)
        return 0
    # The alerts in the digest are the ones assigned to it now (a retry may have more).
    deliveries.update_one(
        {"_id": key},
        {"$set": {"items": fields["items"], "case_ids": fields["case_ids"]}},
    )
    return _send(deps, key, items, now)


def _send(deps: NotifyDeps, key: str, items: list[Document], now: datetime) -> int:
    first = items[0]
    recipient_id, channel_name = first["recipient_id"], first["channel"]
    deliveries = deps.deliveries
    digest = deliveries.find_one({"_id": key}, {"tries": 1, "hold_reason": 1}) or {}
    tries = int(digest.get("tries", 0)) + 1
    profile = load(deps.recipients, recipient_id)
    channel = deps.channel(channel_name)
    problem = ""
    if profile is None:
        problem = "recipient is no longer known"
    elif not profile.active:
        problem = "recipient was deactivated in the officer directory"
    elif channel is None or not channel.address_of(profile):
        problem = f"recipient has no address on {channel_name} any more"
    if problem or profile is None or channel is None:
        return _give_up(deps, key, items, "failed", problem, now, tries)
    ordered = sorted(
        items,
        key=lambda d: (-rank(d["item"]["priority"]), str(d["item"].get("due_at") or "")),
    )
    digest_items = [DigestItem(**d["item"]) for d in ordered]
    try:
        message = deps.renderer.render_digest(
            digest_items, profile, str(digest.get("hold_reason") or "")
        )
        answer = channel.send(Outgoing(key=key, recipient=profile, message=message))
    except (PermanentDeliveryError, RenderError) as exc:
        return _give_up(deps, key, items, "failed", str(exc), now, tries)
    except Exception as exc:
        error = str(exc) if isinstance(exc, TransientDeliveryError) else repr(exc)
        if tries >= deps.max_attempts:
            return _give_up(deps, key, items, "parked", error, now, tries)
        entry = attempt_entry(now, channel_name, "retry", error=error, attempt=tries)
        record(
            deliveries,
            key,
            "pending",
            entry,
            now,
            extra={"tries": tries, "next_attempt_at": now + retry_delay(tries)},
        )
        DIGESTS.labels(channel=channel_name, result="retry").inc()
        log.warning("digest not sent; will retry", extra={"channel": channel_name, "error": error})
        return 0
    follow_ups = [
        new_envelope(
            NotificationSent(
                case_id=d["case_id"],
                notification_key=d["_id"],
                source_event_id=d["source_event_id"],
                recipient_id=recipient_id,
                channel=channel_name,
                sent_at=now,
            ),
            tenant=d["tenant"],
            correlation_id=d.get("correlation_id") or d["source_event_id"],
            occurred_at=now,
        )
        for d in items
    ]
    entry = attempt_entry(now, channel_name, "sent", answer=answer, attempt=tries)
    record(
        deliveries,
        key,
        "sent",
        entry,
        now,
        follow_ups,
        {"tries": tries, "subject": message.subject, "count": len(items)},
    )
    _settle_items(deps, key, items, now)
    DIGESTS.labels(channel=channel_name, result="sent").inc()
    return 1


def _give_up(
    deps: NotifyDeps,
    key: str,
    items: list[Document],
    status: str,
    error: str,
    now: datetime,
    tries: int,
) -> int:
    """A digest that will not go out without an operator: failed (permanent) or parked."""
    first = items[0]
    follow_ups = [
        new_envelope(
            NotificationFailed(
                case_id=d["case_id"],
                notification_key=d["_id"],
                source_event_id=d["source_event_id"],
                recipient_id=first["recipient_id"],
                channel=first["channel"],
                error=f"digest {status}: {error}"[:500],
                final=True,
            ),
            tenant=d["tenant"],
            correlation_id=d.get("correlation_id") or d["source_event_id"],
            occurred_at=now,
        )
        for d in items
    ]
    entry = attempt_entry(now, first["channel"], status, error=error, attempt=tries)
    record(deps.deliveries, key, status, entry, now, follow_ups, {"tries": tries, "reason": error})
    DIGESTS.labels(channel=first["channel"], result=status).inc()
    log.error("digest given up", extra={"channel": first["channel"], "status": status})
    return 0


def _settle_items(deps: NotifyDeps, key: str, items: list[Document], now: datetime) -> None:
    """Mark the digest's alerts as sent with it; an alert that joined the digest's window
    after it went out (only possible with skewed clocks) is held again for the next one."""
    digest = deps.deliveries.find_one({"_id": key}, {"items": 1, "window": 1, "sent_at": 1})
    if digest is None:
        return
    included = list(digest.get("items", []))
    deps.deliveries.update_many(
        {"_id": {"$in": included}, "status": "digested"},
        {
            "$set": {"status": "sent", "sent_at": digest.get("sent_at") or now},
            "$push": {
                "attempts": attempt_entry(
                    now, items[0]["channel"], "sent", answer=f"in digest {key}"
                )
            },
        },
    )
    deps.deliveries.update_many(
        {"digest_key": key, "status": "digested", "_id": {"$nin": included}},
        {
            "$set": {
                "status": "held",
                "digest_key": None,
                "window": f"{digest.get('window')}+late",
                "release_at": now,
            }
        },
    )


def replay(deps: NotifyDeps, key: str, now: datetime) -> bool:
    """Put a parked or failed digest back in line (an operator's action)."""
    result = deps.deliveries.update_one(
        {"_id": key, "kind": "digest", "status": {"$in": ["parked", "failed"]}},
        {
            "$set": {"status": "pending", "next_attempt_at": now, "tries": 0},
            "$push": {"attempts": attempt_entry(now, "none", "replayed", answer="by an operator")},
        },
    )
    return result.modified_count == 1


def count_gauges(deps: NotifyDeps) -> None:
    HELD_NOW.set(deps.deliveries.count_documents({"status": "held"}))
    PARKED_DIGESTS.set(deps.deliveries.count_documents({"kind": "digest", "status": "parked"}))


def digest_loop(deps: NotifyDeps, interval: float) -> Callable[[threading.Event], None]:
    """The notify worker's background task: flush due digests every ``interval`` seconds."""

    def digests(stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                deps.profiles.catch_up()  # quiet hours changed before the round are seen
                flush_due(deps)
                count_gauges(deps)
            except Exception:
                # A database hiccup must not end the loop: held alerts wait for the next round.
                log.exception("digest round failed")
            stop.wait(interval)

    return digests
