"""Running a test's calls at the same moment, each in a thread of its own."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

_JOIN_S = 60.0


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Start every call together (they wait for each other at a barrier) and return their
    results in order; a call that raised fails the test with its error."""
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []
    start = threading.Barrier(len(calls))

    def run(i: int) -> None:
        try:
            start.wait(_JOIN_S)
            results[i] = calls[i]()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(_JOIN_S)
    if errors:
        raise errors[0]
    return results
