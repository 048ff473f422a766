"""Worker threads name themselves in /proc, so per-thread CPU can be attributed."""

from __future__ import annotations

import threading
from pathlib import Path

from shared.os_thread_name import os_named
from shared.worker_runtime import _task_name


def _comm() -> str:
    return Path(f"/proc/self/task/{threading.get_native_id()}/comm").read_text().strip()


def test_a_thread_takes_its_name_cut_to_what_linux_keeps() -> None:
    seen: list[str] = []
    thread = threading.Thread(
        target=os_named("outbox-relay-and-more", lambda: seen.append(_comm()))
    )
    thread.start()
    thread.join()
    assert seen == ["outbox-relay-an"]  # 15 bytes
    assert _comm() != "outbox-relay-an"  # the caller's own name is left alone


def test_the_wrapped_task_gets_its_arguments_and_returns() -> None:
    assert os_named("x", lambda a, b=0: a + b)(1, b=2) == 3


def test_background_tasks_are_named_by_their_class() -> None:
    class LadderScheduler:
        def run(self, stop: threading.Event) -> None:
            pass

    def directory_seed(stop: threading.Event) -> None:
        pass

    assert _task_name(LadderScheduler().run) == "LadderScheduler"
    assert _task_name(directory_seed) == "directory_seed"
