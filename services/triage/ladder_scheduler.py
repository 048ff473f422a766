"""The escalation ladder at work: reminders, escalations, resends and reassignments.

A background loop of the triage worker. Each round it asks for the cases whose
``next_wakeup`` has come (one indexed range query), and for each case, in one transaction:
reads its state, computes the due steps (pure ``due_steps``), records every step in
``ladder_steps`` under the unique key (case_id, step key) together with the event it
announces (the outbox relay publishes it), and stores the new assignment and next wakeup.

The unique key is the coordination: when several replicas, or a restarted one, reach the
same step, one insert wins and the others' transactions abort and find the step fired. No
lock is held anywhere, and a scheduler that was down computes from the stored state what is
due now, not a backlog (the domain drops overtaken steps).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING
from pymongo.client_session import ClientSession
from pymongo.errors import DuplicateKeyError, PyMongoError

from services.triage.decide import CaseInput, propose_route, with_load
from services.triage.deps import TriageDeps
from services.triage.domain.ladder import LadderStep, due_steps
from services.triage.metrics import LADDER_STEPS
from services.triage.storage.config import TenantConfig
from services.triage.storage.records import (
    assigned_event,
    envelopes,
    escalated_event,
    new_assignment,
)
from services.triage.storage.state_codec import (
    Assignment,
    assignment_from_doc,
    assignment_to_doc,
    clock_from_doc,
)
from shared import correlation, outbox
from shared.broker.connection import Backoff
from shared.contracts import Event
from shared.ladder_steps import describe, parse, reassign_key, resend_reason
from shared.metrics import DEADLINE_BREACHES

log = logging.getLogger(__name__)

_RETRY_LATER = timedelta(minutes=1)

Document = dict[str, Any]


def _reason(key: str) -> str:
    """The event's reason for step ``key``: always Bahasa Indonesia, as the contract has it;
    readers word the step in their own language from the key."""
    # The ladder writes its keys with the module that reads them, so this cannot miss; if it
    # ever did, the key still tells an officer more than an empty reason would.
    return describe(key, "id") or key


class LadderScheduler:
    """Fires due ladder steps; run one per worker replica, as many replicas as needed."""

    def __init__(self, deps: TriageDeps, *, interval: float = 5.0, batch: int = 100) -> None:
        self.deps = deps
        self.interval = interval
        self.batch = batch

    def run(self, stop: threading.Event) -> None:
        """Look for due steps every ``interval`` seconds until ``stop`` is set."""
        backoff = Backoff(initial=0.5, cap=30.0)
        while not stop.is_set():
            try:
                # Configurations saved before the round are the ones its steps follow.
                self.deps.config.head_cache.catch_up()
                fired = self.run_once()
            except PyMongoError as exc:
                log.warning("ladder round failed; retrying", extra={"error": repr(exc)})
                backoff.wait(stop)
                continue
            except Exception:
                log.exception("ladder round failed")
                backoff.wait(stop)
                continue
            backoff.reset()
            # A full batch means more are due: go on at once.
            if fired < self.batch:
                stop.wait(self.interval)

    def run_once(self) -> int:
        """One round: every case due now gets its due steps; returns how many cases were
        handled (a case that fails is logged and stays due for the next round)."""
        now = self.deps.clock()
        due = [
            doc["_id"]
            for doc in self.deps.cases.find({"next_wakeup": {"$lte": now}}, {"_id": 1})
            .sort("next_wakeup", ASCENDING)
            .limit(self.batch)
        ]
        handled = 0
        for case_id in due:
            try:
                self.advance(case_id, now)
            except DuplicateKeyError:
                # Another replica fired this step between our read and our write; its
                # transaction also moved the case on, so there is nothing left to do.
                log.info("ladder step already fired elsewhere", extra={"case_id": case_id})
            except PyMongoError:
                raise  # the database is unreachable: the whole round backs off
            except Exception:
                log.exception("ladder step failed", extra={"case_id": case_id})
                continue
            handled += 1
        return handled

    def advance(self, case_id: str, now: datetime) -> list[str]:
        """Fire what is due for one case at ``now``; the keys fired (empty if none)."""
        return self.deps.transaction(lambda session: self._advance(case_id, now, session))

    # --- one case ------------------------------------------------------------------------------

    def _advance(self, case_id: str, now: datetime, session: ClientSession) -> list[str]:
        deps = self.deps
        state = deps.cases.find_one({"_id": case_id}, session=session)
        if state is None or state.get("next_wakeup") is None or state["next_wakeup"] > now:
            return []  # someone else handled it since the query
        config = deps.config.current(state["tenant"])
        assignment = assignment_from_doc(state.get("assignment"))
        fired = set(state.get("fired_steps", ()))
        keys: list[str] = []
        if state.get("open", True) and assignment is not None and not state.get("duplicate_of"):
            clock = clock_from_doc(state["clock"])
            calendar = deps.calendar(config, clock.started_at, clock.deadline, now)
            steps = due_steps(
                clock, assignment.state, fired, now, calendar=calendar, config=deps.ladder
            )
            for step in steps:
                assignment = self._fire(step, state, config, assignment, now, session)
                fired.add(step.key)
                keys.append(step.key)
        future = {
            **state,
            "assignment": assignment_to_doc(assignment) if assignment else None,
        }
        wakeup = deps.wakeup(config, future, fired, now)
        if wakeup is not None and wakeup <= now:
            # Only possible if the domain and the stored state disagree: look again a little
            # later rather than spin on the case or drop it.
            log.error("ladder would wake the case again at once", extra={"case_id": case_id})
            wakeup = now + _RETRY_LATER
        deps.cases.update_one(
            {"_id": case_id},
            {
                "$set": {
                    "fired_steps": sorted(fired),
                    "assignment": future["assignment"],
                    "next_wakeup": wakeup,
                    "updated_at": now,
                }
            },
            session=session,
        )
        return keys

    def _fire(
        self,
        step: LadderStep,
        state: Mapping[str, Any],
        config: TenantConfig,
        assignment: Assignment,
        now: datetime,
        session: ClientSession,
    ) -> Assignment:
        """Record one step with its event; returns the assignment after it."""
        case_id = str(state["_id"])
        case = state.get("case") or {}
        decision = state.get("decision") or {}
        deadline = clock_from_doc(state["clock"]).deadline
        events: list[Event] = []
        record: Document = {}
        after = assignment
        if step.kind in ("reminder", "escalate_supervisor", "escalate_province"):
            if step.kind == "reminder":
                recipient = config.contact(assignment.state.officer_id)
            elif step.kind == "escalate_supervisor":
                recipient = config.supervisor()
                DEADLINE_BREACHES.labels(tenant=config.tenant).inc()
            else:
                recipient = config.province_desk
            events.append(
                escalated_event(
                    case, case_id, decision, deadline, step.key, recipient, _reason(step.key)
                )
            )
            record["recipient_id"] = recipient.officer_id if recipient else None
        elif step.kind == "resend":
            parsed = parse(step.key)
            if parsed is None or parsed.count is None:
                raise ValueError(f"not a resend key: {step.key!r}")
            count = parsed.count
            after = Assignment(
                state=replace(assignment.state, resends_done=count),
                unit=assignment.unit,
                to_province=assignment.to_province,
                tried=assignment.tried,
            )
            events.append(
                assigned_event(
                    case,
                    case_id,
                    state["decision_id"],
                    decision,
                    deadline,
                    assignment,
                    config.contact(assignment.state.officer_id),
                    resend_reason(count),
                )
            )
        else:  # reassign
            after, event = self._reassign(case_id, state, config, assignment, now, session)
            events.append(event)
            record["officer_id"] = after.state.officer_id
        correlation_id = state.get("correlation_id") or correlation.new_id()
        envs = envelopes(events, tenant=config.tenant, correlation_id=correlation_id, now=now)
        self.deps.steps.insert_one(
            {
                "case_id": case_id,
                "tenant": config.tenant,
                "key": step.key,
                "kind": step.kind,
                "stage": step.stage,
                "due_at": step.due_at,
                "fired_at": now,
                "assignee_id": assignment.state.officer_id,
                **record,
                **outbox.fields(envs, now),
            },
            session=session,
        )
        LADDER_STEPS.labels(kind=step.kind).inc()
        log.info("ladder step fired", extra={"case_id": case_id, "step": step.key})
        return after

    def _reassign(
        self,
        case_id: str,
        state: Mapping[str, Any],
        config: TenantConfig,
        assignment: Assignment,
        now: datetime,
        session: ClientSession,
    ) -> tuple[Assignment, Event]:
        """Give the case to someone else of the unit, else to the province; if it already is
        with the province, tell the supervisor instead."""
        case = state.get("case") or {}
        decision = state.get("decision") or {}
        deadline = clock_from_doc(state["clock"]).deadline
        tried = tuple(dict.fromkeys((*assignment.tried, assignment.state.officer_id)))
        if assignment.to_province:
            key = reassign_key(assignment.state.sequence)
            event: Event = escalated_event(
                case, case_id, decision, deadline, key, config.supervisor(), _reason(key)
            )
            return assignment, event
        loads = self.deps.open_load(config.tenant, session)
        routing = propose_route(
            config,
            str(decision.get("category", "LAINNYA")),
            CaseInput.from_doc(case_id, config.tenant, case),
            with_load(config.officers, loads),
            exclude=frozenset(tried),
        )
        after, contact = new_assignment(
            config, routing, now, sequence=assignment.state.sequence + 1, tried=tried
        )
        reason = "Penugasan sebelumnya tidak dikonfirmasi: " + "; ".join(routing.reasons)
        event = assigned_event(
            case, case_id, state["decision_id"], decision, deadline, after, contact, reason
        )
        return after, event
