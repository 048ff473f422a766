"""Judging the suite's health from the parts' answers: each part on its own, three verdicts."""

from __future__ import annotations

from typing import Any

from services.console.operate.health import (
    SERVICES,
    STALE_OUTBOX_S,
    Answer,
    Health,
    assess,
    worst,
)

READY = Answer(200, {"status": "ready", "checks": {"mongodb": "ok", "rabbitmq": "ok"}})


def queue(
    name: str, service: str, kind: str, messages: int = 0, consumers: int = 0
) -> dict[str, Any]:
    return {
        "name": name,
        "service": service,
        "kind": kind,
        "declared": True,
        "messages": messages,
        "consumers": consumers,
    }


def queues(**overrides: dict[str, Any]) -> list[dict[str, Any]]:
    found = {}
    for s in SERVICES:
        found[f"pantau.{s}"] = queue(f"pantau.{s}", s, "main", consumers=1)
        found[f"pantau.{s}.retry.1000ms"] = queue(f"pantau.{s}.retry.1000ms", s, "retry")
        found[f"pantau.{s}.parking"] = queue(f"pantau.{s}.parking", s, "parking")
    for name, changes in overrides.items():
        found[name.replace("__", ".")] = {**found[name.replace("__", ".")], **changes}
    return list(found.values())


def pipeline(service: str, backlog: int = 0, age: float | None = None, **over: Any) -> Answer:
    body: dict[str, Any] = {
        "service": service,
        "checked_at": "2024-11-20T02:00:00+00:00",
        "outbox": {"backlog": backlog, "oldest_age_seconds": age},
        "queues": queues(**over),
    }
    return Answer(200, body)


def healthy(**changes: Any) -> dict[str, Any]:
    readiness = {s: READY for s in SERVICES}
    pipelines = {s: pipeline(s) for s in SERVICES}
    readiness.update(changes.pop("readiness", {}))
    pipelines.update(changes.pop("pipelines", {}))
    return {
        "console_database": changes.pop("console_database", True),
        "readiness": readiness,
        "pipelines": pipelines,
    }


def verdicts(health: Health) -> dict[tuple[str, str], str]:
    return {(s.service, row.part): row.verdict for s in health.services for row in s.rows}


def codes(health: Health) -> list[tuple[str, str, Any]]:
    return [(i.service, i.code, i.value) for _, _, i in health.issues]


def test_a_healthy_suite_is_ok_everywhere() -> None:
    health = assess(**healthy())
    assert health.verdict == "ok"
    assert set(verdicts(health).values()) == {"ok"}
    assert codes(health) == []
    worker = next(r for r in health.services[1].rows if r.part == "worker")
    assert worker.facts == {"consumers": 1, "waiting": 0, "retrying": 0}


def test_a_service_that_does_not_answer_is_unreachable_and_only_it() -> None:
    health = assess(
        **healthy(
            readiness={"notify": Answer(error="unreachable")},
            pipelines={"notify": Answer(error="unreachable")},
        )
    )
    found = verdicts(health)
    assert found[("notify", "api")] == "unreachable"
    assert found[("notify", "outbox")] == "unreachable"
    # Its worker and parking queue are still known from the others' answers.
    assert found[("notify", "worker")] == "ok"
    assert found[("notify", "parked")] == "ok"
    assert {v for (s, _), v in found.items() if s != "notify"} == {"ok"}
    assert health.verdict == "unreachable"
    assert ("notify", "unreachable", "unreachable") in codes(health)


def test_a_failing_readiness_check_is_named() -> None:
    broken = Answer(
        503, {"status": "unavailable", "checks": {"mongodb": "failing", "rabbitmq": "ok"}}
    )
    health = assess(**healthy(readiness={"triage": broken}))
    assert verdicts(health)[("triage", "api")] == "failing"
    assert codes(health) == [("triage", "check_failing", "mongodb")]
    odd = assess(**healthy(readiness={"triage": Answer(500, {})}))
    assert codes(odd) == [("triage", "answered", 500)]


def test_a_queue_nobody_consumes_means_its_worker_is_not_running() -> None:
    health = assess(
        **healthy(
            pipelines={
                s: pipeline(s, pantau__triage={"consumers": 0, "messages": 7}) for s in SERVICES
            }
        )
    )
    assert verdicts(health)[("triage", "worker")] == "failing"
    assert codes(health) == [("triage", "no_consumers", 7)]
    assert verdicts(health)[("intake", "worker")] == "ok"


def test_a_missing_queue_and_an_unreadable_broker() -> None:
    missing = {"declared": False, "messages": None, "consumers": None}
    health = assess(**healthy(pipelines={s: pipeline(s, pantau__intake=missing) for s in SERVICES}))
    assert codes(health) == [("intake", "queue_missing", None)]

    blind = {s: Answer(200, {**pipeline(s).body, "queues": None}) for s in SERVICES}
    health = assess(**healthy(pipelines=blind))
    found = verdicts(health)
    assert {found[(s, "worker")] for s in SERVICES} == {"unreachable"}
    assert {found[(s, "parked")] for s in SERVICES} == {"unreachable"}
    assert {found[(s, "outbox")] for s in SERVICES} == {"ok"}


def test_queues_come_from_the_first_service_that_read_the_broker() -> None:
    pipelines = {
        "intake": Answer(error="timeout"),
        "triage": Answer(200, {**pipeline("triage").body, "queues": None}),
        "notify": pipeline("notify", pantau__notify__parking={"messages": 3}),
    }
    health = assess(**healthy(pipelines=pipelines))
    assert verdicts(health)[("notify", "parked")] == "failing"
    assert ("notify", "parked", 3) in codes(health)
    assert verdicts(health)[("intake", "worker")] == "ok"


def test_an_old_outbox_event_fails_the_outbox_and_a_fresh_backlog_does_not() -> None:
    fresh = assess(**healthy(pipelines={"intake": pipeline("intake", backlog=40, age=5.0)}))
    assert verdicts(fresh)[("intake", "outbox")] == "ok"
    stale = assess(
        **healthy(pipelines={"intake": pipeline("intake", backlog=40, age=STALE_OUTBOX_S + 61)})
    )
    assert verdicts(stale)[("intake", "outbox")] == "failing"
    assert codes(stale) == [("intake", "outbox_stale", 3)]


def test_a_service_without_the_pipeline_or_its_database_cannot_tell() -> None:
    old = assess(**healthy(pipelines={"triage": Answer(404, {})}))
    assert codes(old) == [("triage", "not_offered", None)]
    lost = Answer(200, {**pipeline("triage").body, "outbox": None})
    assert codes(assess(**healthy(pipelines={"triage": lost}))) == [
        ("triage", "outbox_unknown", None)
    ]


def test_the_console_judges_its_own_database() -> None:
    health = assess(**healthy(console_database=False))
    assert verdicts(health)[("console", "database")] == "failing"
    assert health.services[0].verdict == "failing"


def test_a_failure_outranks_a_part_that_could_not_be_asked() -> None:
    assert worst(["ok", "unreachable", "failing", "ok"]) == "failing"
    assert worst(["ok", "unreachable"]) == "unreachable"
    assert worst([]) == "ok"
