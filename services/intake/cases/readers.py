"""Who reads which cases, and how much of each: the one rule every case-reading route applies.

Officers and those above them read every case of their area in full. A ``submitter`` is an
office system that files cases (a monitoring feed, a complaints desk): it reads only the cases
its own key filed, and of those only what the tracking code it was given at submission already
shows to whoever holds it, the reporter's view: the status and the statuses the case went
through, the statutory deadline, the tracking code and what officers wrote for the reporter.
Never the accused (names, NIPs), witnesses, the description, triage's proposal, internal
comments or who works the case: the directory of officers is not even open to officers
(``/v1/officers`` is for supervisors and up), and the reporter's page names nobody, so an
officer's name is internal too. A key that leaks from an office system then exposes the
progress of that system's own cases, not the regency's files.

Which key filed a case is ``submitted_by.key`` (the key's prefix), stored since the first
version of intake; a case without it (none filed through the API) is simply nobody's. Another
submitter's case answers exactly like a case that does not exist.

Pure: plain dicts in, plain dicts out; the views call these and nothing else decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from services.intake.cases.presenters import case_detail, case_links, json_dates
from services.intake.public import tracking_view
from shared.auth import Principal

# Roles that read only what they filed, as the reporter would.
FILED_ONLY: Final = frozenset({"submitter"})

# The filters and orders of GET /v1/cases that work on what a filer's view shows. The others
# (category, priority, officer, unit, words of the text) would answer questions about fields
# the view leaves out, one yes or no at a time.
FILER_FILTERS: Final = frozenset(
    {
        "status",
        "source",
        "region_code",
        "submitted_from",
        "submitted_to",
        "updated_since",
        "due_after",
        "due_before",
        "overdue",
        "open",
        "sort",
        "limit",
        "cursor",
    }
)
FILER_SORTS: Final = frozenset({"newest", "due", "updated"})

_FILER_KEYS: Final = (
    "_id",
    "tenant",
    "tracking_code",
    "source",
    "source_ref",
    "status",
    "submitted_at",
    "updated_at",
    "late_filing",
)
_AUTHOR: Final = {"petugas": "officer", "pelapor": "reporter"}
_KIND: Final = {"pertanyaan": "question", "pesan": "message", "jawaban": "answer"}


def reads_own_filings(principal: Principal) -> bool:
    """Whether ``principal`` sees only the cases its own key filed."""
    return principal.role in FILED_ONLY


def own_filings(principal: Principal) -> dict[str, Any]:
    """The query part that keeps a filer to its own cases ({} for every other role)."""
    if reads_own_filings(principal):
        return {"submitted_by.key": principal.key_prefix}
    return {}


def may_read(principal: Principal, doc: Mapping[str, Any]) -> bool:
    """Whether ``principal`` may read the stored case ``doc`` at all."""
    if not principal.can_see(str(doc.get("tenant", ""))):
        return False
    if reads_own_filings(principal):
        return (doc.get("submitted_by") or {}).get("key") == principal.key_prefix
    return True


def may_hear_of(principal: Principal, existing: Mapping[str, Any]) -> bool:
    """Whether a case found by its natural key (source, source reference, regency) may be
    answered to ``principal`` as the one it filed already. Not to a submitter whose key did
    not file it: the id and tracking code would open another system's case."""
    return not reads_own_filings(principal) or may_read(principal, existing)


def filed_fields(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The stored case cut down to what its filer may read, still in the stored shape (so
    every presenter, the API's and Open311's, draws from the same cut).

    The timeline keeps only the moments the status moved, without who or why; comments keep
    only those written for the reporter (and the reporter's answers), without their author.
    """
    out: dict[str, Any] = {k: doc[k] for k in _FILER_KEYS if k in doc}
    due_at = (doc.get("triage") or {}).get("due_at")
    out["triage"] = {"due_at": due_at} if due_at is not None else {}
    if "timeline" in doc:
        out["timeline"] = [
            {k: entry[k] for k in ("at", "kind", "to_status") if k in entry}
            for entry in doc.get("timeline") or []
            if entry.get("kind") == "submitted" or entry.get("to_status")
        ]
    if "comments" in doc:
        out["comments"] = [
            {k: c[k] for k in ("at", "kind", "text", "visibility") if k in c}
            for c in doc.get("comments") or []
            if c.get("visibility") == "reporter"
        ]
    return out


def readable(principal: Principal, doc: Mapping[str, Any]) -> Mapping[str, Any]:
    """The stored case as ``principal`` may read it: whole, or its filer's cut."""
    return filed_fields(doc) if reads_own_filings(principal) else doc


def filed_case(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A case as its filer reads it (``FiledCase``): see :func:`filed_fields` for what is
    kept. Lists leave the steps and messages out, as they leave officers' timelines out."""
    kept = filed_fields(doc)
    case_id = str(kept["_id"])
    due_at = kept["triage"].get("due_at")
    body: dict[str, Any] = {
        "id": case_id,
        "tenant": kept["tenant"],
        "tracking_code": kept["tracking_code"],
        "source": kept.get("source"),
        "source_ref": kept.get("source_ref"),
        "status": kept.get("status", "received"),
        "submitted_at": json_dates(kept.get("submitted_at")),
        "updated_at": json_dates(kept.get("updated_at") or kept.get("submitted_at")),
        "late_filing": bool(kept.get("late_filing", False)),
        "due_at": json_dates(due_at),
        "awaiting_reporter": kept.get("status") == "awaiting_info",
        "links": case_links(case_id, kept["tracking_code"]),
    }
    if "timeline" in kept:
        body["steps"] = [
            {"at": s["waktu"], "status": s["status"]} for s in tracking_view.steps(kept["timeline"])
        ]
    if "comments" in kept:
        body["messages"] = [
            {
                "at": m["waktu"],
                "text": m["isi"],
                "from": _AUTHOR[m["dari"]],
                "kind": _KIND[m["jenis"]],
            }
            for m in tracking_view.messages(kept["comments"])
        ]
    return body


def case_view(principal: Principal, doc: Mapping[str, Any]) -> dict[str, Any]:
    """The case as ``principal`` reads it: in full for those who work or oversee cases, the
    filer's view for a filer. The caller has checked :func:`may_read`."""
    if reads_own_filings(principal):
        return filed_case(doc)
    return case_detail(dict(doc))


def refused_filters(principal: Principal, given: Mapping[str, Any]) -> list[str]:
    """The query parameters of a case list ``principal`` may not use, in the order given."""
    if not reads_own_filings(principal):
        return []
    refused = [name for name in given if name not in FILER_FILTERS]
    if given.get("sort") is not None and given["sort"] not in FILER_SORTS:
        refused.append("sort")
    return refused
