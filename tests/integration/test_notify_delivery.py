"""Notify's handler on the real database and a real SMTP server: once per key, and a ledger.

The builders and fixtures here are shared by the other notify integration tests.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from jinja2 import DictLoader

from services.cli.infra import free_port
from services.cli.mailbox import MailSink
from services.notify.bootstrap import bootstrap, deps, ensure_indexes
from services.notify.channels.base import Channel
from services.notify.delivery import DeliveryInProgress, NotifyDeps, handle
from services.notify.ledger import claim, notification_key
from services.notify.models import Delivery
from services.notify.recipients import Profile
from services.notify.rendering import PARTS, Renderer
from shared import ladder_steps
from shared.broker.consumer import PermanentError
from shared.contracts import (
    CaseAssigned,
    CaseEscalated,
    Envelope,
    Priority,
    Recipient,
    decode,
    new_envelope,
)
from shared.settings import Settings
from tests.support.builders import plain_text
from tests.support.concurrency import at_once
from tests.support.sms_gateway import SmsGateway

CASE_ID = "65f0c0ffee0000000000abcd"


def officer(
    officer_id: str = "karo-bkpsdm-1",
    email: str | None = "joni.sitepu@karo.example",
    phone: str | None = None,
    timezone: str = "Asia/Jakarta",
    language: str = "id",
) -> Recipient:
    return Recipient(
        officer_id=officer_id,
        name="Joni Sitepu",
        email=email,
        phone=phone,
        timezone=timezone,
        language=language,  # type: ignore[arg-type]
    )


def assigned(
    recipient: Recipient | None = None,
    *,
    case_id: str = CASE_ID,
    code: str = "K7QM-3XPA-9D2F-HT6W",
    priority: Priority = "high",
    tenant: str = "12.06",
) -> tuple[Envelope, CaseAssigned]:
    event = CaseAssigned(
        case_id=case_id,
        decision_id="d1",
        tracking_code=code,
        title="ASN membagikan unggahan paslon",
        category="MEDSOS",
        priority=priority,
        due_at=datetime(2024, 11, 29, 16, 59, tzinfo=UTC),
        unit="BKPSDM",
        assignee=recipient if recipient is not None else officer(),
    )
    return new_envelope(event, tenant=tenant, correlation_id="corr-42"), event


def escalated(
    recipient: Recipient | None = None,
    *,
    case_id: str = CASE_ID,
    priority: Priority = "high",
    step: str = "breach:supervisor",
    tenant: str = "12.06",
) -> tuple[Envelope, CaseEscalated]:
    event = CaseEscalated(
        case_id=case_id,
        step=step,
        title="Camat memakai mobil dinas untuk kampanye",
        category="FASILITAS",
        priority=priority,
        due_at=datetime(2024, 11, 29, 16, 59, tzinfo=UTC),
        recipient=recipient if recipient is not None else officer(),
        reason="Batas waktu terlewati",
    )
    return new_envelope(event, tenant=tenant, correlation_id="corr-43"), event


# Test clocks that run in the worker tests are set to this date of next year: rate-limit windows
# are stamped from the clock and expire through a MongoDB TTL index, and stamped in the past
# they could be deleted by the TTL monitor (every 60 s) in the middle of a test, admitting
# alerts the limit should have held.
AHEAD = datetime.now(UTC).year + 1


def at(hour: int, minute: int = 0, second: int = 0) -> datetime:
    """20 November of next year at this UTC time of day."""
    return datetime(AHEAD, 11, 20, hour, minute, second, tzinfo=UTC)


class Clock:
    """A clock the test moves; the code under test asks it for the time."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.lock = threading.Lock()

    def __call__(self) -> datetime:
        with self.lock:
            return self.now

    def set(self, now: datetime) -> None:
        with self.lock:
            self.now = now


