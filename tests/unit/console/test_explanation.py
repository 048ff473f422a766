"""Triage's explanation names the cases it mentions by title and tracking code where the page
could ask for them, and keeps the id of one the person may not see."""

from __future__ import annotations

from services.console.cases.explanation import named_explanation

FIRST = "6b13c0ffee0000000000abcd"
HIDDEN = "6b13c0ffee0000000000ffff"


def test_ids_the_page_named_read_as_titles_and_codes() -> None:
    text = (
        f"Duplikat dari kasus {FIRST} (teks mirip 0.93): tidak ditugaskan. "
        f"Kasus terkait: {HIDDEN} (tautan sama)."
    )
    linked = {FIRST: {"title": "Camat di kampanye", "tracking_code": "K7QM-3XPA-9D2F-HT6W"}}
    assert named_explanation(text, linked) == (
        "Duplikat dari kasus “Camat di kampanye” (K7QM-3XPA-9D2F-HT6W) (teks mirip 0.93): "
        f"tidak ditugaskan. Kasus terkait: {HIDDEN} (tautan sama)."
    )


def test_no_explanation_is_an_empty_one() -> None:
    assert named_explanation(None, {}) == ""
    assert named_explanation("Diusulkan kategori MEDSOS.", {FIRST: {"title": "x"}}) == (
        "Diusulkan kategori MEDSOS."
    )
