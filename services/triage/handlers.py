"""Triage's message handlers: decide, then store the decision, the case state and their
events in one transaction.

- ``case.submitted``: a new case (``new_cases``).
- ``case.updated``: re-triage with the new text, evidence or accused; the clock runs on.
- ``case.status_changed``: pause, resume, stop or advance the clock; acknowledge the
  assignment; announce a moved deadline (``case.triaged``) and tell the assigned officer
  its new date (``case.deadline_moved``).

One decision per event: the decision's ``source_event_id`` is unique and status changes are
recorded on the case state in the same transaction, so a redelivered event changes nothing.
An event about a case triage has not seen yet is deferred: its ``case.submitted`` may still
be on its way through a retry queue.

:func:`event_handlers` is the table of these three, the moves of a case (``case_moves``) and
the directory's changes (``directory_sync``); :func:`worker_table` is what the worker consumes
with: the same, new cases in batches.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from pymongo.client_session import ClientSession
from pymongo.errors import DuplicateKeyError

from services.triage import case_moves, directory_sync
from services.triage.decide import CaseInput, decide, dedup_facts, with_load
from services.triage.deps import TriageDeps
from services.triage.domain.lifecycle import (
    apply_status,
    confirms_proposal,
    is_closed,
    moved_deadline,
)
from services.triage.domain.routing import CurrentAssignment, reroute
from services.triage.new_cases import handle_case_submitted, handle_new_cases, link_back, links_of
from services.triage.storage import examples as labels
from services.triage.storage.dedup_facts import facts_doc, find_candidates
from services.triage.storage.records import (
    MAX_PROCESSED_EVENTS,
    assigned_event,
    carried_doc,
    deadline_moved_event,
    decision_doc,
    duplicate_event,
    envelopes,
    match_doc,
    new_assignment,
    summary,
    triaged_event,
)
from services.triage.storage.state_codec import (
    Assignment,
    assignment_from_doc,
    assignment_to_doc,
    clock_from_doc,
    clock_to_doc,
)
from services.triage.tenants import regency_of
from shared import outbox
from shared.broker.consumer import (
    Batch,
    Deferred,
    Handler,
    PermanentError,
    handler_table,
    handles,
)
from shared.contracts import (
    CaseReassigned,
    CaseStatusChanged,
    CaseSubmitted,
    CaseTransferred,
    CaseUpdated,
    Envelope,
    Event,
    OfficerChanged,
)

log = logging.getLogger(__name__)

Document = dict[str, Any]

# --- case.updated --------------------------------------------------------------------------


def _state_or_defer(
    deps: TriageDeps, envelope: Envelope, case_id: str, session: ClientSession
) -> Document:
    state = deps.cases.find_one({"_id": case_id}, session=session)
    if state is None:
        raise Deferred(f"case {case_id} has not been triaged yet")
    if state["tenant"] != envelope.tenant:
        raise PermanentError(f"case {case_id} does not belong to {envelope.tenant}")
    return state


def handle_case_updated(envelope: Envelope, event: CaseUpdated, deps: TriageDeps) -> bool:
    """Re-triage a changed case; False when this event was already handled.

    An officer's override stays in force: the new proposal is recorded in the history but
    not applied, and nothing is announced.
    """
    source_event_id = str(envelope.id)
    if deps.decisions.count_documents({"source_event_id": source_event_id}, limit=1):
        return False
    regency_of(envelope)

    def work(session: ClientSession) -> bool:
        deps.hold_regencies([envelope.tenant], session)  # it searches for duplicates
        state = _state_or_defer(deps, envelope, event.case_id, session)
        now = deps.clock()
        tenant = state["tenant"]
        config = deps.config.current(tenant)
        case = CaseInput.from_doc(event.case_id, tenant, state["case"]).updated(event)
        clock = clock_from_doc(state["clock"])
        candidates = find_candidates(
            deps.facts, dedup_facts(case), session=session, config=deps.dedup
        )
        officers = with_load(config.officers, deps.open_load(tenant, session))
        decision = decide(
            case,
            config=config,
            officers=officers,
            calendar=deps.calendar(config, case.submitted_at, clock.deadline, now),
            now=now,
            candidates=candidates,
            clock=clock,
            dedup=deps.dedup,
        )
        assignment = assignment_from_doc(state.get("assignment"))
        was_duplicate = state.get("duplicate_of")
        overridden = state.get("override") is not None
        current = (
            CurrentAssignment(assignment.unit, assignment.state.sequence, assignment.tried)
            if assignment
            else None
        )
        rerouted = reroute(
            decision.routing,
            category=decision.classification.category,
            previous_category=(state.get("decision") or {}).get("category"),
            current=current,
            is_open=bool(state.get("open", True)),
            overridden=overridden,
        )
        new: Assignment | None = assignment
        assignee = None
        if rerouted is not None:
            new, assignee = new_assignment(
                config, rerouted.routing, now, sequence=rerouted.sequence, tried=rerouted.tried
            )
        decision_id = ObjectId()
        doc = decision_doc(
            decision_id,
            case,
            source_event_id=source_event_id,
            kind="updated",
            decision=decision,
            config=config,
            assignment=new,
            now=now,
            previous_id=state.get("decision_id"),
        )
        known = {link["case_id"] for link in state.get("links", ())}
        links = [m for m in links_of(decision) if m.case_id not in known]
        sets: Document = {"case": case.as_doc(), "updated_at": now}
        if overridden:
            doc["applied"] = False
            doc["explanation"] = (
                "Usulan baru tidak diterapkan: keputusan petugas tetap berlaku. "
                + doc["explanation"]
            )
            deps.decisions.insert_one(doc, session=session)
        else:
            events: list[Event] = [triaged_event(doc)]
            if rerouted is not None and new is not None:
                events.append(
                    assigned_event(
                        case.as_doc(),
                        case.case_id,
                        decision_id,
                        doc,
                        clock.deadline,
                        new,
                        assignee,
                        rerouted.reason,
                    )
                )
            events += [duplicate_event(case.case_id, m) for m in links]
            doc.update(
                outbox.fields(
                    envelopes(
                        events, tenant=tenant, correlation_id=envelope.correlation_id, now=now
                    ),
                    now,
                )
            )
            deps.decisions.insert_one(doc, session=session)
            duplicate_of = decision.duplicate_of or (was_duplicate if new is None else None)
            sets.update(
                decision_id=decision_id,
                decision=summary(doc),
                assignment=assignment_to_doc(new) if new else None,
                duplicate_of=duplicate_of,
            )
            future = {**state, **sets}
            sets["next_wakeup"] = deps.wakeup(config, future, state.get("fired_steps", ()), now)
        update: Document = {"$set": sets}
        if links:
            update["$push"] = {"links": {"$each": [match_doc(m) for m in links]}}
        deps.cases.update_one({"_id": case.case_id}, update, session=session)
        facts = facts_doc(
            dedup_facts(case, doc["category"]), sets.get("duplicate_of", was_duplicate)
        )
        deps.facts.replace_one({"_id": case.case_id}, facts, upsert=True, session=session)
        link_back(deps, case.case_id, links, now, session)
        return True

    try:
        return deps.transaction(work)
    except DuplicateKeyError:
        return False


# --- case.status_changed -------------------------------------------------------------------


def handle_status_changed(envelope: Envelope, event: CaseStatusChanged, deps: TriageDeps) -> bool:
    """Move the case's clock and ladder with its status; False when already applied."""
    source_event_id = str(envelope.id)
    regency_of(envelope)

    def work(session: ClientSession) -> bool:
        state = _state_or_defer(deps, envelope, event.case_id, session)
        if source_event_id in state.get("processed_events", ()):
            return False
        now = deps.clock()
        config = deps.config.current(state["tenant"])
        clock = clock_from_doc(state["clock"])
        assignment = assignment_from_doc(state.get("assignment"))
        at = envelope.occurred_at.astimezone(UTC)
        calendar = deps.calendar(config, clock.started_at, clock.deadline, at, now)
        outcome = apply_status(
            clock,
            assignment.state if assignment else None,
            str(state.get("status", "received")),
            event.to_status,
            at,
            calendar,
            event.actor,
        )
        sets: Document = {
            "status": event.to_status,
            "open": outcome.open,
            "clock": clock_to_doc(outcome.clock),
            "updated_at": now,
        }
        if assignment is not None and outcome.assignment is not None:
            sets["assignment"] = {
                **assignment_to_doc(assignment),
                "acknowledged_at": outcome.assignment.acknowledged_at,
                "last_action_at": outcome.assignment.last_action_at,
            }
        update: Document = {
            "$push": {
                "processed_events": {"$each": [source_event_id], "$slice": -MAX_PROCESSED_EVENTS}
            }
        }
        if outcome.finished is not None:
            update["$push"]["past_clocks"] = clock_to_doc(outcome.finished)
        if outcome.deadline_changed and outcome.open:
            previous = deps.decisions.find_one({"_id": state["decision_id"]}, session=session)
            if previous is None:
                raise RuntimeError(f"decision {state['decision_id']} of {event.case_id} is gone")
            decision_id = ObjectId()
            note = "; ".join(outcome.notes) or f"status {event.to_status}"
            doc = carried_doc(
                previous,
                decision_id=decision_id,
                source_event_id=source_event_id,
                kind="status",
                now=now,
                changes={
                    "due_at": outcome.clock.deadline,
                    "stage": outcome.clock.stage,
                    "explanation": f"Tenggat diperbarui ({note}). {previous['explanation']}",
                },
            )
            announced: list[Event] = [triaged_event(doc)]
            moved = moved_deadline(clock.deadline, outcome)
            if moved is not None and assignment is not None:
                announced.append(
                    deadline_moved_event(
                        state,
                        doc,
                        moved,
                        clock.deadline,
                        outcome.clock.stage,
                        config.contact(assignment.state.officer_id),
                        note,
                    )
                )
            doc.update(
                outbox.fields(
                    envelopes(
                        announced,
                        tenant=state["tenant"],
                        correlation_id=envelope.correlation_id,
                        now=now,
                    ),
                    now,
                )
            )
            deps.decisions.insert_one(doc, session=session)
            sets["decision_id"] = decision_id
        if confirms_proposal(event.to_status):
            _confirm(deps, state, event.actor, at, session)
        future = {**state, **sets}
        sets["next_wakeup"] = deps.wakeup(config, future, state.get("fired_steps", ()), now)
        update["$set"] = sets
        result = deps.cases.update_one(
            {"_id": event.case_id, "processed_events": {"$ne": source_event_id}},
            update,
            session=session,
        )
        if not result.modified_count:
            return False
        log.info(
            "case status applied",
            extra={
                "case_id": event.case_id,
                "status": event.to_status,
                "closed": is_closed(event.to_status),
                "deadline": outcome.clock.deadline.isoformat(),
            },
        )
        return True

    try:
        return deps.transaction(work)
    except DuplicateKeyError:
        return False


