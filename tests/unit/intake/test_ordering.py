"""The orders of a case list and their cursors: every page starts right after the last."""

from __future__ import annotations

import base64
import json
import random
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import Any

import pytest
from bson import ObjectId

from services.intake.cases import ordering

BASE = datetime(2026, 11, 30, 8, tzinfo=UTC)


def _cases(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """Cases with many ties on every key, as a busy regency's queue has."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        due = rng.choice([None, BASE, BASE + timedelta(days=1), BASE + timedelta(days=2)])
        priority = rng.choice([None, "urgent", "high", "normal", "low"])
        out.append(
            {
                "_id": ObjectId(),
                "updated_at": BASE + timedelta(minutes=rng.choice([0, 5, 10])),
                **ordering.queue_keys(due, priority),
            }
        )
    return out


def _matches(doc: dict[str, Any], condition: dict[str, Any]) -> bool:
    """A tiny evaluator of the conditions ``after`` builds ($or of equalities and $gt/$lt)."""
    if "$or" in condition:
        return any(_matches(doc, branch) for branch in condition["$or"])
    for field, expected in condition.items():
        value = doc[field]
        if isinstance(expected, dict):
            ((op, bound),) = expected.items()
            if not (value > bound if op == "$gt" else value < bound):
                return False
        elif value != expected:
            return False
    return True


def _sorted(docs: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    out = list(docs)
    for field, direction in reversed(ordering.sort_spec(sort)):
        out.sort(key=itemgetter(field), reverse=direction == -1)
    return out


@pytest.mark.parametrize("sort", ordering.SORTS)
def test_paging_with_cursors_visits_every_case_once_in_order(sort: str) -> None:
    docs = _cases(60)
    expected = _sorted(docs, sort)
    seen: list[dict[str, Any]] = []
    remaining = expected
    while remaining:
        page = remaining[:7]
        seen.extend(page)
        cursor = ordering.encode(sort, page[-1])
        condition = ordering.after(sort, cursor)
        remaining = [d for d in expected if _matches(d, condition)]
    assert [d["_id"] for d in seen] == [d["_id"] for d in expected]


def test_due_order_puts_cases_without_a_deadline_last() -> None:
    docs = _cases(40)
    ordered = _sorted(docs, "due")
    dated = [d for d in ordered if d["due_key"] != ordering.NO_DEADLINE]
    assert ordered[: len(dated)] == dated


def test_priority_order_ranks_urgent_first_and_untriaged_last() -> None:
    keys = [ordering.queue_keys(None, p)["priority_rank"] for p in ("urgent", "high", None)]
    assert keys == sorted(keys)
    assert keys[-1] == ordering.UNRANKED


@pytest.mark.parametrize(
    "cursor", ["zzz", "", "eyJzIjogImR1ZSJ9", ordering.encode("due", _cases(1)[0])]
)
def test_a_cursor_of_another_order_or_of_nothing_is_refused(cursor: str) -> None:
    with pytest.raises(ordering.BadCursor):
        ordering.after("updated", cursor)


def test_a_cursor_of_the_first_release_still_pages_the_newest_order() -> None:
    oid = ObjectId()
    old = base64.urlsafe_b64encode(json.dumps({"before": str(oid)}).encode()).decode()
    assert ordering.after("newest", old) == {"_id": {"$lt": oid}}


def test_every_order_ends_with_the_unique_id() -> None:
    for sort in ordering.SORTS:
        assert ordering.sort_spec(sort)[-1] == ("_id", -1)
