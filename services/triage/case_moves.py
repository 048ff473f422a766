"""Triage's part in a supervisor's reassignment and in a transfer between regions.

- ``case.reassigned``: the case now belongs to the officer the supervisor chose; the ladder
  follows them (a fresh, unacknowledged assignment, so reminders go to the right person).
  Intake's directory already named them and notify alerts them; triage announces nothing.
- ``case.transferred``: the case moves to another regency (or up to the province). Triage
  moves its state, then routes the case there as it would a new one (the new regency's table,
  officers and conflicts) and announces the assignment, so the new regency's officer is told.

Both are applied once: the envelope id is recorded on the case state in the same
transaction as the change.
"""

from __future__ import annotations

import logging
from typing import Any

from pymongo.client_session import ClientSession
from pymongo.errors import DuplicateKeyError

from services.triage.decide import CaseInput, propose_route, with_load
from services.triage.deps import TriageDeps
from services.triage.domain.ladder import AssignmentState
from services.triage.storage.records import (
    MAX_PROCESSED_EVENTS,
    assigned_event,
    envelopes,
    new_assignment,
)
from services.triage.storage.state_codec import Assignment, assignment_from_doc, assignment_to_doc
from services.triage.tenants import regency_of
from shared import outbox
from shared.broker.consumer import Deferred, PermanentError
from shared.contracts import CaseReassigned, CaseTransferred, Envelope
from shared.regions import province_of

log = logging.getLogger(__name__)

Document = dict[str, Any]


def _processed(source_event_id: str) -> Document:
    return {"processed_events": {"$each": [source_event_id], "$slice": -MAX_PROCESSED_EVENTS}}


def handle_case_reassigned(envelope: Envelope, event: CaseReassigned, deps: TriageDeps) -> bool:
    """Put the ladder on the newly chosen officer; False when already applied."""
    source_event_id = str(envelope.id)
    tenant = regency_of(envelope)

    def work(session: ClientSession) -> bool:
        state = deps.cases.find_one({"_id": event.case_id}, session=session)
        if state is None:
            raise Deferred(f"case {event.case_id} has not been triaged yet")
        if state["tenant"] != tenant:
            raise PermanentError(f"case {event.case_id} does not belong to {tenant}")
        if source_event_id in state.get("processed_events", ()):
            return False
        now = deps.clock()
        before = assignment_from_doc(state.get("assignment"))
        tried = tuple(before.tried) if before else ()
        if before and before.state.officer_id and before.state.officer_id not in tried:
            tried = (*tried, before.state.officer_id)
        assignment = Assignment(
            AssignmentState(
                assigned_at=envelope.occurred_at,
                acknowledged_at=None,
                officer_id=event.assignee.officer_id,
                sequence=(before.state.sequence + 1) if before else 1,
            ),
            event.unit,
            False,
            tried,
        )
        config = deps.config.current(tenant)
        future = {**state, "assignment": assignment_to_doc(assignment)}
        sets = {
            "assignment": assignment_to_doc(assignment),
            "reassigned_by": event.actor,
            "updated_at": now,
            # The new officer's ladder starts over: earlier steps were someone else's.
            "fired_steps": [],
        }
        sets["next_wakeup"] = deps.wakeup(config, {**future, "fired_steps": []}, (), now)
        result = deps.cases.update_one(
            {"_id": event.case_id, "processed_events": {"$ne": source_event_id}},
            {"$set": sets, "$push": _processed(source_event_id)},
            session=session,
        )
        return bool(result.modified_count)

    try:
        applied = deps.transaction(work)
    except DuplicateKeyError:
        return False
    if applied:
        log.info(
            "case reassigned",
            extra={"case_id": event.case_id, "officer_id": event.assignee.officer_id},
        )
    return applied


def handle_case_transferred(envelope: Envelope, event: CaseTransferred, deps: TriageDeps) -> bool:
    """Move the case's state to its new region and route it there; False when already done."""
    source_event_id = str(envelope.id)
    new_tenant = regency_of(envelope)
    if new_tenant != event.to_tenant:
        raise PermanentError(
            f"transfer of {event.case_id} names {event.to_tenant} but is sent as {new_tenant}"
        )

    def work(session: ClientSession) -> bool:
        state = deps.cases.find_one({"_id": event.case_id}, session=session)
        if state is None:
            raise Deferred(f"case {event.case_id} has not been triaged yet")
        if source_event_id in state.get("processed_events", ()):
            return False
        if state["tenant"] != event.from_tenant:
            raise PermanentError(
                f"case {event.case_id} is in {state['tenant']}, not {event.from_tenant}"
            )
        now = deps.clock()
        config = deps.config.current(new_tenant)
        case = CaseInput.from_doc(event.case_id, new_tenant, state["case"])
        category = str((state.get("decision") or {}).get("category") or "LAINNYA")
        officers = with_load(config.officers, deps.open_load(new_tenant, session))
        routing = propose_route(config, category, case, officers)
        routing = type(routing)(
            unit=routing.unit,
            officer_id=routing.officer_id,
            to_province=routing.to_province,
            recusals=routing.recusals,
            reasons=(f"dialihkan dari {event.from_tenant}: {event.reason}", *routing.reasons),
        )
        assignment, assignee = new_assignment(config, routing, now)
        decision = state.get("decision") or {}
        due_at = (state.get("clock") or {}).get("deadline")
        announced = assigned_event(
            state["case"],
            event.case_id,
            str(state["decision_id"]),
            {"category": category, "priority": decision.get("priority") or "normal"},
            due_at,
            assignment,
            assignee,
            "; ".join(routing.reasons),
        )
        sets: Document = {
            "tenant": new_tenant,
            "province": province_of(new_tenant),
            "assignment": assignment_to_doc(assignment),
            "fired_steps": [],
            "updated_at": now,
        }
        future = {**state, **sets}
        sets["next_wakeup"] = deps.wakeup(config, future, (), now)
        update: Document = {
            "$set": sets,
            "$push": {
                **_processed(source_event_id),
                "transfers": {
                    "from": event.from_tenant,
                    "to": new_tenant,
                    "at": envelope.occurred_at,
                    "by": event.actor,
                },
            },
        }
        pushed = outbox.push(
            envelopes(
                [announced], tenant=new_tenant, correlation_id=envelope.correlation_id, now=now
            ),
            now,
        )
        update["$push"].update(pushed["$push"])
        update["$set"].update(pushed["$set"])
        update["$min"] = pushed["$min"]
        result = deps.cases.update_one(
            {"_id": event.case_id, "processed_events": {"$ne": source_event_id}},
            update,
            session=session,
        )
        return bool(result.modified_count)

    try:
        applied = deps.transaction(work)
    except DuplicateKeyError:
        return False
    if applied:
        log.info(
            "case transferred",
            extra={"case_id": event.case_id, "from": event.from_tenant, "to": new_tenant},
        )
    return applied
