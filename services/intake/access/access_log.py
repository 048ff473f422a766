"""Writing the access log: who read something sensitive (a reporter's identity, an evidence
file), when and why, with the request that did it."""

from __future__ import annotations

from flask import g

from services.intake.access.models import AccessLogEntry
from shared.auth import Principal


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
