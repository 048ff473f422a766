"""Reading the audit trail back: a case's entries, the checks of its chain, and anchors.

Entries are written only by ``write`` (in the transaction of the change they record); this
module never writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from itertools import islice
from typing import Any

from bson import ObjectId
from bson.errors import InvalidId

from services.intake.actions import audit, audit_anchor
from services.intake.actions.audit_models import AuditEntry
from services.intake.actions.errors import CaseNotFound
from services.intake.cases.models import Case

Document = dict[str, Any]
_BATCH = 1000


def _batches(items: Iterable[Any], size: int = _BATCH) -> Iterator[list[Any]]:
    """``items`` in lists of ``size`` (the last shorter); itertools.batched from Python 3.12."""
    found = iter(items)
    while batch := list(islice(found, size)):
        yield batch


def _region(tenant_prefix: str | None) -> Document:
    return {"tenant": {"$regex": f"^{tenant_prefix}(\\.|$)"}} if tenant_prefix else {}


def trail_of(case_id: str) -> list[Document]:
    """A case's audit entries, oldest first."""
    return list(AuditEntry._get_collection().find({"case_id": case_id}).sort("seq", 1))


def trails_of(case_ids: Sequence[str]) -> dict[str, list[Document]]:
    """The audit entries of each of ``case_ids``, oldest first, in one read (on the trail's
    own index): a province's check asks for thousands of cases, a query each was most of
    its time."""
    trails: dict[str, list[Document]] = {case_id: [] for case_id in case_ids}
    found = (
        AuditEntry._get_collection()
        .find({"case_id": {"$in": list(case_ids)}})
        .sort([("case_id", 1), ("seq", 1)])
    )
    for entry in found:
        trails[entry["case_id"]].append(entry)
    return trails


def verify_case(case_id: str) -> audit.Verdict:
    """Check one case's chain against its stored entries and the case's head."""
    try:
        oid = ObjectId(case_id)
    except (InvalidId, TypeError) as exc:
        raise CaseNotFound(case_id) from exc
    doc = Case._get_collection().find_one({"_id": oid}, {"audit_head": 1})
    head = doc.get("audit_head") if doc else None
    return audit.verify(case_id, trail_of(case_id), head)


def verify_all(tenant_prefix: str | None = None) -> list[audit.Verdict]:
    """Check every case that has an audit trail (optionally within a region), and the trails
    no case's head accounts for."""
    query: Document = {"audit_head": {"$exists": True}, **_region(tenant_prefix)}
    verdicts = []
    cases = Case._get_collection().find(query, {"audit_head": 1}).sort("_id", 1)
    for batch in _batches(cases):
        heads = {str(doc["_id"]): doc.get("audit_head") for doc in batch}
        for case_id, entries in trails_of(list(heads)).items():
            verdicts.append(audit.verify(case_id, entries, heads[case_id]))
    checked = {v.case_id for v in verdicts}
    verdicts.extend(_unheaded_trails(tenant_prefix, checked))
    return verdicts


def _unheaded_trails(tenant_prefix: str | None, checked: set[str]) -> list[audit.Verdict]:
    """The trails (written in the region) that no case head accounts for: a case document
    deleted, or its head removed, to hide its trail. A case moved out of the region since has
    its head elsewhere and is checked there, so every case is asked, not only the region's."""
    found = AuditEntry._get_collection().aggregate(
        [{"$match": _region(tenant_prefix)}, {"$group": {"_id": "$case_id"}}],
        allowDiskUse=True,
    )
    unseen = sorted(str(doc["_id"]) for doc in found if str(doc["_id"]) not in checked)
    verdicts: list[audit.Verdict] = []
    for batch in _batches(unseen):
        ids = [ObjectId(c) for c in batch if ObjectId.is_valid(c)]
        heads = {
            str(d["_id"]): d.get("audit_head")
            for d in Case._get_collection().find({"_id": {"$in": ids}}, {"audit_head": 1})
        }
        unheaded = [case_id for case_id in batch if not heads.get(case_id)]
        for case_id, entries in trails_of(unheaded).items():
            if case_id not in heads:
                problem = f"the case's document is gone; its trail holds {len(entries)} entries"
                verdicts.append(audit.Verdict(case_id, len(entries), (problem,)))
            else:
                verdicts.append(audit.verify(case_id, entries, None))
    return verdicts


def take_anchor(now: datetime, tenant_prefix: str | None = None) -> audit_anchor.Anchor:
    """Every case's newest entry now (optionally within a region), to be kept elsewhere."""
    query: Document = {"audit_head": {"$exists": True}, **_region(tenant_prefix)}
    docs = Case._get_collection().find(query, {"audit_head": 1}).sort("_id", 1)
    return audit_anchor.Anchor(now, tenant_prefix, audit_anchor.heads_of(docs))


def check_anchor(anchor: audit_anchor.Anchor) -> list[audit.Verdict]:
    """Each anchored case's trail against its anchored head: whether what was written up to
    the anchor is still what is stored.

    The anchored entries are read by their keys, a batch at a time; a case's whole trail only
    where its anchored entry is not as anchored, to say what is wrong (the chain's own check
    reads every trail already)."""
    verdicts = []
    for batch in _batches(anchor.heads):
        keys = [audit.entry_id(h.case_id, h.seq) for h in batch]
        stored = {
            d["_id"]: d.get("hash")
            for d in AuditEntry._get_collection().find({"_id": {"$in": keys}}, {"hash": 1})
        }
        for head, key in zip(batch, keys, strict=True):
            if stored.get(key) == head.hash:
                verdicts.append(audit.Verdict(head.case_id, head.seq, ()))
                continue
            entries = trail_of(head.case_id)
            problems = audit_anchor.check(head, entries)
            verdicts.append(audit.Verdict(head.case_id, len(entries), tuple(problems)))
    return verdicts
