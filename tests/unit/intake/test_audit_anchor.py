"""Audit anchors: a chain rewritten whole (every hash recomputed) verifies on its own, and
the anchor taken before catches it; changes made after the anchor are not its concern."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from services.intake.actions import audit, audit_anchor
from services.intake.actions.audit_anchor import Anchor, AnchorError, Head
from tests.unit.intake.test_audit_chain import CASE, chain

TAKEN = datetime(2024, 11, 21, 9, 0, tzinfo=UTC)


def _rewrite(entries: list[dict[str, Any]], seq: int, after: str) -> list[dict[str, Any]]:
    """What someone with write access to the database does: edit one entry, then recompute
    its hash and every hash after it, so that the chain verifies again."""
    rewritten = copy.deepcopy(entries)
    rewritten[seq - 1]["changes"][0]["after"] = after
    prev = rewritten[seq - 2]["hash"] if seq > 1 else audit.GENESIS
    for entry in rewritten[seq - 1 :]:
        entry["prev"] = prev
        entry["hash"] = audit.digest(entry)
        prev = entry["hash"]
    return rewritten


def test_a_chain_rewritten_whole_verifies_alone_but_not_against_its_anchor() -> None:
    entries, head = chain(5)
    anchored = Head(CASE, head["seq"], head["hash"])
    assert audit_anchor.check(anchored, entries) == []
    rewritten = _rewrite(entries, 3, "closed")
    new_head = {"seq": 5, "hash": rewritten[-1]["hash"]}
    assert audit.verify(CASE, rewritten, new_head).intact  # the chain alone cannot tell
    assert audit_anchor.check(anchored, rewritten) == [
        "entry 5 is not the one anchored (the trail up to it was rewritten)"
    ]


def test_an_anchor_from_the_middle_of_a_chain_catches_a_rewrite_before_it() -> None:
    entries, _ = chain(6)
    anchored = Head(CASE, 4, entries[3]["hash"])
    assert audit_anchor.check(anchored, _rewrite(entries, 2, "rejected"))
    # A rewrite of what came after the anchor is the chain's to catch, not the anchor's.
    assert audit_anchor.check(anchored, _rewrite(entries, 5, "rejected")) == []


def test_entries_removed_down_to_or_below_the_anchor_are_named() -> None:
    entries, head = chain(4)
    anchored = Head(CASE, head["seq"], head["hash"])
    assert audit_anchor.check(anchored, entries[:2]) == ["entry 4, named by the anchor, is missing"]
    assert audit_anchor.check(anchored, []) == [
        "the anchor names 4 entries and the trail holds none"
    ]


def test_changes_after_the_anchor_leave_it_satisfied() -> None:
    entries, _ = chain(7)
    assert audit_anchor.check(Head(CASE, 5, entries[4]["hash"]), entries) == []


def test_an_anchor_reads_back_as_written_and_its_bytes_do_not_depend_on_order() -> None:
    heads = (Head("b" * 24, 3, "1" * 64), Head("a" * 24, 1, "2" * 64))
    anchor = Anchor(TAKEN, "12.06", heads)
    data = audit_anchor.anchor_bytes(anchor)
    again = audit_anchor.read_anchor(data)
    assert again.taken_at == TAKEN
    assert again.region == "12.06"
    assert set(again.heads) == set(heads)
    assert audit_anchor.anchor_bytes(Anchor(TAKEN, "12.06", heads[::-1])) == data
    assert audit_anchor.fingerprint(data) == audit_anchor.fingerprint(
        audit_anchor.anchor_bytes(again)
    )


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not json",
        b"[]",
        b'{"format": "something-else/1", "taken_at": "2024-11-21T09:00:00+00:00", "heads": []}',
        b'{"format": "pantau-audit-anchor/1", "heads": []}',
        b'{"format": "pantau-audit-anchor/1", "taken_at": "kemarin", "heads": []}',
        b'{"format": "pantau-audit-anchor/1", "taken_at": "2024-11-21T09:00:00+00:00",'
        b' "heads": [{"case_id": "a", "seq": "x", "hash": "0"}]}',
        b'{"format": "pantau-audit-anchor/1", "taken_at": "2024-11-21T09:00:00+00:00",'
        b' "heads": [{"case_id": "a", "seq": 0, "hash": "0"}]}',
        b'{"format": "pantau-audit-anchor/1", "taken_at": "2024-11-21T09:00:00+00:00",'
        b' "heads": [{"case_id": "a", "seq": 1, "hash": "0"}, {"case_id": "a", "seq": 2,'
        b' "hash": "1"}]}',
        b"\xff\xfe",
    ],
)
def test_what_is_not_an_anchor_is_refused_with_a_reason(data: bytes) -> None:
    with pytest.raises(AnchorError):
        audit_anchor.read_anchor(data)


def test_heads_come_from_the_cases_that_have_a_trail() -> None:
    docs: list[dict[str, Any]] = [
        {"_id": "c1", "audit_head": {"seq": 2, "hash": "h2"}},
        {"_id": "c2"},  # no change yet: no trail to anchor
    ]
    assert audit_anchor.heads_of(docs) == (Head("c1", 2, "h2"),)
