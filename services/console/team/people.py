"""The people pages' rules without the calls: searching the directory, where a person stands
with signing in, what a form changes, what a colleague changed meanwhile, and which roles
and regions a manager may give.

Pure: directory entries and account summaries (as intake answers them) in, values out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from shared.regions import named_regencies

# The fields of an entry the console lets a manager change, in the order the form shows them.
EDITABLE: Final = ("name", "region", "unit", "role", "email", "phone", "language")
# Fields a change may remove (an empty box sends null); the others can only be changed.
REMOVABLE: Final = frozenset({"email", "phone"})
# Supervisors give the roles of their regency's staff; only an operator makes province staff.
_ROLES_GIVEN: Final = {
    "supervisor": ("officer", "supervisor"),
    "operator": ("officer", "supervisor", "operator", "auditor"),
}


def matches(entry: Mapping[str, Any], words: str) -> bool:
    """Whether every word of a search is in the person's name, id or e-mail address."""
    haystack = " ".join(str(entry.get(k) or "") for k in ("name", "officer_id", "email")).casefold()
    return all(word in haystack for word in words.casefold().split())


def search(entries: Iterable[Mapping[str, Any]], words: str) -> list[Mapping[str, Any]]:
    """The entries a search finds, by name."""
    found = [e for e in entries if not words.strip() or matches(e, words)]
    return sorted(found, key=lambda e: (str(e.get("name") or "").casefold(), e["officer_id"]))


def account_state(summary: Mapping[str, Any] | None) -> str:
    """One word for where a person stands: ``second_factor`` (account with the second
    factor), ``account``, ``invited`` (a link waiting), ``invitation_expired`` or ``none``."""
    if not summary:
        return "none"
    if summary.get("password_set"):
        return "second_factor" if summary.get("second_factor") else "account"
    invitation = summary.get("invitation") or {}
    state = invitation.get("state")
    if state == "pending":
        return "invited"
    if state in ("expired", "used", "replaced"):
        return "invitation_expired"
    return "none"


def roles_given_by(role: str) -> tuple[str, ...]:
    """The roles a manager of ``role`` may give."""
    return _ROLES_GIVEN.get(role, ())


def regions_for(region: str) -> tuple[str, ...]:
    """Where a manager of ``region`` may place a person: their regency; for a province, the
    province itself and its regencies."""
    if "." in region:
        return (region,)
    return (region, *named_regencies(region))


def entry_values(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The editable fields of an entry as the form shows them (empty text for none)."""
    return {name: entry.get(name) or "" for name in EDITABLE}


def changes(read: Mapping[str, Any], typed: Mapping[str, Any]) -> dict[str, Any]:
    """What a form changes in the entry as it was read: only the fields that differ, an
    emptied e-mail or phone as None (removed)."""
    out: dict[str, Any] = {}
    for name in EDITABLE:
        before = read.get(name) or ""
        after = (typed.get(name) or "").strip()
        if after == before:
            continue
        if not after:
            if name in REMOVABLE:
                out[name] = None
            continue
        out[name] = after
    return out


@dataclass(frozen=True)
class Difference:
    field: str
    before: Any
    after: Any


def differences(read: Mapping[str, Any], current: Mapping[str, Any]) -> list[Difference]:
    """The fields a colleague changed since the entry was read (``active`` included: a
    colleague may have deactivated the person meanwhile)."""
    found = []
    for name in EDITABLE:
        before, after = read.get(name) or "", current.get(name) or ""
        if before != after:
            found.append(Difference(name, before, after))
    if "active" in read and read.get("active") != current.get("active"):
        found.append(Difference("active", read.get("active"), current.get("active")))
    return found


def snapshot(entry: Mapping[str, Any]) -> dict[str, Any]:
    """What the edit form remembers of the entry it was opened on."""
    return {**entry_values(entry), "active": bool(entry.get("active", True))}
