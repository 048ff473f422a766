"""The consumer on the real broker: poison messages, retries, exhaustion, forced disconnects."""

from __future__ import annotations

import threading
import time
from collections import Counter

from services.cli.infra import rabbitmqctl
from shared.broker.consumer import PARK_REASON_HEADER, Consumer, PermanentError
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
