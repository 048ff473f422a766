"""The officer directory: who works where, how to reach them, whom they must not judge.

Each create, change and deactivation stores the entry's new state together with an
``officer.changed`` event for it in one document write (the outbox), tenant = the officer's
region; the intake worker relays it, and triage (routing, conflicts) and notify (contact
data) keep their copies current from it. Changes are optimistic: the caller names the
version it read, and a stale one is refused rather than silently overwriting someone
else's change. A deactivated entry is kept: cases and history still name the officer.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.collation import Collation
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from services.intake.access import links, sessions
from services.intake.access.sign_in_log import log_event
from services.intake.directory.models import OfficerEntry
from services.intake.directory.schema import (
    ENTRY_FIELDS,
    OfficerCreate,
    OfficerPatch,
    apply_changes,
)
from shared import outbox
from shared.contracts import OfficerChanged, Recipient, new_envelope

Document = dict[str, Any]

# What ``lookup`` and the listings give: the entry itself, no outbox or bookkeeping.
_PROJECTION: dict[str, int] = {"_id": 1, **dict.fromkeys(ENTRY_FIELDS, 1), "version": 1}
MAX_LIST = 1000
# People sign in with their e-mail address, typed in whatever case: one address, one person.
EMAIL_COLLATION = Collation(locale="en", strength=2)
# A change of any of these ends the person's sessions: what they may see and do changed.
_SESSION_FIELDS = ("region", "role", "active")


class DirectoryError(Exception):
    """A directory operation that cannot be done; the message says why."""


class OfficerExists(DirectoryError):
    pass


class OfficerNotFound(DirectoryError):
    pass


class StaleVersion(DirectoryError):
    """The entry changed since the caller read it; ``current`` is its version now."""

    def __init__(self, officer_id: str, expected: int, current: int) -> None:
        super().__init__(
            f"officer {officer_id} is at version {current}, not {expected}: "
            "read it again and repeat the change"
        )
        self.current = current


class AlreadyInactive(DirectoryError):
    pass


class EmailTaken(DirectoryError):
    """Another entry already has this e-mail address (people sign in with it)."""


def collection() -> Collection[Document]:
    found: Collection[Document] = OfficerEntry._get_collection()
    return found


def ensure_indexes() -> None:
    """The declared indexes, and the case-insensitive unique e-mail index sign-in needs."""
    OfficerEntry.ensure_indexes()
    collection().create_index(
        "email",
        name="email_unique",
        unique=True,
        collation=EMAIL_COLLATION,
        partialFilterExpression={"email": {"$type": "string"}},
    )


def actor_of(
    name: str, key_prefix: str | None = None, officer_id: str | None = None, role: str = ""
) -> Document:
    """Who made a change, as stored on the entry."""
    return {"name": name, "key_prefix": key_prefix, "officer_id": officer_id, "role": role}


# --- pure pieces -------------------------------------------------------------------------------


def entry_state(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A stored entry as it now is, in the fields the API shows and the event carries (an
    entry written before a field existed reads as that field's default)."""
    return {
        "officer_id": str(doc["_id"]),
        "region": doc["region"],
        "name": doc["name"],
        "unit": doc["unit"],
        "role": doc["role"],
        "email": doc.get("email"),
        "phone": doc.get("phone"),
        "language": doc.get("language") or "id",
        "timezone": doc["timezone"],
        "conflicts": list(doc.get("conflicts") or []),
        "active": bool(doc.get("active", True)),
        "version": int(doc["version"]),
    }


def officer_event(doc: Mapping[str, Any]) -> OfficerChanged:
    """The event announcing ``doc`` as it now is."""
    return OfficerChanged(**entry_state(doc))


def as_recipient(doc: dict[str, Any]) -> Recipient:
    """An entry as the contact an alert goes to."""
    return Recipient(
        officer_id=str(doc["_id"]),
        name=doc["name"],
        email=doc.get("email"),
        phone=doc.get("phone"),
        language=doc.get("language") or "id",
        timezone=doc.get("timezone") or "Asia/Jakarta",
    )


def _outbox_ops(doc: Mapping[str, Any], correlation_id: str, now: datetime) -> Document:
    envelope = new_envelope(
        officer_event(doc), tenant=doc["region"], correlation_id=correlation_id, occurred_at=now
    )
    return outbox.push([envelope], now)


def _entry_only(doc: Mapping[str, Any]) -> Document:
    return {k: doc[k] for k in _PROJECTION if k in doc}


def region_filter(region: str) -> Document:
    """Entries a principal of ``region`` may see: its own, and a province's regencies."""
    if "." in region:
        return {"region": region}
    return {"$or": [{"region": region}, {"region": {"$regex": f"^{region}\\."}}]}


# --- reading -----------------------------------------------------------------------------------


def get(officer_id: str) -> Document | None:
    """The entry, active or not (None when there is none)."""
    doc: Document | None = collection().find_one({"_id": officer_id}, _PROJECTION)
    return doc


def lookup(officer_id: str) -> dict[str, Any] | None:
    """The entry of an ACTIVE officer; None for an unknown or deactivated one."""
    doc: dict[str, Any] | None = collection().find_one(
        {"_id": officer_id, "active": True}, _PROJECTION
    )
    return doc


def find_by_email(email: str) -> Document | None:
    """The ACTIVE entry with this e-mail address, in any letter case (None: nobody)."""
    if not email:
        return None
    doc: Document | None = collection().find_one(
        {"email": email, "active": True}, _PROJECTION, collation=EMAIL_COLLATION
    )
    return doc


