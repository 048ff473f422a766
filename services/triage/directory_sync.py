"""Keeping triage's copy of intake's officer directory current from ``officer.changed``.

Each event carries the entry's whole state and its version. The copy is replaced only by a
newer version, so a redelivered or late (older) event changes nothing. In the same
transaction the configuration heads of every regency the change concerns get a new
directory stamp, which is how each process's cached configuration learns it must reload
(``ConfigStore.current``); ``directory_overlay`` then lays the entries over the roster.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from pymongo.client_session import ClientSession
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from services.triage.deps import TriageDeps
from services.triage.storage.transactions import in_transaction
from shared.contracts import Envelope, OfficerChanged

log = logging.getLogger(__name__)

Document = dict[str, Any]


def entry_doc(event: OfficerChanged, now: datetime) -> Document:
    """The stored copy of an entry."""
    return {
        "_id": event.officer_id,
        "region": event.region,
        "unit": event.unit,
        "role": event.role,
        "name": event.name,
        "email": event.email,
        "phone": event.phone,
        "language": event.language,
        "timezone": event.timezone,
        "conflicts": list(event.conflicts),
        "active": event.active,
        "version": event.version,
        "received_at": now,
    }


def apply_officer_changed(
    directory: Collection[Document],
    heads: Collection[Document],
    event: OfficerChanged,
    now: datetime,
    also_stamp: tuple[str, ...] = (),
) -> bool:
    """Store the entry unless a newer or equal version is stored; False when ignored.

    ``also_stamp`` names regencies whose configuration must reload too (where the shipped
    roster lists the officer, though the entry may name another region).
    """

    def work(session: ClientSession) -> bool:
        previous = directory.find_one(
            {"_id": event.officer_id}, {"version": 1, "region": 1}, session=session
        )
        if previous is not None and int(previous.get("version", 0)) >= event.version:
            return False
        directory.replace_one(
            {"_id": event.officer_id}, entry_doc(event, now), upsert=True, session=session
        )
        regions = {event.region, *also_stamp}
        if previous is not None and previous.get("region"):
            regions.add(str(previous["region"]))
        for region in sorted(regions):
            heads.update_one(
                {"_id": region},
                {"$inc": {"directory": 1}, "$set": {"updated_at": now}},
                upsert=True,
                session=session,
            )
        return True

    try:
        applied = in_transaction(directory.database.client, work)
    except DuplicateKeyError:
        applied = False  # another worker stored this entry first

    log.info(
        "officer directory entry applied" if applied else "older officer entry ignored",
        extra={"officer_id": event.officer_id, "version": event.version, "tenant": event.region},
    )
    return applied


def handle_officer_changed(envelope: Envelope, event: OfficerChanged, deps: TriageDeps) -> bool:
    """Apply the event to the copy the configuration reads; False when ignored (older, or no
    copy)."""
    config = deps.config
    if config.directory is None:
        return False
    shipped = tuple(
        o.tenant for o in config.defaults.roster.officers if o.officer_id == event.officer_id
    )
    applied = apply_officer_changed(config.directory, config.heads, event, deps.clock(), shipped)
    if applied:
        config.head_cache.forget()  # every stamped regency: its next case sees it at once
    return applied