def ledger(key: str | None = None) -> list[dict[str, Any]]:
    query = {"_id": key} if key else {}
    return list(Delivery._get_collection().find(query).sort("created_at", 1))


def outbox_events(doc: dict[str, Any]) -> list[Any]:
    return [decode(item["body"].encode())[1] for item in doc.get("outbox", [])]


def notify_deps_for(settings: Settings, **changes: Any) -> NotifyDeps:
    bootstrap(settings)
    ensure_indexes()
    built = deps(settings)
    return dataclasses.replace(built, **changes) if changes else built


@pytest.fixture
def sms_gateway() -> Iterator[SmsGateway]:
    gateway = SmsGateway().start()
    yield gateway
    gateway.stop()


def with_gateway(settings: Settings, gateway: SmsGateway, **more: Any) -> Settings:
    """Settings that send SMS to the test gateway and read its answers."""
    return settings.model_copy(
        update={
            "sms_gateway_url": gateway.url,
            "sms_gateway_success_field": "status",
            "sms_gateway_success_values": "ok",
            "sms_gateway_retry_values": "throttled",
            "sms_gateway_timeout_s": 1.0,
            **more,
        }
    )


@pytest.fixture
def notify_deps(settings: Settings, mail_sink: MailSink) -> NotifyDeps:
    return notify_deps_for(settings.model_copy(update={"smtp_port": mail_sink.port}))


# --- exactly once -----------------------------------------------------------------------------


def test_alert_is_mailed_once_however_often_the_event_arrives(
    notify_deps: NotifyDeps, mail_sink: MailSink
) -> None:
    envelope, event = assigned()
    for _ in range(3):
        handle(envelope, event, notify_deps)
    mails = mail_sink.wait_for(1, timeout=5)
    assert len(mails) == 1
    mail = mails[0]
    assert mail["To"] == "joni.sitepu@karo.example"
    assert mail.get_body(("html",)) is not None  # HTML and plain text
    text = plain_text(mail)
    assert "K7QM-3XPA-9D2F-HT6W" in text
    assert "29-11-2024 23:59 WIB" in text  # the deadline in the officer's own zone
    assert f"http://127.0.0.1:8000/kasus/{CASE_ID}" in text  # the case's page in the console
    [doc] = ledger()
    assert doc["_id"] == notification_key(CASE_ID, str(envelope.id), "karo-bkpsdm-1", "email")
    assert doc["status"] == "sent"
    [attempt] = doc["attempts"]
    assert attempt["channel"] == "email"
    assert attempt["result"] == "sent"
    assert attempt["answer"].startswith("250")  # the server's own answer
    assert [e.TYPE for e in outbox_events(doc)] == ["notification.sent"]


def test_two_workers_racing_on_one_event_send_one_mail(
    notify_deps: NotifyDeps, mail_sink: MailSink
) -> None:
    envelope, event = assigned()

    def worker() -> Exception | None:
        try:
            handle(envelope, event, notify_deps)
        except Exception as exc:  # a loser may be told "in progress": it would retry later
            return exc
        return None

    errors = [e for e in at_once(*[worker] * 4) if e is not None]
    # Whoever lost the race and retries afterwards finds the ledger entry sent.
    handle(envelope, event, notify_deps)
    assert len(mail_sink.wait_for(1, timeout=5)) == 1
    assert all(isinstance(e, DeliveryInProgress) for e in errors)


def test_stale_claim_of_a_crashed_worker_is_taken_over(
    notify_deps: NotifyDeps, mail_sink: MailSink
) -> None:
    envelope, event = assigned()
    key = notification_key(event.case_id, str(envelope.id), "karo-bkpsdm-1", "email")
    long_ago = datetime.now(UTC) - timedelta(minutes=5)
    # A worker claimed the alert five minutes ago and died before sending: its lease ran out.
    assert claim(notify_deps.deliveries, key, {"kind": "alert"}, long_ago, notify_deps.lease)[0]
    handle(envelope, event, notify_deps)
    assert len(mail_sink.wait_for(1, timeout=5)) == 1
    assert ledger(key)[0]["status"] == "sent"


