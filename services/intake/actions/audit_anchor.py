"""Anchors of the audit trail: the newest entry of every case, written down outside the database.

The hash chain catches an entry edited, removed or reordered by someone who does not also
rewrite what follows it. Whoever can write to the database can do that too: recompute every
hash after the entry they changed and the case's head, and the chain verifies again. An anchor
closes that door. It lists, for every case at one moment, the number and hash of its newest
entry; kept where the database's administrators cannot write (an auditor's archive, a letter
that quotes its SHA-256), it lets a later check prove that no entry up to then was rewritten:
a rewritten chain has other hashes at the anchored entries.

Anchors are plain JSON so that anyone can read and keep them; this module is pure (no I/O).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared import dates

FORMAT = "pantau-audit-anchor/1"


class AnchorError(ValueError):
    """A file that is not an anchor this release can read."""


@dataclass(frozen=True)
class Head:
    """A case's newest audit entry at the anchor's moment."""

    case_id: str
    seq: int
    hash: str


@dataclass(frozen=True)
class Anchor:
    taken_at: datetime
    region: str | None
    heads: tuple[Head, ...]


def anchor_document(anchor: Anchor) -> dict[str, Any]:
    """The anchor as the JSON document that is kept (heads in case order, so two anchors of
    the same trail are the same bytes)."""
    return {
        "format": FORMAT,
        "taken_at": dates.in_utc(anchor.taken_at).isoformat(),
        "region": anchor.region,
        "cases": len(anchor.heads),
        "heads": [
            {"case_id": h.case_id, "seq": h.seq, "hash": h.hash}
            for h in sorted(anchor.heads, key=lambda h: h.case_id)
        ],
    }


def anchor_bytes(anchor: Anchor) -> bytes:
    """The file's bytes; their SHA-256 (:func:`fingerprint`) is what a letter quotes."""
    return (json.dumps(anchor_document(anchor), indent=1, ensure_ascii=False) + "\n").encode()


def fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_anchor(data: bytes) -> Anchor:
    """An anchor from its file, or AnchorError saying what is wrong with it."""
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AnchorError(f"not JSON: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise AnchorError(f"not an audit anchor (expected format {FORMAT!r})")
    try:
        taken_at = dates.aware(datetime.fromisoformat(str(doc["taken_at"])))
        heads = tuple(Head(str(h["case_id"]), int(h["seq"]), str(h["hash"])) for h in doc["heads"])
    except (KeyError, TypeError, ValueError) as exc:
        raise AnchorError(f"an anchor with a missing or malformed field: {exc}") from exc
    if any(h.seq < 1 for h in heads) or len({h.case_id for h in heads}) != len(heads):
        raise AnchorError("an anchor lists each case once, with an entry number from 1")
    region = doc.get("region")
    return Anchor(taken_at, str(region) if region else None, heads)


def check(head: Head, entries: Sequence[Mapping[str, Any]]) -> list[str]:
    """What differs between a case's stored ``entries`` (oldest first) and its anchored
    ``head``: nothing when the entry the anchor names is still there with the same hash.

    The entries after it (changes since the anchor) are the chain's to check, not the
    anchor's; the entries before it are tied to it through their hashes, which the chain's
    own check recomputes.
    """
    if not entries:
        return [f"the anchor names {head.seq} entries and the trail holds none"]
    at = next((e for e in entries if e.get("seq") == head.seq), None)
    if at is None:
        return [f"entry {head.seq}, named by the anchor, is missing"]
    if at.get("hash") != head.hash:
        return [f"entry {head.seq} is not the one anchored (the trail up to it was rewritten)"]
    return []


def heads_of(docs: Iterable[Mapping[str, Any]]) -> tuple[Head, ...]:
    """Heads from case documents as stored (``_id`` and ``audit_head``)."""
    return tuple(
        Head(str(d["_id"]), int(d["audit_head"]["seq"]), str(d["audit_head"]["hash"]))
        for d in docs
        if d.get("audit_head")
    )
