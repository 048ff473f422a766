"""Officers as notify knows them: contact data from the events, preferences from the officers.

Triage owns the roster, so every alert event refreshes the contact data (name, e-mail,
phone, language, zone) of the officer it names. Preferences and the officer's own chat
address are set through notify's API and never touched by events.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.collection import Collection

from services.notify.policy import Preferences
from shared.contracts import Recipient
from shared.followed import FollowedDocuments

Document = dict[str, Any]


@dataclass(frozen=True)
class Profile:
    """Everything needed to reach one officer."""

    officer_id: str
    name: str
    email: str | None = None
    phone: str | None = None
    language: str = "id"
    timezone: str = "Asia/Jakarta"
    tenant: str | None = None
    chat_url: str | None = None
    preferences: Preferences = field(default_factory=Preferences)
    # False once the officer directory deactivated them: no more alerts.
    active: bool = True

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Profile:
        """A profile from its stored document. Stored preferences were validated when they
        were set; if they no longer parse (an older format), the defaults apply."""
        try:
            prefs = Preferences.from_document(doc.get("preferences"))
        except ValueError:
            prefs = Preferences()
        return cls(
            officer_id=str(doc["_id"]),
            name=str(doc.get("name") or doc["_id"]),
            email=doc.get("email") or None,
            phone=doc.get("phone") or None,
            language=doc.get("language") or "id",
            timezone=doc.get("timezone") or "Asia/Jakarta",
            tenant=doc.get("tenant"),
            chat_url=doc.get("chat_url") or None,
            preferences=prefs,
            active=doc.get("active") is not False,
        )


def remember(
    recipients: Collection[Document],
    recipient: Recipient,
    tenant: str,
    now: datetime,
    followed: FollowedDocuments,
) -> Profile:
    """Refresh the officer's contact data from an event and return their whole profile.

    Most events name an officer whose data has not changed: those cost one read, not a write
    (a majority write is the dearest step of an alert after the send itself), and no read at
    all when the ``followed`` profile has not changed since it was last read.
    """
    contact = {
        "name": recipient.name,
        "email": recipient.email,
        "phone": recipient.phone,
        "language": recipient.language,
        "timezone": recipient.timezone,
        "tenant": tenant,
    }
    doc = followed.read(recipient.officer_id)
    if doc is not None and doc.get("directory_version") is not None:
        # The officer directory keeps this officer's data (directory_sync); the event may
        # carry an older copy of it.
        return Profile.from_document(doc)
    if doc is not None and all(doc.get(k) == v for k, v in contact.items()):
        return Profile.from_document(doc)
    doc = recipients.find_one_and_update(
        {"_id": recipient.officer_id},
        {"$set": {**contact, "updated_at": now}},
        upsert=True,
        return_document=ReturnDocument.AFTER,
    )
    assert doc is not None  # an upsert returning the document after it always has one
    followed.forget(recipient.officer_id)
    return Profile.from_document(doc)


def load(recipients: Collection[Document], officer_id: str) -> Profile | None:
    doc = recipients.find_one({"_id": officer_id})
    return Profile.from_document(doc) if doc else None


def set_preferences(
    recipients: Collection[Document],
    officer_id: str,
    preferences: Preferences,
    chat_url: str | None,
    now: datetime,
    actor: str,
) -> Profile | None:
    """Store new preferences; None when notify has never heard of the officer."""
    doc = recipients.find_one_and_update(
        {"_id": officer_id},
        {
            "$set": {
                "preferences": preferences.to_document(),
                "chat_url": chat_url,
                "preferences_updated_at": now,
                "preferences_updated_by": actor,
            }
        },
        return_document=ReturnDocument.AFTER,
    )
    return Profile.from_document(doc) if doc else None
