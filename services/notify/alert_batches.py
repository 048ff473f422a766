"""Alerts handled in batches: the events the broker hands notify's worker together (up to
the prefetch) are handled one after another as ever (claim, send, record), with one write
per alert instead of two: the record of an attempt waits for the next alert's claim and goes
to the database in the same command, before that alert is sent; the last waits for the
batch's end.

So no alert is ever sent while the record of an earlier send waits: a worker killed at any
moment leaves at most one alert sent and unmarked (the one window the ledger names: the
provider accepted it, the mark was not written), as when each record was written alone.
Holding the records until the batch's end instead would leave every alert the batch had
sent unmarked, and a kill would send them all again. While a record waits, its claim's lease
protects the alert (a copy of the event finds it ``sending`` and defers). The events are
acknowledged after the batch; a record that cannot be written fails its own event, which is
retried: the lease runs out and the alert goes out again under the same key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from pymongo import UpdateOne
from pymongo.collection import Collection
from pymongo.errors import BulkWriteError, PyMongoError

from services.notify.delivery import NotifyDeps
from services.notify.ledger import claim, claim_op, refused
from shared import correlation
from shared.broker.consumer import Handler
from shared.contracts import Envelope, Event

log = logging.getLogger(__name__)

Document = dict[str, Any]
DUPLICATE_KEY = 11000


@dataclass
class RecordBuffer:
    """The records of a batch's attempts, each written with the next claim (or at the
    batch's end); each remembers which of the batch's events it belongs to, so a record that
    cannot be written fails that event."""

    deliveries: Collection[Document]
    # The batch's event being handled: what the next records belong to.
    item: int = 0
    failures: dict[int, Exception] = field(default_factory=dict)
    _held: list[tuple[int, str, Document]] = field(default_factory=list)

    def add(self, key: str, update: Document) -> None:
        self._held.append((self.item, key, update))

    def claim(
        self, key: str, fields: Document, now: datetime, lease: timedelta
    ) -> tuple[bool, str]:
        """Claim ``key`` in one command with the records held, written first (in order: a
        copy of an alert in the same batch finds the first one's record)."""
        held, self._held = self._held, []
        ops = [_record_op(k, update) for _, k, update in held]
        try:
            result = self.deliveries.bulk_write([*ops, claim_op(key, fields, now, lease)])
        except BulkWriteError as exc:
            # An ordered write stops at its first error: what came before it was written.
            errors = exc.details.get("writeErrors") or [{"index": 0, "code": None}]
            first = errors[0]
            if first["index"] == len(held) and first["code"] == DUPLICATE_KEY:
                return refused(self.deliveries, key)
            self._write_alone(held[first["index"] :])
            return claim(self.deliveries, key, fields, now, lease)
        except PyMongoError as exc:
            log.warning("a claim's records written one by one", extra={"error": repr(exc)})
            self._write_alone(held)
            return claim(self.deliveries, key, fields, now, lease)
        return True, "new" if len(held) in (result.upserted_ids or {}) else "taken"

    def flush(self) -> None:
        """Write the records held (the batch's end); those that cannot be written fail their
        events."""
        held, self._held = self._held, []
        if not held:
            return
        try:
            self.deliveries.bulk_write([_record_op(k, update) for _, k, update in held])
            return
        except PyMongoError as exc:
            log.warning("a batch's records written one by one", extra={"error": repr(exc)})
        self._write_alone(held)

    def _write_alone(self, held: Sequence[tuple[int, str, Document]]) -> None:
        # Which of a failed write's updates were applied is not told for every error (a
        # lost connection): each is written again alone. One applied twice changes nothing:
        # a record only applies to a claim still ``sending``.
        for item, key, update in held:
            try:
                self.deliveries.update_one(_claimed(key), update)
            except PyMongoError as exc:
                self.failures.setdefault(item, exc)


def _record_op(key: str, update: Document) -> UpdateOne:
    return UpdateOne(_claimed(key), update)


def _claimed(key: str) -> Document:
    return {"_id": key, "status": "sending"}


def handle_alerts(
    items: Sequence[tuple[Envelope, Event]],
    deps: NotifyDeps,
    handlers_for: Callable[[NotifyDeps], Mapping[str, Handler]],
) -> list[Exception | None]:
    """Handle a batch of alertable events, each with its own outcome (None when handled)."""
    records = RecordBuffer(deps.deliveries)
    table = handlers_for(replace(deps, batch=records))
    errors: list[Exception | None] = []
    for index, (envelope, event) in enumerate(items):
        records.item = index
        attempt = correlation.attempt_of(str(envelope.id))
        with correlation.bound(envelope.correlation_id, envelope.tenant, attempt=attempt):
            try:
                table[envelope.type](envelope, event)
                errors.append(None)
            except Exception as exc:
                errors.append(exc)
    records.flush()
    return [records.failures.get(index, error) for index, error in enumerate(errors)]
