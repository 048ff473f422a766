"""Alerts handled in batches: the events the broker hands notify's worker together (up to
the prefetch) are handled one after another as ever (claim, send, record), but the records
of their attempts are written together, in one bulk write at the batch's end instead of one
write per alert.

A claim is still written before its send, alone, so two workers never send the same alert.
What waits is the record after the send: while it waits, the claim's lease protects the
alert (another worker or a redelivery finds it ``sending`` and defers), so the records are
written once the oldest has waited ``MAX_WAIT_S`` even mid-batch, far inside the shortest
lease. The events are acknowledged only after their records are written; a record that
cannot be written fails its event, which is retried: the claim's lease runs out and the
alert goes out again under the same key, the one window the ledger already names (a crash
between the provider's acceptance and the mark).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pymongo import UpdateOne
from pymongo.collection import Collection
from pymongo.errors import PyMongoError

from services.notify.delivery import NotifyDeps
from shared import correlation
from shared.broker.consumer import Handler
from shared.contracts import Envelope, Event

log = logging.getLogger(__name__)

Document = dict[str, Any]
# How long a record may wait for its batch: a send that outlasts it (a slow server) makes
# the records before it go out first, so no claim's lease (at least 15 s) runs out unmarked.
MAX_WAIT_S = 1.0


@dataclass
class RecordBuffer:
    """The records of a batch's attempts, written together; each remembers which of the
    batch's events it belongs to, so a record that cannot be written fails that event."""

    deliveries: Collection[Document]
    clock: Callable[[], float] = time.monotonic
    max_wait_s: float = MAX_WAIT_S
    # The batch's event being handled: what the next records belong to.
    item: int = 0
    failures: dict[int, Exception] = field(default_factory=dict)
    _held: list[tuple[int, str, Document]] = field(default_factory=list)
    _since: float = 0.0

    def add(self, key: str, update: Document) -> None:
        if not self._held:
            self._since = self.clock()
        self._held.append((self.item, key, update))
        if self.clock() - self._since >= self.max_wait_s:
            self.flush()

    def flush(self) -> None:
        """Write the records held; those that cannot be written fail their events."""
        held, self._held = self._held, []
        if not held:
            return
        try:
            self.deliveries.bulk_write(
                [UpdateOne(_claimed(key), update) for _, key, update in held], ordered=False
            )
            return
        except PyMongoError as exc:
            log.warning("a batch's records written one by one", extra={"error": repr(exc)})
        # Which of an unordered bulk write's updates were applied is not told for every
        # error (a lost connection): each is written again alone. One applied twice changes
        # nothing: a record only applies to a claim still ``sending``.
        for item, key, update in held:
            try:
                self.deliveries.update_one(_claimed(key), update)
            except PyMongoError as exc:
                self.failures.setdefault(item, exc)


def _claimed(key: str) -> Document:
    return {"_id": key, "status": "sending"}


def handle_alerts(
    items: Sequence[tuple[Envelope, Event]],
    deps: NotifyDeps,
    handlers_for: Callable[[NotifyDeps], Mapping[str, Handler]],
) -> list[Exception | None]:
    """Handle a batch of alertable events, each with its own outcome (None when handled)."""
    records = RecordBuffer(deps.deliveries)
    table = handlers_for(replace(deps, records=records.add))
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
