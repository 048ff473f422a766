"""Waiting for something another process or thread does: poll, and explain a timeout."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def eventually(
    check: Callable[[], Any],
    timeout: float = 30.0,
    interval: float = 0.2,
    describe: Callable[[], Any] | None = None,
) -> Any:
    """Poll until ``check`` returns something truthy; fail with its last answer and, when
    given, what ``describe`` says of the state (so a rare failure explains itself)."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    state = f"; state: {describe()!r}" if describe is not None else ""
    raise AssertionError(f"condition not met within {timeout}s; last answer: {last!r}{state}")
