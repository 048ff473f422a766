"""Officers' labels of triage's proposals, kept as one example document per case.

A case verified (or moved past verification) without an override confirms the proposal; an
override of the category labels it with the officer's choice, also when it comes after a
confirmation. Each document keeps the text and facts triage read, the latest automatic
proposal (category, rules and model versions), the category in force, who labelled it and
when, and every labelling in ``history``. The writes run inside the transaction of the change
that causes them, so a redelivered event or a failed override leaves no trace of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from pymongo import DESCENDING
from pymongo.client_session import ClientSession
from pymongo.collection import Collection

from services.triage.domain.classifier import CaseFacts
from services.triage.domain.evaluation import Confirmed
from services.triage.domain.quality import Labelled
from shared.dates import in_utc

Document = dict[str, Any]

CONFIRMED = "confirmed"
OVERRIDE = "override"
# Automatic decisions: what triage proposed (an override and a moved deadline are not).
_PROPOSAL_KINDS = ("submitted", "updated")
_MAX_HISTORY = 50


def latest_proposal(
    decisions: Collection[Document], case_id: str, session: ClientSession | None = None
) -> Document | None:
    """The newest automatic proposal for a case (applied or kept under an override)."""
    return decisions.find_one(
        {"case_id": case_id, "kind": {"$in": list(_PROPOSAL_KINDS)}},
        {"category": 1, "rules_version": 1, "model_version": 1, "created_at": 1},
        sort=[("created_at", DESCENDING)],
        session=session,
    )


def facts_doc(case: Mapping[str, Any]) -> Document:
    """What triage read of a case (its state's ``case``), as the example keeps it."""
    accused = [a for a in case.get("accused", ()) if isinstance(a, Mapping)]
    return {
        "title": str(case.get("title", "")),
        "description": str(case.get("description", "")),
        "evidence_urls": list(case.get("evidence_urls", ())),
        "employment_types": [str(a.get("employment_type") or "PNS") for a in accused],
        "positions": [str(a["position"]) for a in accused if a.get("position")],
        "source": str(case.get("source", "public_report")),
    }


def facts_from_doc(doc: Mapping[str, Any]) -> CaseFacts:
    return CaseFacts(
        title=str(doc.get("title", "")),
        description=str(doc.get("description", "")),
        evidence_urls=tuple(doc.get("evidence_urls", ())),
        employment_types=tuple(doc.get("employment_types", ())),
        positions=tuple(doc.get("positions", ())),
        source=str(doc.get("source", "public_report")),
    )


def _proposal_fields(proposal: Mapping[str, Any]) -> Document:
    return {
        "proposed": proposal["category"],
        "proposal_decision_id": proposal.get("_id"),
        "rules_version": proposal.get("rules_version"),
        "model_version": proposal.get("model_version"),
    }


def confirm(
    examples: Collection[Document],
    state: Mapping[str, Any],
    proposal: Mapping[str, Any],
    *,
    category: str,
    by: str,
    at: datetime,
    session: ClientSession,
) -> bool:
    """Record that an officer confirmed ``category`` (the one in force: the proposal, or an
    override's) by moving the case on; False when the case is already labelled (an earlier
    confirmation or an override stays as it is)."""
    entry = {"kind": CONFIRMED, "category": category, "by": by, "at": at}
    result = examples.update_one(
        {"_id": state["_id"]},
        {
            "$setOnInsert": {
                "tenant": state["tenant"],
                "facts": facts_doc(state.get("case") or {}),
                **_proposal_fields(proposal),
                "final": category,
                "kind": CONFIRMED if category == proposal["category"] else OVERRIDE,
                "labelled_by": by,
                "labelled_by_officer": None,
                "labelled_at": at,
                "history": [entry],
            }
        },
        upsert=True,
        session=session,
    )
    return result.upserted_id is not None


def label(
    examples: Collection[Document],
    state: Mapping[str, Any],
    proposal: Mapping[str, Any],
    *,
    category: str,
    by: str,
    by_officer: str | None,
    at: datetime,
    decision_id: object,
    session: ClientSession,
) -> None:
    """Record an officer's category for a case (new or replacing an earlier label)."""
    entry = {
        "kind": OVERRIDE,
        "category": category,
        "by": by,
        "officer_id": by_officer,
        "at": at,
        "decision_id": decision_id,
    }
    examples.update_one(
        {"_id": state["_id"]},
        {
            "$set": {
                "tenant": state["tenant"],
                "facts": facts_doc(state.get("case") or {}),
                **_proposal_fields(proposal),
                "final": category,
                "kind": OVERRIDE,
                "labelled_by": by,
                "labelled_by_officer": by_officer,
                "labelled_at": at,
            },
            "$push": {"history": {"$each": [entry], "$slice": -_MAX_HISTORY}},
        },
        upsert=True,
        session=session,
    )


def in_region(region: str) -> Document:
    """The filter of one regency's examples, or of every regency of a province."""
    if "." in region:
        return {"tenant": region}
    return {"tenant": {"$regex": f"^{region.replace('.', '')}\\."}}


def labelled_since(
    examples: Collection[Document], query: Mapping[str, Any], since: datetime
) -> list[Labelled]:
    """The labels given since ``since`` (only the three fields the figures read)."""
    cursor = examples.find(
        {**query, "labelled_at": {"$gte": since}},
        {"proposed": 1, "final": 1, "labelled_at": 1},
    )
    return labelled_of(cursor)


def labelled_of(docs: Iterable[Mapping[str, Any]]) -> list[Labelled]:
    """Stored examples as the figures read them."""
    return [Labelled(str(d["proposed"]), str(d["final"]), in_utc(d["labelled_at"])) for d in docs]


def confirmed_cases(examples: Collection[Document], query: Mapping[str, Any]) -> list[Confirmed]:
    """Every labelled case of ``query``, oldest label first, with the facts triage read."""
    cursor = examples.find(query, {"facts": 1, "final": 1}).sort("labelled_at", 1)
    return [Confirmed(str(d["_id"]), facts_from_doc(d["facts"]), str(d["final"])) for d in cursor]