def _confirm(
    deps: TriageDeps, state: Document, actor: str, at: datetime, session: ClientSession
) -> None:
    """The officer moved the case past verification: its category in force is confirmed
    (once; a case already labelled keeps its label)."""
    proposal = labels.latest_proposal(deps.decisions, str(state["_id"]), session)
    in_force = (state.get("decision") or {}).get("category")
    if proposal is None or not in_force:
        return
    labels.confirm(
        deps.examples, state, proposal, category=str(in_force), by=actor, at=at, session=session
    )


def event_handlers(deps: TriageDeps) -> dict[str, Handler]:
    """Every event triage handles, one at a time, bound to triage's dependencies."""
    return handler_table(
        handles(CaseSubmitted, handle_case_submitted, deps),
        handles(CaseUpdated, handle_case_updated, deps),
        handles(CaseStatusChanged, handle_status_changed, deps),
        handles(CaseReassigned, case_moves.handle_case_reassigned, deps),
        handles(CaseTransferred, case_moves.handle_case_transferred, deps),
        handles(OfficerChanged, directory_sync.handle_officer_changed, deps),
    )


def worker_table(deps: TriageDeps) -> tuple[dict[str, Handler], Batch]:
    """What the worker consumes with: new cases in batches (one transaction for those the
    broker hands over together), the rest one by one."""

    def batch(items: Sequence[tuple[Envelope, Event]]) -> list[Exception | None]:
        return handle_new_cases(items, deps)

    single = {t: h for t, h in event_handlers(deps).items() if t != CaseSubmitted.TYPE}
    return single, Batch(frozenset({CaseSubmitted.TYPE}), batch)
