"""Give a thread its name in the operating system as well as in Python.

Python 3.11 keeps ``threading.Thread.name`` to itself; ``top -H``, ``/proc/<pid>/task/*/comm``
and the benchmark's CPU-per-thread figures see every thread of a worker as ``python``. Linux
takes a thread's name (at most 15 bytes) from a write to its own ``comm`` file.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def set_os_thread_name(name: str) -> None:
    """Name the calling thread in ``/proc``; elsewhere (or if refused) nothing happens."""
    try:
        with open(f"/proc/self/task/{threading.get_native_id()}/comm", "w") as comm:
            comm.write(name.encode()[:15].decode(errors="ignore"))
    except OSError:
        pass


def os_named(name: str, target: Callable[..., Any]) -> Callable[..., Any]:
    """``target`` run in a thread that first takes ``name`` in the operating system."""

    def run(*args: Any, **kwargs: Any) -> Any:
        set_os_thread_name(name)
        return target(*args, **kwargs)

    return run
