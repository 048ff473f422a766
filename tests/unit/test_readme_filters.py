"""The README's list of search filters names exactly what ``GET /v1/cases`` takes.

The list once said ``region`` where the API says ``region_code``; the API refuses names it
does not know, so a reader following the README got a 400.
"""

from __future__ import annotations

import re
from pathlib import Path

from services.intake.cases.api import CaseListQuery

README = Path(__file__).resolve().parents[2] / "README.md"


def _search_paragraph() -> str:
    text = README.read_text(encoding="utf-8")
    found = re.search(r"^- \*\*Search\.\*\*(.*?)(?=^- \*\*)", text, flags=re.M | re.S)
    assert found, "the README has no Search paragraph"
    return found.group(1)


def _named_parameters(paragraph: str) -> set[str]:
    # `overdue=true` names overdue; quoted search syntax and values such as `newest` are not
    # parameters and are dropped by keeping only the query model's candidates below.
    names = {token.split("=", 1)[0] for token in re.findall(r"`([a-z_]+(?:=[a-z]+)?)`", paragraph)}
    return names


def test_every_filter_the_readme_names_is_one_the_api_takes() -> None:
    paragraph = _search_paragraph()
    fields = set(CaseListQuery.model_fields)
    values = {"newest", "due", "priority", "updated", "none"}  # sort values and the index language
    named = _named_parameters(paragraph) - values
    assert named <= fields, f"the README names {sorted(named - fields)}, not taken by the API"


def test_every_filter_the_api_takes_is_in_the_readme() -> None:
    named = _named_parameters(_search_paragraph())
    missing = set(CaseListQuery.model_fields) - named
    assert not missing, f"undocumented filters: {sorted(missing)}"
