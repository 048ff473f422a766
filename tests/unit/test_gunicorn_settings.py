"""The gunicorn settings the services and the benchmarks read from one place."""

from __future__ import annotations

from shared import gunicorn_hooks
from shared.gunicorn_hooks import web_workers


def test_the_worker_count_is_the_operators_or_two() -> None:
    assert web_workers({}) == 2
    assert web_workers({"PANTAU_WEB_WORKERS": "6"}) == 6


def test_the_services_run_the_count_the_benchmarks_wait_for() -> None:
    assert gunicorn_hooks.workers == web_workers()
