"""Where each person of an area stands with signing in: invited, account made, second factor,
last sign-in, sessions open now — for the supervisor's list of people.

Read from the sign-in collections (accounts, one-time links, the sign-in log, sessions) for
a set of directory entries, four queries whatever their number; never a hash, a secret or a
token. ``shape`` is pure and decides the invitation's state from its link.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.intake.access import links, sessions
from services.intake.access.account_models import Account, SignInLogEntry

Document = dict[str, Any]
InvitationState = Literal["pending", "expired", "used", "replaced"]
MAX_OFFICER_ID: Final = 64


class AccountListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    officer: str | None = Field(
        default=None, min_length=1, max_length=MAX_OFFICER_ID, description="One person only"
    )


class InvitationView(BaseModel):
    sent_at: str
    expires_at: str
    state: InvitationState = Field(
        description="pending (can still be used), expired, used, or replaced by a newer link"
    )


class AccountSummary(BaseModel):
    officer_id: str
    password_set: bool = Field(description="The person has made their password (an account)")
    password_set_at: str | None
    second_factor: bool
    last_sign_in_at: str | None
    open_sessions: int
    invitation: InvitationView | None = Field(description="The newest invitation link, if any")


class AccountSummaries(BaseModel):
    items: list[AccountSummary]


def invitation_state(link: Mapping[str, Any], now: datetime) -> InvitationState:
    """What became of an invitation link."""
    if link.get("voided"):
        return "replaced"
    if link.get("spent_at") is not None:
        return "used"
    return "expired" if now >= link["expires_at"] else "pending"


def shape(
    officer_ids: Iterable[str],
    *,
    accounts: Mapping[str, Document],
    last_sign_in: Mapping[str, datetime],
    invitations: Mapping[str, Document],
    open_sessions: Mapping[str, int],
    now: datetime,
) -> list[dict[str, Any]]:
    """One summary per officer id, in the order given."""
    items = []
    for officer_id in officer_ids:
        account = accounts.get(officer_id) or {}
        link = invitations.get(officer_id)
        signed_in = last_sign_in.get(officer_id)
        items.append(
            {
                "officer_id": officer_id,
                "password_set": bool(account.get("password_hash")),
                "password_set_at": _iso(account.get("password_set_at")),
                "second_factor": bool(account.get("totp_enabled_at")),
                "last_sign_in_at": _iso(signed_in),
                "open_sessions": int(open_sessions.get(officer_id, 0)),
                "invitation": (
                    {
                        "sent_at": _iso(link["created_at"]),
                        "expires_at": _iso(link["expires_at"]),
                        "state": invitation_state(link, now),
                    }
                    if link
                    else None
                ),
            }
        )
    return items


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else None


def summaries(officer_ids: list[str], now: datetime, idle: timedelta) -> list[dict[str, Any]]:
    """The summaries of ``officer_ids`` (entries the caller may see)."""
    if not officer_ids:
        return []
    among = {"$in": officer_ids}
    accounts = {
        str(doc["_id"]): doc
        for doc in Account._get_collection().find(
            {"_id": among}, {"password_hash": 1, "password_set_at": 1, "totp_enabled_at": 1}
        )
    }
    last_sign_in = {
        str(row["_id"]): row["at"]
        for row in SignInLogEntry._get_collection().aggregate(
            [
                {"$match": {"officer_id": among, "event": "signed_in"}},
                {"$group": {"_id": "$officer_id", "at": {"$max": "$at"}}},
            ]
        )
    }
    invitations = {
        str(row["_id"]): row["link"]
        for row in links.collection().aggregate(
            [
                {"$match": {"officer_id": among, "purpose": "invitation"}},
                {
                    "$project": {
                        "officer_id": 1,
                        "created_at": 1,
                        "expires_at": 1,
                        "spent_at": 1,
                        "voided": 1,
                    }
                },
                {"$sort": {"created_at": -1}},
                {"$group": {"_id": "$officer_id", "link": {"$first": "$$ROOT"}}},
            ]
        )
    }
    live = {
        str(row["_id"]): int(row["n"])
        for row in sessions.collection().aggregate(
            [
                {
                    "$match": {
                        "officer_id": among,
                        "expires_at": {"$gt": now},
                        "last_seen_at": {"$gt": now - idle},
                    }
                },
                {"$group": {"_id": "$officer_id", "n": {"$sum": 1}}},
            ]
        )
    }
    return shape(
        officer_ids,
        accounts=accounts,
        last_sign_in=last_sign_in,
        invitations=invitations,
        open_sessions=live,
        now=now,
    )
