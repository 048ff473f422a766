"""Watching the commands a MongoDB client sends, for tests that count the reads of a path."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pymongo import monitoring


class CommandCounter(monitoring.CommandListener):
    """Counts the commands named ``name`` (finds unless told) on one collection (any, for
    None: a transaction's commit names none) that ``where`` accepts (given the command).

    Actions put in ``during`` run, once each, as the next counted command starts: a change
    that arrives while that read is on its way.
    """

    def __init__(
        self,
        collection: str | None,
        where: Callable[[Mapping[str, Any]], bool] = lambda _: True,
        *,
        name: str = "find",
    ) -> None:
        self.collection = collection
        self.where = where
        self.name = name
        self.count = 0
        self.during: list[Callable[[], object]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        command = event.command
        if (
            event.command_name == self.name
            and (self.collection is None or command.get(self.name) == self.collection)
            and self.where(command)
        ):
            self.count += 1
            while self.during:
                self.during.pop()()

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        return None

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        return None
