"""What each officer action changes on a case: a ``Plan`` built from the case as it is now.

No I/O here beyond what the caller passes in (the officer found in the directory, the
linked case, the moment): the transaction in ``write.apply`` reads the case, calls one of
these and writes the result, so every rule about actions is testable on plain dictionaries.
A refused action raises one of the ``errors``; the actions API decides how it answers.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.intake.actions import errors
from services.intake.actions import status_machine as sm
from shared.contracts import (
    CaseCommentAdded,
    CaseReassigned,
    CaseStatusChanged,
    CaseTransferred,
    Event,
    Recipient,
)

Document = dict[str, Any]


@dataclass
class Plan:
    """What an action changes: fields to set or remove, items to append, events to emit."""

    action: str
    summary: str  # the timeline's line, in Bahasa Indonesia like the rest of the timeline
    sets: Document = field(default_factory=dict)
    unsets: Sequence[str] = ()
    # Items to append to an array field: one document, or a list of them.
    appends: Mapping[str, Document | list[Document]] = field(default_factory=dict)
    events: Sequence[Event] = ()
    # The tenant the events belong to (a transfer's events already belong to the new one).
    tenant: str | None = None
    timeline: Document = field(default_factory=dict)


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


# What an acknowledgement stored; a new officer (or regency) has not acknowledged anything yet.
_ACKNOWLEDGEMENT = ("acknowledged_at", "acknowledged_by", "acknowledged_reason")


def state_of(doc: Mapping[str, Any]) -> sm.CaseState:
    """What the status machine needs to know of a stored case."""
    lifecycle = doc.get("lifecycle") or {}
    return sm.CaseState(
        status=str(doc.get("status", "received")),
        paused_from=lifecycle.get("paused_from"),
        was_verified=bool(lifecycle.get("was_verified")),
        finding=(doc.get("recommendation") or {}).get("finding"),
    )


def allowed(doc: Mapping[str, Any]) -> list[str]:
    """The statuses the case may move to next."""
    return list(sm.allowed_targets(state_of(doc)))


def _refuse_if_closed(doc: Mapping[str, Any], action: errors.ClosedFor) -> str:
    """The case's status, unless the case is closed: then ``action`` is refused."""
    status = str(doc.get("status", "received"))
    if sm.is_closed(status):
        raise errors.CaseClosed(action, status, tuple(allowed(doc)))
    return status


def status_change(
    doc: Mapping[str, Any], change: sm.Change, *, actor: str, note: str | None, now: datetime
) -> Plan:
    """Move the case to ``change.to`` if the machine allows it, with what the target needs.

    Raises ``errors.IllegalTransition`` or ``errors.MissingFields`` otherwise."""
    state = state_of(doc)
    sm.check(state, change)
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
    if after.status == "verified" and doc.get("unverified"):
        # A citizen's report is marked unverified until an officer verifies it.
        unsets.append("unverified")
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


def reopen(doc: Mapping[str, Any], *, reason: str, actor: str, now: datetime) -> Plan:
    """Take a closed case back to where work resumes; an open case is refused."""
    state = state_of(doc)
    if not sm.is_closed(state.status):
        raise errors.CaseOpen(state.status, tuple(allowed(doc)))
    change = sm.Change(to=sm.reopen_target(state), reason=reason)
    return status_change(doc, change, actor=actor, note=None, now=now)


def acknowledge(
    doc: Mapping[str, Any], *, actor: str, now: datetime, reason: str | None = None
) -> Plan:
    """The assigned officer says they have the case: stops the reminders and reassignment.

    Sent as a status change that keeps the status, which triage reads as an officer's action.
    A supervisor acknowledging for the team (several cases at once) says why in ``reason``;
    it is kept on the case beside who acknowledged, so the audit entry and the timeline show it.
    """
    if doc.get("acknowledged_at") is not None:
        raise errors.AlreadyAcknowledged()
    status = _refuse_if_closed(doc, "acknowledge")
    event = CaseStatusChanged(
        case_id=str(doc["_id"]),
        from_status=status,
        to_status=status,
        actor=actor,
        # Triage recognises an acknowledgement by this word: the person's reason stays here.
        reason="acknowledged",
    )
    sets: Document = {"acknowledged_at": now, "acknowledged_by": actor}
    if reason:
        sets["acknowledged_reason"] = reason
    return Plan(
        action="acknowledged",
        summary=f"Diterima oleh {actor}",
        sets=sets,
        events=(event,),
        timeline={"reason": reason} if reason else {},
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
    _refuse_if_closed(doc, "reassign")
    officer_id = str(officer["_id"])
    if officer.get("region") != doc["tenant"]:
        raise errors.OtherRegion(officer_id, officer.get("region"), str(doc["tenant"]))
    clashes = conflicts_with(officer, doc)
    if clashes:
        raise errors.ConflictOfInterest(officer_id, clashes)
    triage = doc.get("triage") or {}
    previous = (triage.get("assignee") or {}).get("officer_id")
    if previous == officer["_id"]:
        raise errors.AlreadyAssigned(officer_id)
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
        unsets=_ACKNOWLEDGEMENT,
        events=(event,),
        timeline={
            "officer_id": officer["_id"],
            "officer_name": recipient.name,
            "unit": unit,
            "previous_officer_id": previous,
            "reason": reason,
        },
    )


def transfer(
    doc: Mapping[str, Any], *, to_tenant: str, reason: str, actor: str, now: datetime
) -> Plan:
    """Move the case to another regency or up to the province; the history is kept."""
    _refuse_if_closed(doc, "transfer")
    from_tenant = str(doc["tenant"])
    if to_tenant == from_tenant:
        raise errors.SameRegion(to_tenant)
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
        unsets=_ACKNOWLEDGEMENT,
        events=(event,),
        tenant=to_tenant,
        timeline={"from_tenant": from_tenant, "to_tenant": to_tenant, "reason": reason},
    )


def _with(current: Any, case_id: str) -> list[str]:
    items = [str(c) for c in current or []]
    return items if case_id in items else [*items, case_id]


def link_duplicate(doc: Mapping[str, Any], other_id: str) -> Plan:
    """Note on the case that ``other_id`` reports the same thing; no status changes."""
    if other_id == str(doc["_id"]):
        raise errors.SelfDuplicate()
    current = [str(c) for c in doc.get("duplicates") or []]
    if other_id in current:
        raise errors.AlreadyLinked(other_id)
    return Plan(
        action="duplicate_linked",
        summary=f"Ditautkan sebagai duplikat dengan kasus {other_id}",
        sets={"duplicates": [*current, other_id]},
        timeline={"related_case": other_id},
    )


def unlink_duplicate(doc: Mapping[str, Any], other_id: str) -> Plan:
    """Undo a duplicate link made by mistake."""
    current = [str(c) for c in doc.get("duplicates") or []]
    if other_id not in current:
        raise errors.NotLinked(other_id)
    return Plan(
        action="duplicate_unlinked",
        summary=f"Tautan duplikat dengan kasus {other_id} dilepas",
        sets={"duplicates": [c for c in current if c != other_id]},
        timeline={"related_case": other_id},
    )
