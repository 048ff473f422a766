"""What every schemathesis test here checks, and a way to aim generated requests at data that
exists (random ids only ever meet the 404 branch)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _aimed(case: Any, known: Mapping[str, str]) -> Any:
    params = case.path_parameters or {}
    case.path_parameters = {name: known.get(name, value) for name, value in params.items()}
    if isinstance(case.body, dict):
        case.body = {name: known.get(name, value) for name, value in case.body.items()}
    return case


def with_known_ids(strategy: st.SearchStrategy[Any], known: Mapping[str, str]) -> Any:
    """Cases as generated, or (about half of them) with each path parameter and top-level
    JSON body field that ``known`` names set to that value; the rest stays generated."""
    return st.one_of(strategy, strategy.map(lambda case: _aimed(case, known)))
