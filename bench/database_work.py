"""What mongod did over a stretch of a benchmark, from its own counters (``serverStatus``).

Where CPU per request or per case says how much mongod worked, this says at what: documents
inserted, updated and returned, and commands run, by every client (relays and change streams
included), which commands they were, and on which collections (``top``: operations and the
time mongod held each collection for them). An outbox that writes each case twice shows as one
updated document per request; a change stream as its getMores.
"""

from __future__ import annotations

from typing import Any

from pymongo import MongoClient

COLUMNS = ("inserted", "updated", "returned", "commands")
# The operations ``top`` counts per collection.
OPERATIONS = ("queries", "getmore", "insert", "update", "remove", "commands")


class DatabaseWork:
    """mongod's counters read when built and again at :meth:`stop`; the differences."""

    def __init__(self, client: MongoClient[Any]):
        self.client = client
        self.start, self.start_commands = self._read()
        self.start_top = self._top()
        self.used: dict[str, int] = {}
        self.used_commands: dict[str, int] = {}
        self.used_top: dict[str, dict[str, int]] = {}

    def _top(self) -> dict[str, dict[str, int]]:
        """Per collection: each operation's count, and ``time`` (microseconds, all of them)."""
        totals = self.client.admin.command("top")["totals"]
        return {
            name: {
                **{op: int(entry[op]["count"]) for op in OPERATIONS},
                "time": int(entry["total"]["time"]),
            }
            for name, entry in totals.items()
            if isinstance(entry, dict) and "total" in entry
        }

    def _read(self) -> tuple[dict[str, int], dict[str, int]]:
        status = self.client.admin.command("serverStatus")
        documents = status["metrics"]["document"]
        commands = {
            name: int(c.get("total", 0))
            for name, c in status["metrics"]["commands"].items()
            if isinstance(c, dict)
        }
        totals = {
            "inserted": int(documents["inserted"]),
            "updated": int(documents["updated"]),
            "returned": int(documents["returned"]),
            "commands": sum(commands.values()),
        }
        return totals, commands

    def stop(self) -> DatabaseWork:
        end, end_commands = self._read()
        self.used = {name: end[name] - self.start[name] for name in end}
        self.used_commands = {
            name: count - self.start_commands.get(name, 0)
            for name, count in end_commands.items()
            if count > self.start_commands.get(name, 0)
        }
        end_top = self._top()
        self.used_top = {}
        for name, counts in end_top.items():
            before = self.start_top.get(name, {})
            used = {key: value - before.get(key, 0) for key, value in counts.items()}
            if any(used.values()):
                self.used_top[name] = used
        return self

    def per_request(self, requests: int) -> dict[str, float]:
        """Documents and commands per request (or per case)."""
        return {name: count / max(requests, 1) for name, count in self.used.items()}

    def commands_per_request(self, requests: int, most: int = 8) -> list[tuple[str, float]]:
        """The commands run most, each per request, most first."""
        ranked = sorted(self.used_commands.items(), key=lambda item: (-item[1], item[0]))
        return [(name, count / max(requests, 1)) for name, count in ranked[:most]]

    def collections_per_request(
        self, requests: int, most: int = 6
    ) -> list[tuple[str, float, dict[str, float]]]:
        """The collections mongod spent most time on: each with its time (ms) and its
        operations per request, most time first."""
        ranked = sorted(self.used_top.items(), key=lambda item: (-item[1]["time"], item[0]))
        n = max(requests, 1)
        return [
            (
                name,
                used["time"] / 1000 / n,
                {op: used[op] / n for op in OPERATIONS if used[op]},
            )
            for name, used in ranked[:most]
        ]
