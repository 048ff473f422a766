"""The consumer on the real broker: poison messages, retries, exhaustion, forced disconnects,
batches."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Sequence

import pytest

from services.cli.infra import rabbitmqctl
from shared.broker.consumer import PARK_REASON_HEADER, Batch, Consumer, PermanentError
from shared.contracts import (
    CaseStatusChanged,
    Envelope,
    Event,
    encode,
    new_envelope,
)
from shared.settings import Settings
from tests.support.broker import depth, drain, publish_raw, running
from tests.support.waiting import eventually
from tests.unit.triage.builders import envelope_of, submitted


def _status_event(case_id: str = "c1") -> bytes:
    event = CaseStatusChanged(
        case_id=case_id, from_status="received", to_status="verified", actor="x"
    )
    return encode(new_envelope(event, tenant="12.06", correlation_id="corr-1"))


def test_poison_messages_are_parked_and_the_worker_keeps_going(settings: Settings) -> None:
    seen: list[str] = []

    def handler(envelope: Envelope, event: Event) -> None:
        seen.append(event.case_id)  # type: ignore[attr-defined]

    consumer = Consumer(settings, "triage", {"case.status_changed": handler})
    with running(consumer):
        publish_raw(settings, "case.status_changed", b"\x00\xffnot json at all")
        publish_raw(settings, "case.status_changed", b'{"id": "not-a-uuid"}')
        unknown = new_envelope(
            CaseStatusChanged(case_id="c", from_status="a", to_status="b", actor="x"),
            tenant="12.06",
            correlation_id="c",
        ).model_copy(update={"type": "case.exploded"})
        publish_raw(settings, "case.status_changed", encode(unknown))
        publish_raw(settings, "case.status_changed", _status_event("after-poison"))
        eventually(lambda: seen == ["after-poison"], timeout=15)
        eventually(lambda: depth(settings, "pantau.triage.parking") == 3, timeout=15)
    parked = drain(settings, "pantau.triage.parking")
    reasons = [props.headers[PARK_REASON_HEADER] for props, _ in parked]
    assert any("not JSON" in r for r in reasons)
    assert any("invalid envelope" in r for r in reasons)
    assert any("unknown event type 'case.exploded'" in r for r in reasons)
    assert depth(settings, "pantau.triage") == 0


def test_passing_failure_is_retried_after_a_delay(settings: Settings) -> None:
    attempts: list[float] = []

    def flaky(envelope: Envelope, event: Event) -> None:
        attempts.append(time.monotonic())
        if len(attempts) < 3:
            raise ConnectionError("database hiccup")

    consumer = Consumer(settings, "triage", {"case.status_changed": flaky})
    with running(consumer):
        publish_raw(settings, "case.status_changed", _status_event())
        eventually(lambda: len(attempts) == 3, timeout=20)
        time.sleep(0.5)
    assert len(attempts) == 3
    # The retry path waited out the queue TTLs (200 ms, then 400 ms) between attempts.
    assert attempts[1] - attempts[0] >= 0.15
    assert attempts[2] - attempts[1] >= 0.35
    assert depth(settings, "pantau.triage.parking") == 0


def test_exhausted_and_permanent_failures_are_parked_with_reason(settings: Settings) -> None:
    calls: Counter[str] = Counter()

    def failing(envelope: Envelope, event: Event) -> None:
        case_id = event.case_id  # type: ignore[attr-defined]
        calls[case_id] += 1
        if case_id == "permanent":
            raise PermanentError("case belongs to no known tenant")
        raise RuntimeError("always broken")

    consumer = Consumer(settings, "triage", {"case.status_changed": failing})
    with running(consumer):
        publish_raw(settings, "case.status_changed", _status_event("permanent"))
        publish_raw(settings, "case.status_changed", _status_event("exhausted"))
        eventually(lambda: depth(settings, "pantau.triage.parking") == 2, timeout=20)
    assert calls["permanent"] == 1
    assert calls["exhausted"] == settings.max_attempts
    reasons = sorted(
        p.headers[PARK_REASON_HEADER] for p, _ in drain(settings, "pantau.triage.parking")
    )
    assert reasons[0].startswith("attempts exhausted")
    assert reasons[1].startswith("permanent: case belongs")


def test_consumer_reconnects_after_connections_are_forced_closed(settings: Settings) -> None:
    seen: list[str] = []
    lock = threading.Lock()

    def handler(envelope: Envelope, event: Event) -> None:
        with lock:
            seen.append(event.case_id)  # type: ignore[attr-defined]

    vhost = settings.amqp_url.rsplit("/", 1)[1].split("?")[0]
    consumer = Consumer(settings, "triage", {"case.status_changed": handler})
    with running(consumer):
        publish_raw(settings, "case.status_changed", _status_event("before"))
        eventually(lambda: "before" in seen, timeout=10)
        rabbitmqctl("close_all_connections", "--vhost", vhost, "test: broker maintenance")
        eventually(lambda: not consumer.connected.is_set(), timeout=10)
        publish_raw(settings, "case.status_changed", _status_event("after"))
        eventually(lambda: "after" in seen, timeout=30)
    assert seen.count("before") == 1


def test_batched_deliveries_are_handled_together_in_order_and_settled_one_by_one(
    settings: Settings,
) -> None:
    """Deliveries of batched types that the broker hands over together go to the batch
    handler in one call; a delivery handled one by one in between is handled after what came
    before it; each batched delivery is acknowledged, parked or retried on its own outcome."""
    handled: list[list[str]] = []
    failed_once: set[str] = set()

    def batch(items: Sequence[tuple[Envelope, Event]]) -> list[Exception | None]:
        ids = [event.case_id for _, event in items]  # type: ignore[attr-defined]
        handled.append(ids)
        errors: list[Exception | None] = []
        for case_id in ids:
            if case_id == "permanent":
                errors.append(PermanentError("no such case"))
            elif case_id == "flaky" and case_id not in failed_once:
                failed_once.add(case_id)
                errors.append(ConnectionError("database hiccup"))
            else:
                errors.append(None)
        return errors

    def single(envelope: Envelope, event: Event) -> None:
        handled.append([f"single:{event.case_id}"])  # type: ignore[attr-defined]

    depth(settings, "pantau.triage")  # the queue exists before anything is published
    order = [f"b{n}" for n in range(8)] + ["permanent", "flaky"]
    for case_id in order[:5]:
        publish_raw(settings, "case.status_changed", _status_event(case_id))
    publish_raw(settings, "case.submitted", encode(envelope_of(submitted(case_id="middle"))))
    for case_id in order[5:]:
        publish_raw(settings, "case.status_changed", _status_event(case_id))

    consumer = Consumer(
        settings,
        "triage",
        {"case.submitted": single},
        batch=Batch(frozenset({"case.status_changed"}), batch),
    )
    with running(consumer):
        eventually(lambda: sum(ids.count("flaky") for ids in handled) == 2, timeout=20)
        eventually(lambda: depth(settings, "pantau.triage.parking") == 1, timeout=10)
    flat = [case_id for ids in handled for case_id in ids]
    # Everything in the order it was published; the flaky one once more at the end.
    assert flat == [*order[:5], "single:middle", *order[5:], "flaky"]
    assert max(len(ids) for ids in handled) > 1, "the broker's burst was handled one by one"
    assert depth(settings, "pantau.triage") == 0
    [(properties, _)] = drain(settings, "pantau.triage.parking")
    assert properties.headers[PARK_REASON_HEADER] == "permanent: no such case"


def test_a_type_cannot_be_both_batched_and_handled_alone(settings: Settings) -> None:
    def single(envelope: Envelope, event: Event) -> None:
        return None

    with pytest.raises(ValueError, match="both batched"):
        Consumer(
            settings,
            "triage",
            {"case.status_changed": single},
            batch=Batch(frozenset({"case.status_changed"}), lambda items: [None] * len(items)),
        )
