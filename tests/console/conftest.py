"""The console's pages against the whole suite as real processes (the console under
gunicorn, the services it calls, their workers), one suite for this folder."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.suite import Suite, running_suite


@pytest.fixture(scope="package")
def console_suite(
    mongo_server: Any, broker: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Suite]:
    with running_suite(
        mongo_server.url, tmp_path_factory.mktemp("console-suite"), console=True
    ) as started:
        yield started
