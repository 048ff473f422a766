"""A reporter's answer to an officer's question, as one change of the case.

Pure, like the officers' plans (``actions/plans.py``): given the case as the transaction
reads it, the answer, its stored evidence entries and the officer to tell, it says what
changes. The answer resumes the case where it paused, exactly as an officer's status change
out of ``awaiting_info`` does, so triage restarts the statutory clock from the same event.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from services.intake.actions import plans as case_plans
from services.intake.actions import status_machine as sm
from services.intake.actions.plans import Plan
from services.intake.public.client import REPORTER_NAME
from shared.contracts import (
    AccusedRef,
    CaseInformationReceived,
    CaseUpdated,
    Event,
    Recipient,
)

AWAITING: Final = "awaiting_info"


class NoQuestionOpen(Exception):
    """The case is not waiting for the reporter (never asked, or already answered)."""

    def __init__(self, status: str) -> None:
        super().__init__(f"the case is {status}, not waiting for an answer")
        self.status = status


def answer_plan(
    doc: Mapping[str, Any],
    *,
    text: str,
    entries: Sequence[dict[str, Any]],
    recipient: Recipient | None,
    now: datetime,
) -> Plan:
    """(See the module.) ``recipient`` is the assigned officer's contact, when intake's
    directory has it; the event names the assigned officer either way."""
    status = str(doc.get("status", "received"))
    if status != AWAITING:
        raise NoQuestionOpen(status)
    back = case_plans.state_of(doc).paused_from or "received"
    moved = case_plans.status_change(
        doc,
        sm.Change(to=back, reason="pelapor menjawab"),
        actor=REPORTER_NAME,
        note=None,
        now=now,
    )
    answer_id = uuid.uuid4().hex
    appends: dict[str, Any] = {
        "comments": {
            "id": answer_id,
            "at": now,
            "kind": "answer",
            "text": text,
            "visibility": "reporter",
            "actor": {"name": REPORTER_NAME, "role": "public", "kind": "reporter"},
        }
    }
    events: list[Event] = list(moved.events)
    if entries:
        appends["evidence"] = list(entries)
        events.append(_evidence_added(doc))
    triage = doc.get("triage") or {}
    events.append(
        CaseInformationReceived(
            case_id=str(doc["_id"]),
            tracking_code=str(doc["tracking_code"]),
            title=str(doc["title"])[:300],
            category=str(triage.get("category") or "LAINNYA"),
            priority=triage.get("priority") or "normal",
            due_at=triage.get("due_at"),
            files=len(entries),
            officer_id=(triage.get("assignee") or {}).get("officer_id"),
            recipient=recipient,
        )
    )
    return Plan(
        action="information_received",
        summary="Pelapor menjawab permintaan keterangan",
        sets=moved.sets,
        unsets=moved.unsets,
        appends=appends,
        events=tuple(events),
        timeline={
            **moved.timeline,
            "text": text,
            "comment_id": answer_id,
            "evidence_ids": [e["id"] for e in entries],
        },
    )


def _evidence_added(doc: Mapping[str, Any]) -> CaseUpdated:
    # Triage weighs a case again when its evidence changes, as for an officer's upload.
    return CaseUpdated(
        case_id=str(doc["_id"]),
        changed=["evidence"],
        title=str(doc["title"]),
        description=str(doc["description"]),
        evidence_urls=list(doc.get("evidence_urls", [])),
        accused=[
            AccusedRef(
                name=a["name"],
                nip=a.get("nip"),
                employment_type=a["employment_type"],
                agency=a.get("agency"),
                position=a.get("position"),
            )
            for a in doc.get("accused", [])
        ],
    )
