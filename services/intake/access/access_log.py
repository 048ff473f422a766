"""Writing and reading the access log: who read something sensitive (a reporter's identity,
an evidence file), when and why, with the request that did it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bson import ObjectId
from bson.errors import InvalidId
from flask import g

from services.intake.access.models import AccessLogEntry
from shared.auth import Principal
from shared.paging import BadCursor, decode_cursor, encode_cursor


def record(principal: Principal, *, tenant: str, case_id: str, action: str, reason: str) -> None:
    """Append one entry for ``principal``'s ``action`` on ``case_id`` of ``tenant``.

    Call it before the first byte of what was read leaves: a read that is not logged must not
    happen, so a failing write fails the request.
    """
    AccessLogEntry(
        tenant=tenant,
        case_id=case_id,
        action=action,
        actor_name=principal.name,
        actor_key=principal.key_prefix,
        actor_role=principal.role,
        reason=reason,
        request_id=g.get("request_id"),
    ).save()


def page(
    scope: dict[str, Any], limit: int, cursor: str | None
) -> tuple[list[AccessLogEntry], str | None]:
    """Entries within ``scope`` newest first, ``limit`` of them after ``cursor``, and the
    cursor of the next page (None: this was the last). Entries written in the same
    millisecond are told apart by their id, so paging never skips or repeats one."""
    criteria = dict(scope)
    if cursor is not None:
        at, oid = _position(cursor)
        criteria["$or"] = [{"at": {"$lt": at}}, {"at": at, "_id": {"$lt": oid}}]
    found = list(AccessLogEntry.objects(__raw__=criteria).order_by("-at", "-id").limit(limit + 1))
    entries = found[:limit]
    if len(found) <= limit or not entries:
        return entries, None
    last = entries[-1]
    return entries, encode_cursor({"at": last.at.isoformat(), "id": str(last.pk)})


def _position(cursor: str) -> tuple[datetime, ObjectId]:
    """Where a cursor of this list points; :class:`BadCursor` when it is not one of ours."""
    position = decode_cursor(cursor)
    try:
        return datetime.fromisoformat(position["at"]), ObjectId(position["id"])
    except (KeyError, TypeError, ValueError, InvalidId) as exc:
        raise BadCursor(str(exc)) from exc
