"""The audit trail: an append-only, hash-chained record of every change to a case.

Each entry holds the actor, the time, the request id and, for every changed field, its value
before and after. Entries are numbered per case (``seq`` 1, 2, ...) and each carries the
hash of the one before it, so editing, removing or reordering any entry breaks the chain;
the case document keeps the hash and number of its newest entry, so even removing the last
entries is detected. A chain per case (rather than one for the whole deployment) lets
regencies write in parallel without contending for one global head.

Values are stored exactly as they are hashed (JSON-safe: datetimes as ISO strings at the
millisecond MongoDB keeps), so a verifier recomputes every hash from the stored entry alone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId

from shared import dates

Document = dict[str, Any]

# The hash a case's first entry points back to: nothing came before it.
GENESIS = "0" * 64
_HASHED = ("case_id", "seq", "tenant", "at", "actor", "action", "changes", "request_id", "prev")


def json_safe(value: Any) -> Any:
    """``value`` as plain JSON data, the way it is both hashed and stored."""
    if isinstance(value, datetime):
        value = dates.in_utc(value)
        return value.replace(microsecond=value.microsecond // 1000 * 1000).isoformat()
    if isinstance(value, ObjectId):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def digest(entry: Mapping[str, Any]) -> str:
    """The SHA-256 of an entry's hashed fields in canonical JSON."""
    canonical = json.dumps(
        {name: entry.get(name) for name in _HASHED},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Document]:
    """One {field, before, after} per field whose value differs (absent fields are None)."""
    out: list[Document] = []
    for name in sorted(set(before) | set(after)):
        old, new = json_safe(before.get(name)), json_safe(after.get(name))
        if old != new:
            out.append({"field": name, "before": old, "after": new})
    return out


def new_entry(
    *,
    case_id: str,
    seq: int,
    tenant: str,
    at: datetime,
    actor: Mapping[str, Any],
    action: str,
    changed: list[Document],
    request_id: str | None,
    prev: str,
) -> Document:
    """A complete entry, with its hash, ready to insert."""
    entry: Document = {
        "case_id": case_id,
        "seq": seq,
        "tenant": tenant,
        "at": json_safe(at),
        "actor": json_safe(dict(actor)),
        "action": action,
        "changes": changed,
        "request_id": request_id,
        "prev": prev,
    }
    entry["hash"] = digest(entry)
    entry["_id"] = entry_id(case_id, seq)
    return entry


def entry_id(case_id: str, seq: int) -> str:
    """An entry's key: one per (case, number), so a chain cannot fork."""
    return f"{case_id}:{seq:08d}"


@dataclass(frozen=True)
class Verdict:
    """What checking one case's chain found."""

    case_id: str
    entries: int
    problems: tuple[str, ...]

    @property
    def intact(self) -> bool:
        return not self.problems


def verify(
    case_id: str, entries: Iterable[Mapping[str, Any]], head: Mapping[str, Any] | None
) -> Verdict:
    """Check a case's entries (in ``seq`` order) against each other and the case's head.

    ``head`` is what the case document says of its newest entry (``{"seq", "hash"}``), or
    None when the case has no entries yet.
    """
    problems: list[str] = []
    prev = GENESIS
    count = 0
    for expected_seq, entry in enumerate(entries, start=1):
        count = expected_seq
        seq = entry.get("seq")
        if seq != expected_seq:
            problems.append(f"entry {expected_seq}: found seq {seq} (an entry is missing)")
        if entry.get("prev") != prev:
            problems.append(f"entry {seq}: does not point to the entry before it")
        recomputed = digest(entry)
        if entry.get("hash") != recomputed:
            problems.append(f"entry {seq}: its content does not match its hash (edited)")
        prev = str(entry.get("hash"))
    head_seq = int(head.get("seq", 0)) if head else 0
    head_hash = str(head.get("hash", GENESIS)) if head else GENESIS
    if head_seq != count:
        problems.append(f"the case records {head_seq} entries, the trail holds {count}")
    elif head_hash != prev:
        problems.append("the case's newest entry hash differs from the trail's last entry")
    return Verdict(case_id, count, tuple(problems))
