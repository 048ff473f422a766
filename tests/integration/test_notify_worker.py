"""The notify handler behind real consumers on the real broker: redelivery, two workers,
retries through the broker's retry path, fallback, parking, bursts and quiet hours."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pika
import pytest
from prometheus_client import REGISTRY

from services.cli.infra import free_port
from services.cli.mailbox import MailSink
from services.notify.delivery import NotifyDeps, handle
from services.notify.digest import digest_loop
from services.notify.handlers import event_handlers
from services.notify.ledger import notification_key
from shared.broker.consumer import Consumer
from shared.broker.parking import ParkingQueue
from shared.contracts import Envelope, encode
from shared.settings import Settings
from tests.integration.test_notify_delivery import (
    Clock,
    assigned,
    at,
    escalated,
    ledger,
    notify_deps_for,
    officer,
    outbox_events,
    with_gateway,
)
from tests.support.broker import channel, consumer_stacks, depth, running
from tests.support.builders import plain_text
from tests.support.sms_gateway import SmsGateway
from tests.support.waiting import eventually


@pytest.fixture
def sms_gateway() -> Iterator[SmsGateway]:
    gateway = SmsGateway().start()
    yield gateway
    gateway.stop()


QUEUES = ("pantau.notify", "pantau.notify.retry.200ms", "pantau.notify.retry.400ms")


def publish(settings: Settings, envelopes: Sequence[Envelope]) -> None:
    """Publish as the outbox relay does (persistent, message id = envelope id, confirmed,
    mandatory: an event no queue takes fails here rather than in a wait), on one channel."""
    connection, ch = channel(settings)
    for envelope in envelopes:
        ch.basic_publish(
            exchange=settings.exchange,
            routing_key=envelope.type,
            body=encode(envelope),
            mandatory=True,
            properties=pika.BasicProperties(
                delivery_mode=2, message_id=str(envelope.id), content_type="application/json"
            ),
        )
    connection.close()


def consumer(settings: Settings, nd: NotifyDeps) -> Consumer:
    return Consumer(settings, "notify", event_handlers(nd))


@contextmanager
def digest_loops(nd: NotifyDeps, count: int = 1) -> Iterator[None]:
    stop = threading.Event()
    threads = [
        threading.Thread(target=digest_loop(nd, 0.2), args=(stop,), daemon=True)
        for _ in range(count)
    ]
    for t in threads:
        t.start()
    try:
        yield
    finally:
        stop.set()
        for t in threads:
            t.join(10)


def settled(settings: Settings) -> bool:
    return all(depth(settings, q) == 0 for q in QUEUES)


def keys_of(mails: Sequence[Any]) -> Counter[str]:
    return Counter(str(m["X-Pantau-Notification"]) for m in mails)


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


# --- exactly once under redelivery, two workers and a restart ----------------------------------


def test_one_alert_per_key_with_redelivery_two_workers_and_a_restart(
    settings: Settings, mail_sink: MailSink
) -> None:
    nd = notify_deps_for(settings.model_copy(update={"smtp_port": mail_sink.port}))
    events = [
        assigned(
            officer(officer_id=f"karo-officer-{i % 5}"), case_id=f"case-{i:04d}", code=f"C-{i}"
        )[0]
        for i in range(40)
    ]
    first, second, third = consumer(settings, nd), consumer(settings, nd), consumer(settings, nd)
    with running(second):
        with running(first):
            # Every event arrives twice, as after a publisher retry or a broker redelivery.
            publish(settings, [e for e in events for _ in range(2)])
            eventually(lambda: len(mail_sink.messages) >= 10, timeout=30)
        # ``first`` stopped mid-stream: its unacknowledged messages go to the others.
        with running(third):
            eventually(lambda: len(keys_of(mail_sink.messages)) == 40, timeout=60)
            eventually(lambda: settled(settings), timeout=30)
    per_key = keys_of(mail_sink.messages)
    assert len(per_key) == 40
    assert set(per_key.values()) == {1}, per_key.most_common(3)
    docs = ledger()
    assert len(docs) == 40
    assert all(d["status"] == "sent" for d in docs)
    assert all([a["result"] for a in d["attempts"]] == ["sent"] for d in docs)
    assert depth(settings, "pantau.notify.parking") == 0


# --- retries through the broker ----------------------------------------------------------------


def test_rate_limited_and_garbled_sms_is_retried_until_the_gateway_accepts(
    settings: Settings, mail_sink: MailSink, sms_gateway: SmsGateway
) -> None:
    configured = with_gateway(settings, sms_gateway, smtp_port=mail_sink.port)
    nd = notify_deps_for(configured)
    sms_gateway.script = ["rate_limit", "garbage"]
    envelope, event = assigned(officer(phone="081260000002"), priority="high")
    with running(consumer(configured, nd)):
        publish(configured, [envelope])
        eventually(lambda: sms_gateway.accepted(), timeout=20)
        eventually(lambda: settled(configured), timeout=60)
    assert [r.mode for r in sms_gateway.received] == ["rate_limit", "garbage", "success"]
    key = notification_key(event.case_id, str(envelope.id), "karo-bkpsdm-1", "sms")
    [doc] = ledger(key)
    assert [a["result"] for a in doc["attempts"]] == ["retry", "retry", "sent"]
    assert [a["attempt"] for a in doc["attempts"]] == [1, 2, 3]
    assert "429" in doc["attempts"][0]["error"]
    assert "unreadable answer" in doc["attempts"][1]["error"]
    # The e-mail went out on the first attempt and was not sent again by the retries.
    assert len(mail_sink.messages) == 1


def test_rejected_number_is_not_retried(
    settings: Settings, mail_sink: MailSink, sms_gateway: SmsGateway
) -> None:
    configured = with_gateway(settings, sms_gateway, smtp_port=mail_sink.port)
    nd = notify_deps_for(configured)
    sms_gateway.mode = "permanent"
    envelope, event = assigned(officer(phone="081260000002"), priority="high")
    key = notification_key(event.case_id, str(envelope.id), "karo-bkpsdm-1", "sms")
    with running(consumer(configured, nd)):
        publish(configured, [envelope])
        eventually(lambda: ledger(key) and ledger(key)[0]["status"] == "failed", timeout=60)
        eventually(lambda: settled(configured), timeout=60)
    assert len(sms_gateway.received) == 1
    assert depth(configured, "pantau.notify.parking") == 0
    [doc] = ledger(key)
    [failed] = outbox_events(doc)
    assert failed.TYPE == "notification.failed"
    assert failed.final
    assert "invalid destination number" in failed.error


# --- fallback, parking and replay ---------------------------------------------------------------


def test_urgent_alert_falls_back_to_sms_when_mail_stays_down_then_replay_sends_the_mail(
    settings: Settings, sms_gateway: SmsGateway
) -> None:
    smtp_port = free_port()  # no mail server for now
    configured = with_gateway(settings, sms_gateway, smtp_port=smtp_port, smtp_timeout_s=1.0)
    nd = notify_deps_for(configured)
    # The officer does not want SMS at all; an escalation must reach them anyway.
    nd.recipients.insert_one(
        {
            "_id": "karo-bkpsdm-1",
            "name": "Joni",
            "preferences": {"channels": {"sms": {"enabled": False}}},
        }
    )
    envelope, event = escalated(officer(phone="081260000002"), priority="high")
    before = metric(
        "pantau_notification_fallbacks_total", from_channel="email", to_channel="sms", result="sent"
    )
    with running(consumer(configured, nd)):
        publish(configured, [envelope])
        eventually(lambda: depth(configured, "pantau.notify.parking") == 1, timeout=20)
    email_key = notification_key(event.case_id, str(envelope.id), "karo-bkpsdm-1", "email")
    sms_key = notification_key(event.case_id, str(envelope.id), "karo-bkpsdm-1", "sms")
    [mail_doc] = ledger(email_key)
    assert [a["result"] for a in mail_doc["attempts"]] == ["retry", "retry", "parked"]
    assert mail_doc["status"] == "parked"
    assert [e.TYPE for e in outbox_events(mail_doc)] == ["notification.failed"]
    [sms_doc] = ledger(sms_key)
    assert sms_doc["status"] == "sent"
    assert sms_doc["fallback_for"] == "email"
    assert len(sms_gateway.accepted()) == 1
    assert (
        metric(
            "pantau_notification_fallbacks_total",
            from_channel="email",
            to_channel="sms",
            result="sent",
        )
        == before + 1
    )
    # The operator sees the parked alert, brings mail back and replays it.
    parking = ParkingQueue(configured, "notify")
    [parked] = parking.browse()
    assert parked.id == str(envelope.id)
    assert parked.case_id == event.case_id
    assert parked.reason.startswith("attempts exhausted")
    assert parked.attempts == 3
    sink = MailSink("127.0.0.1", smtp_port)
    sink.start()
    try:
        with running(consumer(configured, nd)):
            assert len(parking.replay([str(envelope.id)], "operator test")) == 1
            eventually(lambda: sink.messages, timeout=60)
            eventually(lambda: settled(configured), timeout=60)
        assert len(sink.messages) == 1
    finally:
        sink.stop()
    assert len(sms_gateway.accepted()) == 1  # the fallback SMS was not sent again
    assert depth(configured, "pantau.notify.parking") == 0
    [mail_doc] = ledger(email_key)
    assert [a["result"] for a in mail_doc["attempts"]] == ["retry", "retry", "parked", "sent"]


def test_urgent_alert_to_a_bad_address_falls_back_at_once(
    settings: Settings, mail_sink: MailSink, sms_gateway: SmsGateway
) -> None:
    configured = with_gateway(settings, sms_gateway, smtp_port=mail_sink.port)
    nd = notify_deps_for(configured)
    nd.recipients.insert_one(
        {
            "_id": "karo-bkpsdm-1",
            "name": "Joni",
            "preferences": {"channels": {"sms": {"enabled": False}}},
        }
    )
    mail_sink_refuses = officer(email="joni@@karo", phone="081260000002")
    envelope, _ = assigned(mail_sink_refuses, priority="urgent")
    with running(consumer(configured, nd)):
        publish(configured, [envelope, envelope])
        eventually(lambda: sms_gateway.accepted(), timeout=60)
        eventually(lambda: settled(configured), timeout=60)
    assert len(sms_gateway.accepted()) == 1
    assert depth(configured, "pantau.notify.parking") == 0
    assert {d["channel"]: d["status"] for d in ledger()} == {"email": "failed", "sms": "sent"}


# --- bad input: the worker goes on -------------------------------------------------------------


def test_bad_events_are_recorded_or_parked_and_the_worker_goes_on(
    settings: Settings, mail_sink: MailSink, sms_gateway: SmsGateway
) -> None:
    configured = with_gateway(settings, sms_gateway, smtp_port=mail_sink.port)
    nd = notify_deps_for(configured)
    no_case, _ = assigned(case_id="")
    nobody, _ = assigned(officer(officer_id="ghost", email=None, phone=None), case_id="c-ghost")
    bad_phone, _ = assigned(
        officer(email=None, phone="0215551234"), case_id="c-phone", priority="high"
    )
    good, _ = assigned(case_id="c-good")
    before = metric("pantau_notifications_total", channel="none", result="unreachable")
    with running(consumer(configured, nd)) as worker:
        publish(configured, [no_case, nobody, bad_phone, good])
        eventually(lambda: mail_sink.messages, timeout=60)
        eventually(lambda: settled(configured), timeout=60)
        assert worker.connected.is_set()
    assert len(mail_sink.messages) == 1
    assert "c-good" in plain_text(mail_sink.messages[0])
    [parked] = ParkingQueue(configured, "notify").browse()
    assert parked.id == str(no_case.id)
    assert "no case" in parked.reason
    by_case = {d["case_id"]: d for d in ledger()}
    assert by_case["c-ghost"]["status"] == "failed"
    assert by_case["c-ghost"]["reason"] == "officer has no address on any wanted channel"
    assert by_case["c-phone"]["status"] == "failed"
    assert "invalid phone number" in by_case["c-phone"]["attempts"][0]["error"]
    assert sms_gateway.received == []
    assert metric("pantau_notifications_total", channel="none", result="unreachable") == before + 1


# --- a burst becomes a digest ------------------------------------------------------------------


def test_burst_of_300_cases_becomes_a_few_alerts_and_one_digest_per_channel(
    settings: Settings, mail_sink: MailSink, sms_gateway: SmsGateway
) -> None:
    configured = with_gateway(
        settings,
        sms_gateway,
        smtp_port=mail_sink.port,
        notify_rate_limit=5,
        notify_rate_window_s=600,
    )
    clock = Clock(at(3, 1))  # 10:01 WIB
    nd = notify_deps_for(configured, clock=clock)
    nd.recipients.insert_one(
        {
            "_id": "karo-kominfo-1",
            "name": "Rina",
            "preferences": {"channels": {"sms": {"min_priority": "normal"}}},
        }
    )
    # Her own address: the sink counts only what was sent to her, whatever else reaches it.
    rina = officer(
        officer_id="karo-kominfo-1", email="rina.burst@karo.example", phone="081260000001"
    )

    def rinas_mail() -> list[Any]:
        return [m for m in mail_sink.messages if m["To"] == "rina.burst@karo.example"]

    burst = [
        assigned(rina, case_id=f"mon-{i:03d}", code=f"MON-{i:03d}", priority="normal")[0]
        for i in range(300)
    ]
    with running(consumer(configured, nd)), running(consumer(configured, nd)), digest_loops(nd, 2):
        publish(configured, burst)
        eventually(lambda: len(ledger()) == 600, timeout=60)
        eventually(lambda: settled(configured), timeout=30)
        assert len(rinas_mail()) == 5
        assert len(sms_gateway.accepted()) == 5
        assert sum(1 for d in ledger() if d["status"] == "held") == 590
        # The rate-limit window closes: the held alerts go out as one digest per channel.
        clock.set(at(3, 10, 1))
        eventually(lambda: len(rinas_mail()) == 6 and len(sms_gateway.accepted()) == 6)
        eventually(lambda: not any(d["status"] in ("held", "digested") for d in ledger()))
    digest_mail = rinas_mail()[-1]
    assert "295" in digest_mail["Subject"]
    text = plain_text(digest_mail)
    assert sum(1 for i in range(300) if f"MON-{i:03d} |" in text) == 100  # listed, rest counted
    assert "dan 195 lainnya" in text
    digest_sms = sms_gateway.accepted()[-1].fields["text"]
    assert digest_sms.startswith("Ringkasan Pantau: 295 pemberitahuan")
    assert len(digest_sms) <= 160
    digests = [d for d in ledger() if d.get("kind") == "digest"]
    assert sorted(d["channel"] for d in digests) == ["email", "sms"]
    assert all(d["status"] == "sent" and len(d["items"]) == 295 for d in digests)
    # Every case of the burst hears that its officer was told, on both channels.
    told = Counter(
        e.case_id for d in ledger() for e in outbox_events(d) if e.TYPE == "notification.sent"
    )
    assert set(told.values()) == {2}
    assert len(told) == 300


# --- quiet hours -------------------------------------------------------------------------------


CASES = {"low-0", "low-1", "low-2", "urgent-1", "breach-1"}


def own() -> list[dict[str, Any]]:
    return [d for d in ledger() if d.get("case_id") in CASES]


def ledger_summary() -> list[tuple[Any, ...]]:
    return [
        (d.get("case_id"), d.get("channel"), d.get("status"), len(d.get("attempts", [])))
        for d in ledger()
    ]


def test_quiet_hours_hold_low_priority_alerts_and_let_urgent_ones_through(
    settings: Settings, mail_sink: MailSink, sms_gateway: SmsGateway
) -> None:
    configured = with_gateway(settings, sms_gateway, smtp_port=mail_sink.port)
    clock = Clock(at(15, 0))  # 23:00 WITA
    nd = notify_deps_for(configured, clock=clock)
    nd.recipients.insert_one(
        {
            "_id": "kukar-insp-1",
            "name": "Andi",
            "preferences": {"quiet_hours": {"start": "21:00", "end": "06:00"}},
        }
    )
    andi = officer(officer_id="kukar-insp-1", phone="081260000009", timezone="Asia/Makassar")
    low = [
        assigned(andi, case_id=f"low-{i}", code=f"LOW-{i}", priority="low", tenant="64.02")[0]
        for i in range(3)
    ]
    urgent, _ = assigned(andi, case_id="urgent-1", code="URG-1", priority="urgent", tenant="64.02")
    breach, _ = escalated(andi, case_id="breach-1", priority="normal", tenant="64.02")
    with running(consumer(configured, nd)), digest_loops(nd):
        publish(configured, [*low, urgent, breach])
        # 3 held + 2 x (mail, SMS); counted over this test's cases only, and described in full
        # if it ever fails, so that a stray write from elsewhere cannot hide or fake progress.
        eventually(
            lambda: len(own()) == 7,
            timeout=60,
            describe=lambda: (
                ledger_summary(),
                mail_sink.messages and [m["To"] for m in mail_sink.messages],
                [r.mode for r in sms_gateway.received],
                {q: depth(configured, q) for q in QUEUES},  # waiting in the broker, or taken
                consumer_stacks(),
            ),
        )
        eventually(
            lambda: settled(configured),
            timeout=60,
            describe=lambda: {q: depth(configured, q) for q in QUEUES},
        )
        codes = [plain_text(m) for m in mail_sink.messages]
        assert len(codes) == 2
        assert any("URG-1" in c for c in codes)
        assert any("breach-1" in c for c in codes)
        assert len(sms_gateway.accepted()) == 2
        held = [d for d in own() if d["status"] == "held"]
        assert sorted(d["case_id"] for d in held) == ["low-0", "low-1", "low-2"]
        assert {d["release_at"] for d in held} == {at(22, 0)}
        clock.set(at(21, 59))  # 05:59 WITA: still quiet
        time.sleep(1.0)  # five rounds of the digest loop: none may send before the end
        assert len(mail_sink.messages) == 2
        clock.set(at(22, 0, 5))  # 06:00 WITA
        eventually(lambda: len(mail_sink.messages) == 3, timeout=60)
    digest_mail = mail_sink.messages[-1]
    assert "jam tenang" in digest_mail["Subject"]
    text = plain_text(digest_mail)
    assert all(f"LOW-{i}" in text for i in range(3))
    assert len(sms_gateway.accepted()) == 2  # low priority never wanted SMS
    assert all(d["status"] == "sent" for d in own())


def test_two_workers_flushing_together_send_each_digest_once(
    settings: Settings, mail_sink: MailSink
) -> None:
    configured = settings.model_copy(
        update={"smtp_port": mail_sink.port, "notify_rate_limit": 1, "notify_rate_window_s": 60}
    )
    clock = Clock(at(3, 0, 10))
    nd = notify_deps_for(configured, clock=clock)
    for i in range(4):
        envelope, event = assigned(case_id=f"c-{i}", priority="low")
        handle(envelope, event, nd)
    assert len(mail_sink.messages) == 1
    clock.set(clock() + timedelta(minutes=1))
    with digest_loops(nd, 2):
        eventually(lambda: len(mail_sink.messages) == 2, timeout=60)
        eventually(lambda: all(d["status"] == "sent" for d in ledger()), timeout=60)
    assert len(keys_of(mail_sink.messages)) == 2
