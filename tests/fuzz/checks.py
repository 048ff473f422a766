"""What every schemathesis test here checks, a way to aim generated requests at data that
exists (random ids only ever meet the 404 branch), and the driver the in-process tests share.

(Schemathesis's own pytest loader cannot take fixtures under this pytest version; driving
hypothesis directly keeps the same checks.)"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
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


def fuzz(
    operation: Any,
    headers: Mapping[str, str],
    known: Mapping[str, str] | None = None,
    max_examples: int = 25,
    **call: Any,
) -> None:
    """Send generated requests for one schemathesis ``operation`` and check every answer;
    ``call`` goes to each request (``base_url`` and ``timeout`` for a live server)."""
    strategy = operation.as_strategy()
    cases = with_known_ids(strategy, known) if known else strategy

    @given(case=cases)
    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        # The same examples on every run, so a red build always means a change broke
        # something; explore further by switching derandomize off or raising max_examples.
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def run(case: Any) -> None:
        case.call_and_validate(headers=dict(headers), checks=CHECKS, **call)

    run()


def fuzz_operation(
    app: Flask,
    method: str,
    path: str,
    headers: Mapping[str, str],
    known: Mapping[str, str] | None = None,
) -> None:
    """Fuzz one operation of an in-process ``app``, checked against the document the app
    itself serves at /openapi.json (what clients really get)."""
    fuzz(schemathesis.openapi.from_wsgi("/openapi.json", app)[path][method], headers, known)
