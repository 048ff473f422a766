"""Triaging new cases (``case.submitted``): classify, weigh, start the clock, look for
duplicates and related cases, route; an exact duplicate is linked and not assigned (no
second alert).

The worker files the new cases the broker hands it together in one transaction
(:func:`handle_new_cases`): each case in turn searches, decides and stores its comparison
facts, so a case sees the ones before it (a copy sent twice in one batch is still a
duplicate, and the officers' loads count the batch's own assignments); the decisions and
the cases' states are then written in one insert each, and the batch pays for one commit.
The transaction first writes the guards of its regencies (``storage/filing_guards``), so
that another replica filing in one of them at the same moment waits for this commit and
sees these cases. While another replica holds one of them, the batch is filed one
transaction per regency, so the others go ahead. A batch that cannot be filed whole (a
redelivered event, an unknown region) is filed case by case, each with its own outcome.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo.client_session import ClientSession
from pymongo.collection import Collection
from pymongo.errors import BulkWriteError, DuplicateKeyError

from services.triage.decide import CaseInput, Decision, decide, dedup_facts, with_load
from services.triage.deps import TriageDeps
from services.triage.domain.dedup import Match
from services.triage.metrics import DECISION_SECONDS, DECISIONS, FILINGS_RUN_AGAIN
from services.triage.storage.dedup_facts import facts_doc, find_candidates
from services.triage.storage.records import (
    assigned_event,
    decision_doc,
    duplicate_event,
    envelopes,
    match_doc,
    new_assignment,
    state_doc,
    triaged_event,
)
from services.triage.tenants import regency_of
from shared import outbox
from shared.broker.consumer import PermanentError
from shared.contracts import CaseSubmitted, Envelope, Event

log = logging.getLogger(__name__)

Document = dict[str, Any]
# Assignments made earlier in the same transaction, by regency and officer.
Assigned = Counter[tuple[str, str]]
DUPLICATE_KEY = 11000


@dataclass(frozen=True)
class Filed:
    """A new case decided, with the documents that store it."""

    tenant: str
    case_id: str
    officer_id: str | None
    decision: Decision
    decision_doc: Document
    state: Document
    links: list[Match]
    now: datetime


def links_of(decision: Decision) -> list[Match]:
    """The matches worth linking: the case this one duplicates (the first report of the
    chain, when it matched a duplicate), then related cases."""
    out: list[Match] = []
    if decision.duplicate_of and decision.matches:
        out.append(replace(decision.matches[0], case_id=decision.duplicate_of))
    out += [m for m in decision.related if m.case_id != decision.duplicate_of]
    return out


def link_back(
    deps: TriageDeps,
    case_id: str,
    links: Iterable[Match],
    now: datetime,
    session: ClientSession,
) -> None:
    """Show the new case on the cases it is linked to, so either officer sees the other."""
    for match in links:
        deps.cases.update_one(
            {"_id": match.case_id, "links.case_id": {"$ne": case_id}},
            {
                "$push": {"links": {**match_doc(match), "case_id": case_id}},
                "$set": {"updated_at": now},
            },
            session=session,
        )


def file_new_case(
    envelope: Envelope,
    event: CaseSubmitted,
    deps: TriageDeps,
    session: ClientSession,
    assigned: Assigned,
) -> Filed:
    """Decide on a new case and store its facts in the transaction of ``session`` (the next
    case's search must see them); the decision and the case's state are returned for
    :func:`store`. ``assigned`` holds the transaction's assignments so far (this case's is
    added)."""
    source_event_id = str(envelope.id)
    tenant = regency_of(envelope)
    now = deps.clock()
    config = deps.config.current(tenant)
    case = CaseInput.from_submitted(event, tenant)
    candidates = find_candidates(deps.facts, dedup_facts(case), session=session, config=deps.dedup)
    loads = deps.loads.current(tenant)
    for (regency, officer), n in assigned.items():
        if regency == tenant:
            loads[officer] = loads.get(officer, 0) + n
    decision = decide(
        case,
        config=config,
        officers=with_load(config.officers, loads),
        calendar=deps.calendar(config, case.submitted_at, now),
        now=now,
        candidates=candidates,
        dedup=deps.dedup,
    )
    decision_id = ObjectId()
    assignment, assignee = (
        new_assignment(config, decision.routing, now)
        if decision.routing is not None
        else (None, None)
    )
    doc = decision_doc(
        decision_id,
        case,
        source_event_id=source_event_id,
        kind="submitted",
        decision=decision,
        config=config,
        assignment=assignment,
        now=now,
    )
    links = links_of(decision)
    events: list[Event] = [triaged_event(doc)]
    if assignment is not None:
        events.append(
            assigned_event(
                case.as_doc(),
                case.case_id,
                decision_id,
                doc,
                decision.clock.deadline,
                assignment,
                assignee,
                "; ".join(decision.routing.reasons if decision.routing else ()),
            )
        )
    events += [duplicate_event(case.case_id, m) for m in links]
    doc.update(
        outbox.fields(
            envelopes(events, tenant=tenant, correlation_id=envelope.correlation_id, now=now),
            now,
        )
    )
    state = state_doc(
        case,
        doc,
        decision.clock,
        assignment,
        duplicate_of=decision.duplicate_of,
        links=[match_doc(m) for m in links],
        next_wakeup=None,
        now=now,
        source_event_id=source_event_id,
        correlation_id=envelope.correlation_id,
    )
    state["next_wakeup"] = deps.wakeup(config, state, (), now)
    facts = facts_doc(dedup_facts(case, decision.classification.category), decision.duplicate_of)
    deps.facts.replace_one({"_id": case.case_id}, facts, upsert=True, session=session)
    officer_id = assignment.state.officer_id if assignment is not None else None
    if officer_id is not None:
        assigned[(tenant, officer_id)] += 1
    return Filed(tenant, case.case_id, officer_id, decision, doc, state, links, now)


def store(deps: TriageDeps, filed: Sequence[Filed], session: ClientSession) -> None:
    """Store the decisions and states of cases decided in the transaction of ``session``, one
    write each for all of them, then show each case on the cases it is linked to (which may
    be earlier cases of the same batch, so only now).

    A redelivered event is not looked up first: the decision's unique ``source_event_id``
    refuses it here (DuplicateKeyError), so the first delivery of every case saves a round
    trip and a redelivery, which is rare, pays for a decision that is thrown away."""
    _insert_all(deps.decisions, [f.decision_doc for f in filed], session)
    _insert_all(deps.cases, [f.state for f in filed], session)
    for f in filed:
        link_back(deps, f.case_id, f.links, f.now, session)


def _insert_all(
    collection: Collection[Document], docs: list[Document], session: ClientSession
) -> None:
    """Insert ``docs`` in one write; a duplicate key raises ``DuplicateKeyError`` as
    ``insert_one`` does."""
    try:
        collection.insert_many(docs, session=session)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if errors and all(e.get("code") == DUPLICATE_KEY for e in errors):
            raise DuplicateKeyError(str(errors[0].get("errmsg", "")), DUPLICATE_KEY) from exc
        raise


class Contended(Exception):
    """Another replica was filing in one of the batch's regencies: file each on its own."""


