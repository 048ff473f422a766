"""Dates read back from MongoDB.

BSON stores a date as UTC milliseconds without a zone: a client built with ``tz_aware`` (all
of Pantau's are) hands it back in UTC, one built without hands it back naive. Code that
compares or formats a stored date goes through here, so a naive one is never mistaken for
local time nor subtracted from an aware one.
"""

from __future__ import annotations

from datetime import UTC, datetime


def aware(moment: datetime) -> datetime:
    """``moment`` with its zone: a naive one is read as UTC, an aware one is left as it is."""
    return moment if moment.utcoffset() is not None else moment.replace(tzinfo=UTC)


def in_utc(moment: datetime) -> datetime:
    """``moment`` in UTC, a naive one read as UTC."""
    return aware(moment).astimezone(UTC)
