"""The rules of bulk actions: the chosen ids, colleagues' changes since the list was seen,
refusal codes, counts and the session key intake records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from services.console.team.bulk import (
    MAX_CASES,
    Outcome,
    changed_since,
    counts,
    parse_moment,
    refusal_code,
    selection,
    session_key,
)

SEEN = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
A, B = "65a1f0c2e4b0a1b2c3d4e5f6", "65a1f0c2e4b0a1b2c3d4e5f7"


def line(minutes: int, **fields: Any) -> dict[str, Any]:
    return {"at": (SEEN + timedelta(minutes=minutes)).isoformat(), "summary": "x", **fields}


def test_the_selection_keeps_order_drops_repeats_and_reports_what_is_not_an_id() -> None:
    chosen = selection([B, " " + A, B, "../etc", ""])
    assert chosen.case_ids == (B, A)
    assert chosen.invalid == ("../etc",)
    assert not chosen.too_many


def test_more_than_the_limit_is_too_many() -> None:
    ids = [f"{n:024x}" for n in range(MAX_CASES + 1)]
    assert selection(ids).too_many
    assert not selection(ids[:MAX_CASES]).too_many


def test_a_colleagues_change_after_the_list_was_seen_is_named_once() -> None:
    case = {
        "timeline": [
            line(-5, actor="Sari", actor_key="k-sari"),  # before: seen already
            line(2, actor="Sari", actor_key="k-sari"),
            line(3, actor="Sari", actor_key="k-sari"),
            line(4, event_id="e1", kind="notified"),  # a service's line: nobody's work
            line(5, actor="Saya", actor_key="k-me"),  # mine
            line(6, actor="Saya", actor_key="k-other-session"),  # mine, from another device
        ]
    }
    assert changed_since(case, SEEN, own_key="k-me", own_name="Saya") == ("Sari",)


def test_without_knowing_when_the_list_was_seen_nothing_counts_as_changed() -> None:
    case = {"timeline": [line(2, actor="Sari", actor_key="k-sari")]}
    assert changed_since(case, None, own_key="k-me", own_name="Saya") == ()


def test_moments_without_a_zone_are_utc_and_rubbish_is_none() -> None:
    assert parse_moment("2026-12-02T03:00:00") == SEEN
    assert parse_moment("kemarin") is None
    assert parse_moment(None) is None


def test_refusal_code_is_the_first_field_errors_code() -> None:
    problem = {"errors": [{"field": "officer_id", "message": "x", "code": "conflict"}]}
    assert refusal_code(problem) == "conflict"
    assert refusal_code({"detail": "no"}) is None


def test_counts_name_every_kind() -> None:
    found = counts([Outcome(A, "done"), Outcome(B, "done"), Outcome(A, "refused")])
    assert found == {"done": 2, "changed": 0, "refused": 1, "missing": 0, "skipped": 0}


def test_the_session_key_is_the_tokens_prefix() -> None:
    assert session_key("pns_abc123_secret_with_underscores") == "abc123"
    assert session_key("not-a-session") is None