def _file(
    deps: TriageDeps,
    items: Sequence[tuple[Envelope, CaseSubmitted]],
    *,
    split_if_waiting: bool = False,
) -> list[Filed]:
    """File ``items`` in one transaction; then count them in the officers' loads, the
    metrics and the log. With ``split_if_waiting``, a transaction that must run again
    (another replica holds one of its regencies' guards) raises :class:`Contended` instead."""
    started = time.perf_counter()
    attempts = 0

    def work(session: ClientSession) -> list[Filed]:
        nonlocal attempts
        attempts += 1
        if attempts > 1 and split_if_waiting:
            raise Contended
        assigned: Assigned = Counter()  # afresh when the driver runs the transaction again
        deps.hold_regencies((regency_of(e) for e, _ in items), session)
        filed = [file_new_case(e, event, deps, session, assigned) for e, event in items]
        store(deps, filed, session)
        return filed

    try:
        filed = deps.transaction(work, adds_cases_only=True)
    finally:
        if attempts > 1:
            FILINGS_RUN_AGAIN.inc(attempts - 1)
    each = (time.perf_counter() - started) / len(filed)
    for f in filed:
        if f.officer_id is not None:
            deps.loads.assigned(f.tenant, f.officer_id)
        c, w = f.decision.classification, f.decision.weight
        DECISIONS.labels(tenant=f.tenant, category=c.category, priority=w.priority).inc()
        DECISION_SECONDS.observe(each)
        log.info(
            "case triaged",
            extra={
                "case_id": f.case_id,
                "category": c.category,
                "priority": w.priority,
                "duplicate_of": f.decision.duplicate_of,
            },
        )
    return filed


def handle_case_submitted(envelope: Envelope, event: CaseSubmitted, deps: TriageDeps) -> bool:
    """Triage a new case once; False when this event (or this case) was already triaged."""
    try:
        _file(deps, [(envelope, event)])
    except DuplicateKeyError:
        return False  # a replica or an earlier delivery got there first
    return True


def handle_new_cases(
    items: Sequence[tuple[Envelope, Event]], deps: TriageDeps
) -> list[Exception | None]:
    """Triage the new cases the broker handed over together, in one transaction; for each,
    None when it is triaged (now or before) or the error that says what to do with it.

    While another replica is filing in one of the batch's regencies, the batch is filed one
    transaction per regency instead, those no one else is filing first, so they need not
    wait; a single worker never meets another and pays one commit a batch."""
    submitted = [(e, event) for e, event in items if isinstance(event, CaseSubmitted)]
    if len(submitted) < len(items) or len(items) == 1:
        return [_alone(envelope, event, deps) for envelope, event in items]
    try:
        _file(deps, submitted, split_if_waiting=len({e.tenant for e, _ in items}) > 1)
        return [None] * len(items)
    except Contended:
        return _by_regency(submitted, deps)
    except Exception as exc:
        log.info("new cases filed one by one", extra={"error": repr(exc), "batch": len(items)})
    return [_alone(envelope, event, deps) for envelope, event in items]


def _by_regency(
    items: Sequence[tuple[Envelope, CaseSubmitted]], deps: TriageDeps
) -> list[Exception | None]:
    """File each regency's cases of ``items`` in a transaction of its own: first those that
    no other replica is filing, then, waiting for it, the others."""
    outcomes: list[Exception | None] = [None] * len(items)
    by_regency: dict[str, list[int]] = {}
    for i, (envelope, _) in enumerate(items):
        by_regency.setdefault(envelope.tenant, []).append(i)
    pending = list(by_regency.values())
    for waiting in (False, True):
        held: list[list[int]] = []
        for indices in pending:
            try:
                _file(deps, [items[i] for i in indices], split_if_waiting=not waiting)
            except Contended:
                held.append(indices)
            except Exception as exc:
                log.info(
                    "new cases filed one by one", extra={"error": repr(exc), "batch": len(indices)}
                )
                for i in indices:
                    outcomes[i] = _alone(*items[i], deps)
        pending = held
    return outcomes


def _alone(envelope: Envelope, event: Event, deps: TriageDeps) -> Exception | None:
    if not isinstance(event, CaseSubmitted):
        return PermanentError(f"not a new case: {envelope.type}")
    try:
        handle_case_submitted(envelope, event, deps)
    except Exception as exc:
        return exc
    return None
