"""The audit trail's hash chain: it verifies when untouched and names every kind of tampering."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId

from services.intake.actions import audit

CASE = str(ObjectId())
ACTOR = {"name": "Sekretariat BKPSDM Karo", "key_prefix": "abcdefghij", "role": "officer"}


def chain(n: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    prev = audit.GENESIS
    start = datetime(2024, 11, 20, 1, 2, 3, 456789, tzinfo=UTC)
    for seq in range(1, n + 1):
        entry = audit.new_entry(
            case_id=CASE,
            seq=seq,
            tenant="12.06",
            at=start + timedelta(minutes=seq),
            actor=ACTOR,
            action="status_changed",
            changed=audit.changes({"status": "received"}, {"status": f"s{seq}"}),
            request_id=f"req-{seq}",
            prev=prev,
        )
        entries.append(entry)
        prev = entry["hash"]
    return entries, {"seq": n, "hash": prev}


def test_an_untouched_chain_verifies() -> None:
    entries, head = chain(5)
    verdict = audit.verify(CASE, entries, head)
    assert verdict.intact, verdict.problems
    assert verdict.entries == 5


def test_times_are_kept_at_the_millisecond_mongodb_stores() -> None:
    entries, _ = chain(1)
    assert entries[0]["at"] == "2024-11-20T01:03:03.456000+00:00"


def test_an_edited_entry_is_detected() -> None:
    entries, head = chain(4)
    tampered = copy.deepcopy(entries)
    tampered[1]["changes"][0]["after"] = "closed"
    verdict = audit.verify(CASE, tampered, head)
    assert not verdict.intact
    assert any("entry 2" in p and "edited" in p for p in verdict.problems)


def test_an_edited_entry_with_a_recomputed_hash_breaks_the_next_link() -> None:
    entries, head = chain(4)
    tampered = copy.deepcopy(entries)
    tampered[1]["actor"] = {**ACTOR, "name": "Orang lain"}
    tampered[1]["hash"] = audit.digest(tampered[1])
    verdict = audit.verify(CASE, tampered, head)
    assert any("entry 3" in p and "does not point" in p for p in verdict.problems)


def test_a_removed_entry_is_detected() -> None:
    entries, head = chain(4)
    verdict = audit.verify(CASE, [entries[0], entries[2], entries[3]], head)
    assert not verdict.intact
    assert any("missing" in p for p in verdict.problems)


def test_removing_the_newest_entries_is_detected_by_the_case_head() -> None:
    entries, head = chain(4)
    verdict = audit.verify(CASE, entries[:3], head)
    assert verdict.problems == ("the case records 4 entries, the trail holds 3",)


def test_reordered_entries_are_detected() -> None:
    entries, head = chain(3)
    verdict = audit.verify(CASE, [entries[1], entries[0], entries[2]], head)
    assert not verdict.intact


def test_changes_list_only_fields_that_differ() -> None:
    at = datetime(2024, 11, 20, tzinfo=UTC)
    found = audit.changes(
        {"status": "received", "closed_at": None, "triage.unit": "bkpsdm"},
        {"status": "closed", "closed_at": at, "triage.unit": "bkpsdm"},
    )
    assert found == [
        {"field": "closed_at", "before": None, "after": "2024-11-20T00:00:00+00:00"},
        {"field": "status", "before": "received", "after": "closed"},
    ]
