"""Judging the suite's health from what each part answered, one part at a time.

Pure: the answers come in as values (``probes`` gathers them), the verdicts go out as values
(``health_words`` puts them in words), so every judgement is tested without a running suite.
Each part gets one of three verdicts: ``ok``; ``failing`` (it answered, and said or showed
what is wrong); ``unreachable`` (nothing could be learnt about it in time).

- A service's API: its ``/readyz`` (200 ok; 503 failing, naming the checks that failed; no
  answer: unreachable).
- A service's worker: whether anyone consumes its queue, as the broker says. Every service
  reports every consuming queue, so the first service that could read the broker speaks for
  all three workers.
- A service's outbox: its events waiting for the broker; failing when the oldest has waited
  longer than the alert rule allows (``PantauOutboxStale``).
- A service's parked messages: failing while any wait for an operator.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

Verdict = Literal["ok", "failing", "unreachable"]
OK: Final = "ok"
FAILING: Final = "failing"
UNREACHABLE: Final = "unreachable"
SERVICES: Final = ("intake", "triage", "notify")
# As the PantauOutboxStale alert: an event two minutes old means the relay is not publishing.
STALE_OUTBOX_S: Final = 120.0
_RANK: Final = {OK: 0, UNREACHABLE: 1, FAILING: 2}


@dataclass(frozen=True)
class Answer:
    """What one call gave: its status and JSON body, or why there was none."""

    status: int | None = None
    body: Mapping[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def answered(self) -> bool:
        return self.status is not None


@dataclass(frozen=True)
class Issue:
    """One thing wrong, by code, with what the words need (a check's name, a count)."""

    code: str
    service: str
    value: Any = None


@dataclass(frozen=True)
class Row:
    """One part of a service and its verdict."""

    part: str
    verdict: Verdict
    issues: tuple[Issue, ...] = ()
    facts: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ServiceHealth:
    """A service (or the console) and its parts."""

    service: str
    rows: tuple[Row, ...]

    @property
    def verdict(self) -> Verdict:
        return worst(row.verdict for row in self.rows)


@dataclass(frozen=True)
class Health:
    """The whole suite, as judged just now."""

    services: tuple[ServiceHealth, ...]

    @property
    def verdict(self) -> Verdict:
        return worst(s.verdict for s in self.services)

    @property
    def issues(self) -> list[tuple[ServiceHealth, Row, Issue]]:
        """Everything wrong, in page order, with the part it belongs to."""
        return [(s, row, issue) for s in self.services for row in s.rows for issue in row.issues]


def worst(verdicts: Iterable[Verdict]) -> Verdict:
    """The most serious verdict (a failure outranks a part that could not be asked)."""
    found: Verdict = OK
    for verdict in verdicts:
        if _RANK[verdict] > _RANK[found]:
            found = verdict
    return found


def assess(
    console_database: bool,
    readiness: Mapping[str, Answer],
    pipelines: Mapping[str, Answer],
) -> Health:
    """The suite's health from the console's own database check, each service's ``/readyz``
    and each service's pipeline answer."""
    queues = _queues(pipelines)
    console = ServiceHealth(
        "console",
        (
            Row("database", OK)
            if console_database
            else Row("database", FAILING, (Issue("check_failing", "console", "mongodb"),)),
        ),
    )
    services = [
        ServiceHealth(
            service,
            (
                api_row(service, readiness.get(service, Answer(error="not_asked"))),
                worker_row(service, queues),
                outbox_row(service, pipelines.get(service, Answer(error="not_asked"))),
                parked_row(service, queues),
            ),
        )
        for service in SERVICES
    ]
    return Health((console, *services))


def api_row(service: str, answer: Answer) -> Row:
    """A service's API from its ``/readyz``."""
    if not answer.answered:
        return Row("api", UNREACHABLE, (Issue("unreachable", service, answer.error),))
    checks = answer.body.get("checks")
    checks = checks if isinstance(checks, Mapping) else {}
    if answer.status == 200:
        return Row("api", OK, facts={"checks": sorted(checks)})
    failing = sorted(name for name, state in checks.items() if state != "ok")
    if not failing:
        return Row("api", FAILING, (Issue("answered", service, answer.status),))
    return Row("api", FAILING, tuple(Issue("check_failing", service, name) for name in failing))


def worker_row(service: str, queues: Mapping[str, Mapping[str, Any]] | None) -> Row:
    """A service's worker from its queue: attached consumers, messages waiting."""
    if queues is None:
        return Row("worker", UNREACHABLE, (Issue("queues_unknown", service),))
    main = queues.get(f"pantau.{service}")
    if main is None or not main.get("declared"):
        return Row("worker", FAILING, (Issue("queue_missing", service),))
    retrying = sum(
        int(q.get("messages") or 0)
        for q in queues.values()
        if q.get("service") == service and q.get("kind") == "retry"
    )
    facts = {
        "consumers": int(main.get("consumers") or 0),
        "waiting": int(main.get("messages") or 0),
        "retrying": retrying,
    }
    if facts["consumers"] == 0:
        return Row("worker", FAILING, (Issue("no_consumers", service, facts["waiting"]),), facts)
    return Row("worker", OK, facts=facts)


def outbox_row(service: str, answer: Answer) -> Row:
    """A service's events not yet handed to the broker, from its pipeline answer."""
    if not answer.answered:
        return Row("outbox", UNREACHABLE, (Issue("unreachable", service, answer.error),))
    if answer.status == 404:
        # A service from before the pipeline endpoint: it cannot tell, and that is all.
        return Row("outbox", UNREACHABLE, (Issue("not_offered", service),))
    if answer.status != 200:
        return Row("outbox", UNREACHABLE, (Issue("answered", service, answer.status),))
    outbox = answer.body.get("outbox")
    if not isinstance(outbox, Mapping):
        return Row("outbox", UNREACHABLE, (Issue("outbox_unknown", service),))
    backlog = int(outbox.get("backlog") or 0)
    age = outbox.get("oldest_age_seconds")
    facts = {"backlog": backlog, "oldest_age_seconds": age}
    if isinstance(age, int | float) and age >= STALE_OUTBOX_S:
        minutes = int(age // 60)
        return Row("outbox", FAILING, (Issue("outbox_stale", service, minutes),), facts)
    return Row("outbox", OK, facts=facts)


def parked_row(service: str, queues: Mapping[str, Mapping[str, Any]] | None) -> Row:
    """A service's parking queue: messages waiting for an operator."""
    if queues is None:
        return Row("parked", UNREACHABLE, (Issue("queues_unknown", service),))
    parking = queues.get(f"pantau.{service}.parking")
    count = int((parking or {}).get("messages") or 0)
    if count:
        return Row("parked", FAILING, (Issue("parked", service, count),), {"parked": count})
    return Row("parked", OK, facts={"parked": 0})


def _queues(pipelines: Mapping[str, Answer]) -> dict[str, Mapping[str, Any]] | None:
    """Every queue by name, from the first service that could read the broker."""
    for service in SERVICES:
        answer = pipelines.get(service)
        if answer is None or answer.status != 200:
            continue
        queues = answer.body.get("queues")
        if isinstance(queues, list):
            return {str(q.get("name")): q for q in queues if isinstance(q, Mapping)}
    return None
