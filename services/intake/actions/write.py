"""The one write path for an officer's change to a case.

Every action (status change, comment, reassignment, transfer, duplicate link) goes through
``apply``: in one MongoDB transaction it reads the case, checks the version the officer saw,
lets the action decide what changes, then writes the case (new version, timeline entry,
outbox events) and the audit entry together. Either all of it is stored or none of it: a
refused or conflicting action leaves no partial change, and an event is never published for
a change that was not stored (the outbox relay publishes it after the commit).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from bson import ObjectId
from bson.errors import InvalidId
from pymongo.client_session import ClientSession
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from services.intake.actions import audit
from services.intake.actions.audit_models import AuditEntry
from services.intake.actions.errors import CaseNotFound, StaleVersion
from services.intake.actions.plans import Plan
from services.intake.cases.models import Case
from shared import outbox
from shared.auth import STAFF, Principal
from shared.contracts import new_envelope

Document = dict[str, Any]


Decide = Callable[[Document], Plan]


def actor_of(principal: Principal) -> Document:
    """Who did it, as the audit trail and the timeline name them."""
    return principal.as_dict()


def version_of(doc: Mapping[str, Any]) -> int:
    # Cases stored before versions existed count as version 1.
    return int(doc.get("version") or 1)


def _get(doc: Mapping[str, Any], dotted: str) -> Any:
    value: Any = doc
    for part in dotted.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _oid(case_id: str) -> ObjectId:
    try:
        return ObjectId(case_id)
    except (InvalidId, TypeError) as exc:
        raise CaseNotFound(case_id) from exc


def apply(
    case_id: str,
    *,
    principal: Principal,
    expected_version: int | None,
    request_id: str | None,
    now: datetime,
    correlation_id: str,
    decide: Decide,
) -> Document:
    """Apply one action to a case the principal may see; returns the case as stored after.

    ``expected_version`` None applies the action to whatever version is current (an
    addition such as a comment, which overwrites nothing). ``decide`` gets the current case
    and returns the Plan, or raises an ``errors.ActionRefused`` (an illegal transition, a
    missing field), which then leaves everything as it was; so does a stale version.
    """
    oid = _oid(case_id)
    cases: Collection[Document] = Case._get_collection()
    trail: Collection[Document] = AuditEntry._get_collection()
    actor = actor_of(principal)

    def work(session: ClientSession) -> Document:
        doc = cases.find_one({"_id": oid}, session=session)
        if doc is None or not principal.can_see(doc["tenant"]):
            raise CaseNotFound(case_id)
        version = version_of(doc)
        if expected_version is not None and version != expected_version:
            raise StaleVersion(version, expected_version)
        plan = decide(doc)
        before = {name: _get(doc, name) for name in (*plan.sets, *plan.unsets)}
        after = {**{name: None for name in plan.unsets}, **plan.sets}
        changed = audit.changes(before, after)
        changed += [
            {"field": name, "before": None, "after": audit.json_safe(item)}
            for name, item in plan.appends.items()
        ]
        head = doc.get("audit_head") or {"seq": 0, "hash": audit.GENESIS}
        entry = audit.new_entry(
            case_id=case_id,
            seq=int(head["seq"]) + 1,
            tenant=doc["tenant"],
            at=now,
            actor=actor,
            action=plan.action,
            changed=changed,
            request_id=request_id,
            prev=str(head["hash"]),
        )
        tenant = plan.tenant or doc["tenant"]
        envelopes = [
            new_envelope(e, tenant=tenant, correlation_id=correlation_id, occurred_at=now)
            for e in plan.events
        ]
        update = outbox.push(envelopes, now) if envelopes else {"$push": {}, "$set": {}}
        update["$set"].update(
            {
                **plan.sets,
                "version": version + 1,
                "updated_at": now,
                "audit_head": {"seq": entry["seq"], "hash": entry["hash"]},
            }
        )
        if "first_action_at" not in doc and principal.role in STAFF:
            # Time to first action is an officer's measure: a clerk adding files is not one.
            update["$set"]["first_action_at"] = now
        if plan.unsets:
            update["$unset"] = {name: "" for name in plan.unsets}
        update["$push"]["timeline"] = {
            "at": now,
            "kind": plan.action,
            "summary": plan.summary,
            "actor": principal.name,
            "actor_key": principal.key_prefix,
            "audit_seq": entry["seq"],
            **plan.timeline,
        }
        for name, item in plan.appends.items():
            update["$push"][name] = {"$each": item} if isinstance(item, list) else item
        matches_version: Document = (
            {"version": version} if "version" in doc else {"version": {"$exists": False}}
        )
        result = cases.update_one({"_id": oid, **matches_version}, update, session=session)
        if result.modified_count != 1:
            raise StaleVersion(version + 1, version)
        trail.insert_one(entry, session=session)
        stored = cases.find_one({"_id": oid}, session=session)
        assert stored is not None  # written above in this very transaction
        return stored

    try:
        with cases.database.client.start_session() as session:
            stored: Document = session.with_transaction(work)
    except DuplicateKeyError as exc:
        # Two writers raced past the version check; the audit's unique (case, seq) let one in.
        sent = expected_version or 0
        raise StaleVersion(sent + 1, sent) from exc
    return stored
