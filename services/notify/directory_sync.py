"""Keeping notify's recipients current from intake's officer directory (``officer.changed``).

The directory is the officer's own word on how to reach them: their entry's contact data,
language, zone and active flag replace what notify knew, and from then on alert events (which
carry triage's copy of the contact, possibly older) no longer overwrite it
(``recipients.remember``). Each entry carries its version; a stored newer or equal version
wins, so redelivered and late events change nothing. Preferences and chat URLs, which the
officer sets through notify's API, are never touched. A deactivated officer gets no more
alerts (``delivery``) or digests.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from shared.contracts import OfficerChanged

log = logging.getLogger(__name__)

Document = dict[str, Any]


def apply_officer_changed(
    recipients: Collection[Document], event: OfficerChanged, now: datetime
) -> bool:
    """Store the entry's contact data unless a newer or equal version is stored; False when
    ignored."""
    older = {
        "$or": [
            {"directory_version": {"$exists": False}},
            {"directory_version": {"$lt": event.version}},
        ]
    }
    values = {
        "name": event.name,
        "email": event.email,
        "phone": event.phone,
        "language": event.language,
        "timezone": event.timezone,
        "tenant": event.region,
        "active": event.active,
        "directory_version": event.version,
        "updated_at": now,
    }
    try:
        result = recipients.update_one(
            {"_id": event.officer_id, **older}, {"$set": values}, upsert=True
        )
    except DuplicateKeyError:
        # The officer is known with this version or a newer one: the filter missed, and the
        # upsert's insert met the existing _id.
        applied = False
    else:
        applied = bool(result.upserted_id is not None or result.modified_count)
    log.info(
        "officer directory entry applied" if applied else "older officer entry ignored",
        extra={"recipient": event.officer_id, "version": event.version, "tenant": event.region},
    )
    return applied