def test_live_claim_of_another_worker_is_respected(notify_deps: NotifyDeps) -> None:
    envelope, event = assigned()
    key = notification_key(event.case_id, str(envelope.id), "karo-bkpsdm-1", "email")
    assert claim(notify_deps.deliveries, key, {}, datetime.now(UTC), notify_deps.lease)[0]
    with pytest.raises(DeliveryInProgress):
        handle(envelope, event, notify_deps)


# --- the ledger records each attempt ----------------------------------------------------------


def test_smtp_down_then_up_delivers_once_and_records_each_attempt(settings: Settings) -> None:
    envelope, event = assigned()
    port = free_port()  # nothing listens here yet
    down = notify_deps_for(settings.model_copy(update={"smtp_port": port, "smtp_timeout_s": 2.0}))
    with pytest.raises(Exception, match="SMTP unavailable"):
        handle(envelope, event, down)
    assert ledger()[0]["status"] == "pending"
    sink = MailSink("127.0.0.1", port)
    sink.start()
    try:
        handle(envelope, event, down)
        handle(envelope, event, down)
        assert len(sink.wait_for(1, timeout=5)) == 1
    finally:
        sink.stop()
    [doc] = ledger()
    assert [a["result"] for a in doc["attempts"]] == ["retry", "sent"]
    assert "Connection refused" in doc["attempts"][0]["error"]
    assert all(isinstance(a["at"], datetime) for a in doc["attempts"])
    # Only the successful attempt produced an event for the case's timeline.
    assert [e.TYPE for e in outbox_events(doc)] == ["notification.sent"]


# --- bad input: recorded with a reason, never a crash -----------------------------------------


def test_officer_without_any_address_is_recorded_as_unreachable(
    notify_deps: NotifyDeps, mail_sink: MailSink
) -> None:
    envelope, event = assigned(officer(email=None))
    handle(envelope, event, notify_deps)
    handle(envelope, event, notify_deps)  # redelivered: still one record
    assert mail_sink.wait_for(1, timeout=0.5) == []
    [doc] = ledger()
    assert doc["status"] == "failed"
    assert doc["channel"] == "none"
    assert "no address" in doc["reason"]
    [failed] = outbox_events(doc)
    assert failed.TYPE == "notification.failed"
    assert failed.final is True


def test_invalid_email_fails_for_good_without_retry(
    notify_deps: NotifyDeps, mail_sink: MailSink
) -> None:
    envelope, event = assigned(officer(email="joni.sitepu@@karo"))
    handle(envelope, event, notify_deps)  # returns: nothing to retry
    [doc] = ledger()
    assert doc["status"] == "failed"
    assert "invalid e-mail address" in doc["attempts"][0]["error"]
    assert [e.TYPE for e in outbox_events(doc)] == ["notification.failed"]
    assert mail_sink.messages == []


def test_template_missing_a_field_parks_the_event_with_the_reason(
    settings: Settings, mail_sink: MailSink
) -> None:
    broken = Renderer(DictLoader({f"case_assigned.id.{p}.j2": "{{ event.nope }}" for p in PARTS}))
    nd = notify_deps_for(settings.model_copy(update={"smtp_port": mail_sink.port}), renderer=broken)
    envelope, event = assigned()
    with pytest.raises(PermanentError, match="nope"):
        handle(envelope, event, nd)
    assert ledger() == []  # nothing was sent or claimed: a replay after the fix sends it


def test_event_naming_no_case_is_refused() -> None:
    envelope, event = assigned(case_id=" ")
    with pytest.raises(PermanentError, match="no case"):
        handle(envelope, event, None)  # type: ignore[arg-type]  # refused before any I/O