def list_officers(
    visible_to: str | None = None,
    *,
    region: str | None = None,
    unit: str | None = None,
    active: bool | None = None,
    limit: int = MAX_LIST,
) -> list[Document]:
    """Entries by region, unit and id; ``visible_to`` keeps them inside a principal's area."""
    clauses: list[Document] = []
    if visible_to is not None:
        clauses.append(region_filter(visible_to))
    if region is not None:
        clauses.append({"region": region})
    if unit is not None:
        clauses.append({"unit": unit})
    if active is not None:
        clauses.append({"active": active})
    query: Document = {"$and": clauses} if clauses else {}
    cursor = (
        collection()
        .find(query, _PROJECTION)
        .sort([("region", ASCENDING), ("unit", ASCENDING), ("_id", ASCENDING)])
        .limit(limit)
    )
    return list(cursor)


# --- writing -----------------------------------------------------------------------------------


def create(
    data: OfficerCreate,
    *,
    actor: Document,
    correlation_id: str | None = None,
    now: datetime | None = None,
) -> Document:
    """Store a new entry (version 1) with its event; OfficerExists if the id is taken."""
    moment = now or datetime.now(UTC)
    doc: Document = {"_id": data.officer_id, **data.entry(), "version": 1}
    envelope = new_envelope(
        officer_event(doc),
        tenant=doc["region"],
        correlation_id=correlation_id or _new_correlation(),
        occurred_at=moment,
    )
    stored = {
        **doc,
        "created_at": moment,
        "updated_at": moment,
        "updated_by": actor,
        **outbox.fields([envelope], moment),
    }
    try:
        collection().insert_one(stored)
    except DuplicateKeyError as exc:
        if "email_unique" in str(exc):
            raise EmailTaken(f"another officer already has the e-mail {doc.get('email')}") from exc
        raise OfficerExists(f"an officer with id {data.officer_id} already exists") from exc
    return doc


def update(
    officer_id: str,
    patch: OfficerPatch,
    *,
    actor: Document,
    correlation_id: str | None = None,
    now: datetime | None = None,
) -> Document:
    """Apply a change made on ``patch.version``; a change of nothing stores nothing.

    Raises OfficerNotFound, StaleVersion, or ChangeRefused (a field that does not fit).
    """
    current = get(officer_id)
    if current is None:
        raise OfficerNotFound(f"no officer {officer_id}")
    if int(current["version"]) != patch.version:
        raise StaleVersion(officer_id, patch.version, int(current["version"]))
    entry = apply_changes(current, patch.changes())
    if all(entry[k] == current.get(k) for k in ENTRY_FIELDS):
        return current
    return _write(current, entry, actor, correlation_id, now)


def deactivate(
    officer_id: str,
    *,
    actor: Document,
    correlation_id: str | None = None,
    now: datetime | None = None,
) -> Document:
    """Mark an entry inactive (kept for history); AlreadyInactive when it is."""
    current = get(officer_id)
    if current is None:
        raise OfficerNotFound(f"no officer {officer_id}")
    if not current.get("active", True):
        raise AlreadyInactive(f"officer {officer_id} is already deactivated")
    entry = {**{k: current.get(k) for k in ENTRY_FIELDS}, "active": False}
    return _write(current, entry, actor, correlation_id, now)


def _write(
    current: Document,
    entry: Document,
    actor: Document,
    correlation_id: str | None,
    now: datetime | None,
) -> Document:
    moment = now or datetime.now(UTC)
    version = int(current["version"])
    doc: Document = {"_id": current["_id"], **entry, "version": version + 1}
    ops = _outbox_ops(doc, correlation_id or _new_correlation(), moment)
    ops["$set"].update({**entry, "version": version + 1, "updated_at": moment, "updated_by": actor})
    if not entry["active"] and current.get("active", True):
        ops["$set"]["deactivated_at"] = moment
    # The version in the filter is what makes two concurrent changes of one read collide.
    try:
        written = collection().find_one_and_update(
            {"_id": current["_id"], "version": version},
            ops,
            projection=_PROJECTION,
            return_document=ReturnDocument.AFTER,
        )
    except DuplicateKeyError as exc:
        raise EmailTaken(f"another officer already has the e-mail {entry.get('email')}") from exc
    if written is not None:
        _after_change(current, entry, actor, moment)
    if written is None:
        now_doc = get(str(current["_id"]))
        if now_doc is None:
            raise OfficerNotFound(f"no officer {current['_id']}")
        raise StaleVersion(str(current["_id"]), version, int(now_doc["version"]))
    return _entry_only(written)


def _after_change(current: Document, entry: Document, actor: Document, now: datetime) -> None:
    """What a stored change means for the person's ways in: sessions end when what they may
    see or do changed; unspent sign-in links die when the address they were mailed to is no
    longer theirs, or when the person is deactivated."""
    officer_id = str(current["_id"])
    changed = [f for f in _SESSION_FIELDS if entry.get(f) != current.get(f)]
    if changed:
        ended = sessions.end_all(officer_id)
        log_event(
            "sessions_ended",
            now,
            officer={**current, **entry},
            by=actor,
            detail=f"{', '.join(changed)} changed; {ended} session(s) ended",
        )
    if entry.get("email") != current.get("email") or not entry.get("active", True):
        links.void_older(officer_id, now)


def _new_correlation() -> str:
    return f"directory-{uuid.uuid4().hex}"
