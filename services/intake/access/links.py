"""One-time sign-in links: an invitation to set a first password, or a password reset.

A link is good for 30 minutes and one use. Opening it (GET) spends nothing: mail security
scanners open links before their reader does, so a link is spent only by the person pressing
the button on its page (a POST). Issuing a new link for a person voids their older unspent
ones, so only the newest mail works. Only a hash of the token is stored; the token itself
leaves intake once, in the link.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from pymongo import ReturnDocument
from pymongo.collection import Collection

from services.intake.access.account_models import SignInLink
from services.intake.access.tokens import digest, new_secret

Purpose = Literal["invitation", "reset"]
LIFETIME: Final = timedelta(minutes=30)
# How long an expired or spent link is remembered, so a late click is told what happened.
REMEMBERED: Final = timedelta(days=7)
PATH: Final = "/masuk/tautan/"

Document = dict[str, Any]
LinkState = Literal["valid", "expired", "spent", "unknown"]


@dataclass(frozen=True)
class LinkView:
    """What a link's page may say before anything is spent."""

    state: LinkState
    officer_id: str | None = None
    purpose: str | None = None
    expires_at: datetime | None = None


def collection() -> Collection[Document]:
    found: Collection[Document] = SignInLink._get_collection()
    return found


def url(console_url: str, token: str) -> str:
    """The address people open: the console's page for the link."""
    return console_url.rstrip("/") + PATH + token


def new_link(
    officer: Mapping[str, Any], purpose: Purpose, issued_by: Mapping[str, Any], now: datetime
) -> tuple[str, Document]:
    """A fresh token and the document to store for it (the caller writes it, with its event)."""
    token = new_secret()
    doc: Document = {
        "_id": digest(token),
        "officer_id": officer["_id"],
        "region": officer["region"],
        "purpose": purpose,
        "created_at": now,
        "expires_at": now + LIFETIME,
        "purge_at": now + LIFETIME + REMEMBERED,
        "spent_at": None,
        "issued_by": dict(issued_by),
    }
    return token, doc


def void_older(officer_id: str, now: datetime) -> None:
    """Spend every unspent link of a person (a newer one is about to be sent)."""
    collection().update_many(
        {"officer_id": officer_id, "spent_at": None}, {"$set": {"spent_at": now, "voided": True}}
    )


def inspect(token: str, now: datetime) -> LinkView:
    """The state of a link, spending nothing."""
    doc = collection().find_one({"_id": digest(token)}) if token else None
    if doc is None:
        return LinkView("unknown")
    state: LinkState = "valid"
    if doc.get("spent_at") is not None:
        state = "spent"
    elif now >= doc["expires_at"]:
        state = "expired"
    return LinkView(state, doc["officer_id"], doc["purpose"], doc["expires_at"])


def spend(token: str, now: datetime) -> Document | None:
    """Spend a valid link atomically: of two presses of the button, one wins."""
    found: Document | None = collection().find_one_and_update(
        {"_id": digest(token), "spent_at": None, "expires_at": {"$gt": now}},
        {"$set": {"spent_at": now}},
        return_document=ReturnDocument.AFTER,
    )
    return found
