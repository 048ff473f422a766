"""Precision and recall of triage's proposals against officers' labels, per category and
window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.triage.domain.quality import Labelled, quality
from services.triage.domain.rules import CATEGORY_CODES

NOW = datetime(2024, 12, 2, 3, 0, tzinfo=UTC)


def label(proposed: str, final: str, days_ago: float) -> Labelled:
    return Labelled(proposed, final, NOW - timedelta(days=days_ago))


def test_precision_and_recall_per_category() -> None:
    examples = [
        label("HOAKS", "HOAKS", 1),
        label("HOAKS", "HOAKS", 2),
        label("HOAKS", "SARA", 3),  # a hoax proposal officers filed as SARA
        label("MEDSOS", "HOAKS", 4),  # a hoax triage missed
        label("MEDSOS", "MEDSOS", 5),
    ]
    figures = quality(examples, CATEGORY_CODES, now=NOW, days=30)
    rows = {row.category: row for row in figures.categories}
    assert (figures.examples, figures.correct, figures.accuracy) == (5, 3, 0.6)
    assert (rows["HOAKS"].precision, rows["HOAKS"].recall) == (0.6667, 0.6667)
    assert (rows["MEDSOS"].precision, rows["MEDSOS"].recall) == (0.5, 1.0)
    assert (rows["SARA"].precision, rows["SARA"].recall) == (None, 0.0)
    # Nobody proposed or labelled KAMPANYE: no figure, not a zero.
    assert (rows["KAMPANYE"].precision, rows["KAMPANYE"].recall) == (None, None)
    assert [row.category for row in figures.categories] == list(CATEGORY_CODES)


def test_the_window_counts_only_labels_given_in_it() -> None:
    examples = [label("HOAKS", "HOAKS", 10), label("HOAKS", "SARA", 45), label("SARA", "SARA", 91)]
    month = quality(examples, CATEGORY_CODES, now=NOW, days=30)
    quarter = quality(examples, CATEGORY_CODES, now=NOW, days=90)
    assert (month.examples, month.accuracy) == (1, 1.0)
    assert (quarter.examples, quarter.accuracy) == (2, 0.5)
    assert quarter.since == NOW - timedelta(days=90)
    hoax = next(row for row in quarter.categories if row.category == "HOAKS")
    assert (hoax.proposed, hoax.labelled, hoax.correct) == (2, 1, 1)


def test_no_labels_give_no_figures() -> None:
    figures = quality([], CATEGORY_CODES, now=NOW, days=90)
    assert (figures.examples, figures.accuracy) == (0, None)
    assert all(row.precision is None and row.recall is None for row in figures.categories)


def test_a_retired_category_still_counts_in_a_row_of_its_own() -> None:
    figures = quality([label("NETRALITAS_LAMA", "HOAKS", 1)], ("HOAKS",), now=NOW, days=30)
    assert [row.category for row in figures.categories] == ["HOAKS", "NETRALITAS_LAMA"]
    assert figures.categories[1].precision == 0.0


def test_a_naive_moment_or_an_empty_window_is_refused() -> None:
    with pytest.raises(ValueError, match="now"):
        quality([], CATEGORY_CODES, now=NOW.replace(tzinfo=None), days=30)
    with pytest.raises(ValueError, match="days"):
        quality([], CATEGORY_CODES, now=NOW, days=0)
