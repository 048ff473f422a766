"""The whole suite as real processes: three gunicorn apps and three workers per test module."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.suite import Suite, running_suite


@pytest.fixture(scope="module")
def suite(
    mongo_server: Any, broker: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Suite]:
    with running_suite(mongo_server.url, tmp_path_factory.mktemp("suite")) as started:
        yield started