def test_contact_data_follows_the_events_and_preferences_survive_them(
    notify_deps: NotifyDeps,
) -> None:
    envelope, event = assigned(officer(email="old@karo.example"))
    handle(envelope, event, notify_deps)
    notify_deps.recipients.update_one(
        {"_id": "karo-bkpsdm-1"}, {"$set": {"preferences": {"quiet_hours": None}}}
    )
    envelope, event = assigned(officer(email="new@karo.example", timezone="Asia/Makassar"))
    handle(envelope, event, notify_deps)
    doc = notify_deps.recipients.find_one({"_id": "karo-bkpsdm-1"})
    assert doc is not None
    profile = Profile.from_document(doc)
    assert profile.email == "new@karo.example"
    assert profile.timezone == "Asia/Makassar"
    assert profile.tenant == "12.06"
    assert doc["preferences"] == {"quiet_hours": None}


def channel_names(nd: NotifyDeps) -> list[str]:
    found: list[Channel] = list(nd.channels)
    return [c.name for c in found]


def test_channels_follow_configuration(settings: Settings, sms_gateway: SmsGateway) -> None:
    assert channel_names(notify_deps_for(settings)) == ["email", "chat"]
    assert channel_names(notify_deps_for(with_gateway(settings, sms_gateway))) == [
        "email",
        "sms",
        "chat",
    ]


def test_an_assignment_sent_again_arrives_as_a_reminder_of_the_case_not_a_new_one(
    settings: Settings, mail_sink: MailSink, sms_gateway: SmsGateway
) -> None:
    configured = with_gateway(settings, sms_gateway, smtp_port=mail_sink.port)
    nd = notify_deps_for(configured)
    first, event = assigned(officer(phone="0812-6000-0002"))
    handle(first, event, nd)
    resent = event.model_copy(update={"reason": ladder_steps.resend_reason(1)})
    handle(new_envelope(resent, tenant="12.06", correlation_id="corr-42"), resent, nd)
    new_mail, again = mail_sink.wait_for(2, timeout=5)
    assert new_mail["Subject"].startswith("[Pantau] Kasus baru untuk Anda")
    assert again["Subject"].startswith("[Pantau] PENGINGAT: kasus Anda belum dikonfirmasi")
    assert "pengingat ke-1; bukan kasus baru" in plain_text(again)
    new_sms, again_sms = (m.fields["text"] for m in sms_gateway.accepted())
    assert new_sms.startswith("Kasus baru K7QM-3XPA-9D2F-HT6W")
    assert again_sms.startswith("PENGINGAT: kasus K7QM-3XPA-9D2F-HT6W belum Anda konfirmasi")
    assert len(again_sms) <= 160


def test_escalation_says_why_and_links_the_case_in_every_channel(
    settings: Settings, mail_sink: MailSink, sms_gateway: SmsGateway
) -> None:
    configured = with_gateway(settings, sms_gateway, smtp_port=mail_sink.port)
    nd = notify_deps_for(configured)
    step = ladder_steps.breach_supervisor_key("lapor_verification", date(2024, 11, 29))
    envelope, event = escalated(officer(phone="0812-6000-0002"), priority="urgent", step=step)
    handle(envelope, event, nd)
    [mail] = mail_sink.wait_for(1, timeout=5)
    assert "ESKALASI" in mail["Subject"]
    assert "Tenggat tahap verifikasi laporan terlewati; diteruskan ke atasan" in plain_text(mail)
    [sms] = sms_gateway.accepted()
    assert sms.fields["to"] == "+6281260000002"
    assert sms.fields["text"].startswith(
        "ESKALASI: tenggat tahap verifikasi laporan terlewati, diteruskan ke atasan."
    )
    assert f"/k/{CASE_ID}" in sms.fields["text"]
    assert len(sms.fields["text"]) <= 160
    assert sms.fields["ref"] == notification_key(CASE_ID, str(envelope.id), "karo-bkpsdm-1", "sms")
