"""What each officer action changes on a case: a ``Plan`` built from the case as it is now.

No I/O here beyond what the caller passes in (the officer found in the directory, the
linked case): the transaction in ``case_actions`` reads the case, calls one of these and
writes the result, so every rule about actions is testable on plain dictionaries.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from services.intake.actions import status_machine as sm
from services.intake.actions.write import Plan
from shared.contracts import (
    CaseCommentAdded,
    CaseReassigned,
    CaseStatusChanged,
    CaseTransferred,
    Recipient,
)
from shared.problems import Problem

Document = dict[str, Any]

# How each target status reads on the timeline.
_STATUS_WORDS = {
    "received": "dibuka kembali",
    "verified": "diverifikasi",
    "rejected": "ditolak",
    "under_examination": "dalam pemeriksaan",
    "awaiting_info": "menunggu keterangan tambahan",
    "recommendation_issued": "rekomendasi diterbitkan",
    "awaiting_ppk": "menunggu tindak lanjut PPK",
    "sanction_imposed": "sanksi dijatuhkan",
    "closed": "ditutup",
    "duplicate": "duplikat",
    "withdrawn": "dicabut",
}


def state_of(doc: Mapping[str, Any]) -> sm.CaseState:
    lifecycle = doc.get("lifecycle") or {}
    return sm.CaseState(
        status=str(doc.get("status", "received")),
        paused_from=lifecycle.get("paused_from"),
        was_verified=bool(lifecycle.get("was_verified")),
        finding=(doc.get("recommendation") or {}).get("finding"),
    )


def allowed(doc: Mapping[str, Any]) -> list[str]:
    return list(sm.allowed_targets(state_of(doc)))


def _illegal(exc: sm.IllegalTransition) -> Problem:
    return Problem(
        409,
        f"A case that is '{exc.status}' cannot become '{exc.to}'. "
        f"Allowed now: {', '.join(exc.allowed) or 'nothing'}.",
        errors=[{"field": "status", "message": "not allowed from here", "code": "transition"}],
        extra={"current_status": exc.status, "allowed": list(exc.allowed)},
    )


def _closed(doc: Mapping[str, Any], what: str) -> Problem:
    """The answer to an action a closed case does not take (``what`` ends the sentence)."""
    status = str(doc.get("status", "received"))
    return Problem(
        409,
        f"A closed case ('{status}') {what}",
        errors=[{"field": "status", "message": "case is closed", "code": "transition"}],
        extra={"current_status": status, "allowed": allowed(doc)},
    )


def _missing(exc: sm.MissingFields) -> Problem:
    return Problem(
        422,
        "This change needs more details; see 'errors'.",
        errors=[{"field": f, "message": m, "code": "required"} for f, m in exc.errors],
    )


def status_change(
    doc: Mapping[str, Any], change: sm.Change, *, actor: str, note: str | None, now: datetime
) -> Plan:
    """Move the case to ``change.to`` if the machine allows it, with what the target needs."""
    state = state_of(doc)
    try:
        sm.check(state, change)
    except sm.IllegalTransition as exc:
        raise _illegal(exc) from exc
    except sm.MissingFields as exc:
        raise _missing(exc) from exc
    after = sm.next_state(state, change)
    reopening = sm.is_closed(state.status)
    sets: Document = {
        "status": after.status,
        "lifecycle": {"paused_from": after.paused_from, "was_verified": after.was_verified},
    }
    unsets: list[str] = []
    if sm.is_closed(after.status):
        sets["closed_at"] = now
        sets["closure"] = {"status": after.status, "reason": change.reason}
    elif reopening:
        unsets += ["closed_at", "closure"]
    if change.to == "recommendation_issued":
        sets["recommendation"] = {
            "finding": change.finding,
            "sanction_level": change.sanction_level,
            "summary": note,
            "issued_at": now,
            "by": actor,
        }
    if change.to == "sanction_imposed":
        sets["sanction"] = {
            "level": change.sanction_level,
            "decision_ref": change.decision_ref,
            "imposed_at": now,
        }
    if change.to == "duplicate" and change.duplicate_of:
        sets["duplicate_of"] = change.duplicate_of
        sets["duplicates"] = _with(doc.get("duplicates"), change.duplicate_of)
    action = "reopen" if reopening else "status_changed"
    words = _STATUS_WORDS.get(after.status, after.status)
    summary = f"Kasus dibuka kembali ({words})" if reopening else f"Status: {words}"
    reason = change.reason or note
    event = CaseStatusChanged(
        case_id=str(doc["_id"]),
        from_status=state.status,
        to_status=after.status,
        actor=actor,
        reason=reason[:500] if reason else None,
    )
    return Plan(
        action=action,
        summary=summary,
        sets=sets,
        unsets=tuple(unsets),
        events=(event,),
        timeline={"from_status": state.status, "to_status": after.status, "reason": reason},
    )


def acknowledge(doc: Mapping[str, Any], *, actor: str, now: datetime) -> Plan:
    """The assigned officer says they have the case: stops the reminders and reassignment.

    Sent as a status change that keeps the status, which triage reads as an officer's action.
    """
    if doc.get("acknowledged_at") is not None:
        raise Problem(
            409,
            "This case was already acknowledged.",
            errors=[{"field": "case", "message": "already acknowledged", "code": "duplicate"}],
        )
    status = str(doc.get("status", "received"))
    if sm.is_closed(status):
        raise _closed(doc, "needs no acknowledgement.")
    event = CaseStatusChanged(
        case_id=str(doc["_id"]),
        from_status=status,
        to_status=status,
        actor=actor,
        reason="acknowledged",
    )
    return Plan(
        action="acknowledged",
        summary=f"Diterima oleh {actor}",
        sets={"acknowledged_at": now, "acknowledged_by": actor},
        events=(event,),
    )


def comment(
    doc: Mapping[str, Any],
    *,
    text: str,
    visibility: str,
    actor: Mapping[str, Any],
    now: datetime,
    kind: str = "comment",
) -> Plan:
    """Append a comment (internal, or visible to the reporter on the tracking page)."""
    comment_id = uuid.uuid4().hex
    item = {
        "id": comment_id,
        "at": now,
        "kind": kind,
        "text": text,
        "visibility": visibility,
        "actor": dict(actor),
    }
    event = CaseCommentAdded(
        case_id=str(doc["_id"]),
        comment_id=comment_id,
        actor=str(actor.get("name", "")),
        visibility="reporter" if visibility == "reporter" else "internal",
    )
    who = "untuk pelapor" if visibility == "reporter" else "internal"
    return Plan(
        action="comment_added",
        summary=f"Catatan {who} ditambahkan",
        appends={"comments": item},
        events=(event,),
        timeline={"comment_id": comment_id, "visibility": visibility},
    )


def request_information(
    doc: Mapping[str, Any], *, question: str, actor: Mapping[str, Any], now: datetime
) -> Plan:
    """Ask the reporter for more: the case pauses (awaiting_info) and the question is shown
    to the reporter, both in one change."""
    name = str(actor.get("name", ""))
    plan = status_change(
        doc, sm.Change(to="awaiting_info", reason=question), actor=name, note=None, now=now
    )
    asked = comment(
        doc, text=question, visibility="reporter", actor=actor, now=now, kind="question"
    )
    return Plan(
        action="information_requested",
        summary="Keterangan tambahan diminta dari pelapor",
        sets=plan.sets,
        unsets=plan.unsets,
        appends=asked.appends,
        events=(*plan.events, *asked.events),
        timeline={**plan.timeline, **asked.timeline},
    )


def conflicts_with(officer: Mapping[str, Any], doc: Mapping[str, Any]) -> list[str]:
    """The accused people of the case the officer declared they must not judge."""
    declared = {str(c).strip().casefold() for c in officer.get("conflicts") or [] if str(c).strip()}
    found = []
    for person in doc.get("accused") or []:
        for value in (person.get("name"), person.get("nip")):
            if value and str(value).strip().casefold() in declared:
                found.append(str(person.get("name") or value))
    return found


def reassign(
    doc: Mapping[str, Any],
    *,
    officer: Mapping[str, Any],
    recipient: Recipient,
    reason: str,
    actor: str,
) -> Plan:
    """Give the case to another officer of its regency, unless they declared a conflict."""
    status = str(doc.get("status", "received"))
    if sm.is_closed(status):
        raise _closed(doc, "cannot be reassigned; reopen it first.")
    if officer.get("region") != doc["tenant"]:
        raise Problem(
            422,
            f"Officer {officer['_id']} works for {officer.get('region')}, "
            f"the case belongs to {doc['tenant']}. Transfer the case first.",
            errors=[{"field": "officer_id", "message": "other region", "code": "tenant"}],
        )
    clashes = conflicts_with(officer, doc)
    if clashes:
        raise Problem(
            422,
            f"Officer {officer['_id']} declared a conflict of interest with "
            f"{', '.join(clashes)} and may not handle this case.",
            errors=[{"field": "officer_id", "message": "conflict of interest", "code": "conflict"}],
        )
    triage = doc.get("triage") or {}
    previous = (triage.get("assignee") or {}).get("officer_id")
    if previous == officer["_id"]:
        raise Problem(
            409,
            f"The case is already assigned to {officer['_id']}.",
            errors=[{"field": "officer_id", "message": "already assigned", "code": "duplicate"}],
        )
    unit = str(officer.get("unit") or triage.get("unit") or "")
    event = CaseReassigned(
        case_id=str(doc["_id"]),
        tracking_code=str(doc["tracking_code"]),
        title=str(doc["title"])[:300],
        category=str(triage.get("category") or "LAINNYA"),
        priority=triage.get("priority") or "normal",
        due_at=triage.get("due_at"),
        unit=unit,
        assignee=recipient,
        previous_officer_id=previous,
        actor=actor,
        reason=reason,
    )
    return Plan(
        action="reassigned",
        summary=f"Ditugaskan ulang ke {recipient.name} ({unit})",
        sets={
            "triage.assignee": {"officer_id": officer["_id"], "name": recipient.name},
            "triage.unit": unit,
        },
        unsets=("acknowledged_at", "acknowledged_by"),
        events=(event,),
        timeline={"officer_id": officer["_id"], "previous_officer_id": previous, "reason": reason},
    )


def transfer(
    doc: Mapping[str, Any], *, to_tenant: str, reason: str, actor: str, now: datetime
) -> Plan:
    """Move the case to another regency or up to the province; the history is kept."""
    status = str(doc.get("status", "received"))
    if sm.is_closed(status):
        raise _closed(doc, "cannot be transferred; reopen it first.")
    from_tenant = str(doc["tenant"])
    if to_tenant == from_tenant:
        raise Problem(
            422,
            f"The case already belongs to {to_tenant}.",
            errors=[{"field": "region_code", "message": "same region", "code": "same"}],
        )
    history = list(doc.get("transfers") or [])
    history.append({"from": from_tenant, "to": to_tenant, "at": now, "by": actor, "reason": reason})
    event = CaseTransferred(
        case_id=str(doc["_id"]),
        from_tenant=from_tenant,
        to_tenant=to_tenant,
        actor=actor,
        reason=reason,
    )
    return Plan(
        action="transferred",
        summary=f"Dialihkan dari {from_tenant} ke {to_tenant}",
        sets={"tenant": to_tenant, "transfers": history, "triage.assignee": None},
        unsets=("acknowledged_at", "acknowledged_by"),
        events=(event,),
        tenant=to_tenant,
        timeline={"from_tenant": from_tenant, "to_tenant": to_tenant, "reason": reason},
    )


def _with(current: Any, case_id: str) -> list[str]:
    items = [str(c) for c in current or []]
    return items if case_id in items else [*items, case_id]


def link_duplicate(doc: Mapping[str, Any], other_id: str) -> Plan:
    if other_id == str(doc["_id"]):
        raise Problem(
            422,
            "A case cannot duplicate itself.",
            errors=[{"field": "case_id", "message": "same case", "code": "same"}],
        )
    current = [str(c) for c in doc.get("duplicates") or []]
    if other_id in current:
        raise Problem(
            409,
            "The cases are already linked.",
            errors=[{"field": "case_id", "message": "already linked", "code": "duplicate"}],
        )
    return Plan(
        action="duplicate_linked",
        summary=f"Ditautkan sebagai duplikat dengan kasus {other_id}",
        sets={"duplicates": [*current, other_id]},
        timeline={"related_case": other_id},
    )


def unlink_duplicate(doc: Mapping[str, Any], other_id: str) -> Plan:
    current = [str(c) for c in doc.get("duplicates") or []]
    if other_id not in current:
        raise Problem(404, f"Case {other_id} is not linked to this one.")
    return Plan(
        action="duplicate_unlinked",
        summary=f"Tautan duplikat dengan kasus {other_id} dilepas",
        sets={"duplicates": [c for c in current if c != other_id]},
        timeline={"related_case": other_id},
    )
