"""The suite as real processes behind the front door, for the door's own tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.front_door import FrontDoor, front_door
from tests.support.suite import Suite, running_suite


@pytest.fixture(scope="module")
def door_suite(
    mongo_server: Any, broker: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Suite, FrontDoor]]:
    """Every service and the console, trusting one proxy, with the door in front; one per
    module, as the end-to-end suites are: a suite binds the in-process database alias its
    helpers use, which the other security tests bind to their own databases between."""
    home = tmp_path_factory.mktemp("door-suite")
    with (
        running_suite(
            mongo_server.url,
            home,
            console=True,
            env_overrides={"PANTAU_TRUSTED_PROXIES": "1"},
        ) as suite,
        front_door(suite, home / "proxy") as door,
    ):
        yield suite, door
