"""An officer's override of a triage proposal: a new decision, attributed and explained.

Triage only proposes (UU 27/2022 lets people object to purely automated decisions); a
supervisor may set the category, priority or sanction level, must say why, and the new
decision records who did it. A changed category re-routes the case when the unit changes;
an override can also declare that a case linked as a duplicate is not one, which routes it.
Later automatic re-triage does not undo an override.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from bson import ObjectId
from pymongo.client_session import ClientSession

from services.triage.decide import CaseInput, propose_route, with_load
from services.triage.deps import TriageDeps
from services.triage.storage import examples as labels
from services.triage.storage.records import (
    assigned_event,
    carried_doc,
    envelopes,
    new_assignment,
    summary,
    triaged_event,
)
from services.triage.storage.state_codec import (
    assignment_from_doc,
    assignment_to_doc,
    clock_from_doc,
)
from shared import outbox
from shared.categories import category_label
from shared.contracts import Event

Document = dict[str, Any]


class CaseNotFound(LookupError):
    """No triaged case with this id (or not one the caller may see)."""


@dataclass(frozen=True)
class Override:
    """What the officer decided; ``None`` keeps the proposal's value."""

    reason: str
    category: str | None = None
    priority: str | None = None
    sanction_level: str | None = None
    not_duplicate: bool = False


def apply_override(
    deps: TriageDeps,
    case_id: str,
    override: Override,
    *,
    by: str,
    by_key: str,
    correlation_id: str,
    by_officer: str | None = None,
) -> Document:
    """Store the override as the case's decision in force, with its events; the new record.

    A category set by the officer (even the one proposed) labels the case: the example that
    measures and evaluates triage (``storage/examples``) is written in the same transaction.
    """

    def work(session: ClientSession) -> Document:
        state = deps.cases.find_one({"_id": case_id}, session=session)
        if state is None:
            raise CaseNotFound(case_id)
        previous = deps.decisions.find_one({"_id": state["decision_id"]}, session=session)
        if previous is None:
            raise CaseNotFound(case_id)
        now = deps.clock()
        tenant = state["tenant"]
        config = deps.config.current(tenant)
        category = override.category or previous["category"]
        changes: Document = {
            "category": category,
            "priority": override.priority or previous["priority"],
            "sanction_level": override.sanction_level or previous["sanction_level"],
            "confidence": 1.0,
            "needs_review": False,
            "decided_by": by,
            "decided_by_key": by_key,
            "override_reason": override.reason,
        }
        if category != previous["category"]:
            changes["secondary"] = []
        duplicate_of = None if override.not_duplicate else state.get("duplicate_of")
        if override.not_duplicate:
            changes["duplicate_of"] = None
        assignment = assignment_from_doc(state.get("assignment"))
        new = assignment
        events: list[Event] = []
        decision_id = ObjectId()
        # Only a new category (or a case that had no assignment, a duplicate declared not
        # to be one) can change who handles the case.
        route_it = (
            state.get("open", True)
            and duplicate_of is None
            and (category != previous["category"] or assignment is None)
        )
        if route_it:
            case = CaseInput.from_doc(case_id, tenant, state["case"])
            routing = propose_route(
                config, category, case, with_load(config.officers, deps.open_load(tenant, session))
            )
            if assignment is None or routing.unit != assignment.unit:
                new, contact = new_assignment(
                    config,
                    routing,
                    now,
                    sequence=assignment.state.sequence + 1 if assignment else 1,
                    tried=assignment.tried if assignment else (),
                )
                changes.update(
                    unit=new.unit,
                    assignee_id=new.state.officer_id,
                    to_province=new.to_province,
                    recusals=[
                        {"officer_id": r.officer_id, "reason": r.reason} for r in routing.recusals
                    ],
                    routing_reasons=list(routing.reasons),
                )
                events.append(
                    assigned_event(
                        state["case"],
                        case_id,
                        decision_id,
                        {**previous, **changes},
                        clock_from_doc(state["clock"]).deadline,
                        new,
                        contact,
                        f"Keputusan petugas ({by}): " + "; ".join(routing.reasons),
                    )
                )
        was = category_label(previous["category"])
        changes["explanation"] = (
            f"Diputuskan oleh {by}: {override.reason}. Usulan sebelumnya: {was} "
            f"({previous['category']}), prioritas {previous['priority']}, keyakinan "
            f"{round(float(previous.get('confidence') or 0) * 100)}%."
        )
        doc = carried_doc(
            previous,
            decision_id=decision_id,
            source_event_id=f"override:{uuid.uuid4()}",
            kind="override",
            now=now,
            changes=changes,
        )
        events.insert(0, triaged_event(doc))
        doc.update(
            outbox.fields(
                envelopes(events, tenant=tenant, correlation_id=correlation_id, now=now), now
            )
        )
        deps.decisions.insert_one(doc, session=session)
        if override.category:
            proposal = labels.latest_proposal(deps.decisions, case_id, session) or previous
            labels.label(
                deps.examples,
                state,
                proposal,
                category=category,
                by=by,
                by_officer=by_officer,
                at=now,
                decision_id=decision_id,
                session=session,
            )
        sets: Document = {
            "decision_id": decision_id,
            "decision": summary(doc),
            "override": {"by": by, "by_key": by_key, "reason": override.reason, "at": now},
            "assignment": assignment_to_doc(new) if new else None,
            "duplicate_of": duplicate_of,
            "updated_at": now,
        }
        future = {**state, **sets}
        sets["next_wakeup"] = deps.wakeup(config, future, state.get("fired_steps", ()), now)
        deps.cases.update_one({"_id": case_id}, {"$set": sets}, session=session)
        if override.not_duplicate or override.category:
            deps.facts.update_one(
                {"_id": case_id},
                {"$set": {"category": category, "duplicate_of": duplicate_of}},
                session=session,
            )
        return doc

    return deps.transaction(work)
