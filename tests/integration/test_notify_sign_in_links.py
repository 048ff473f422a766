"""Sign-in links mailed by notify, on the real database, a real SMTP server and the broker:
once, by e-mail only, never held, and the link kept nowhere but in the mail."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import REGISTRY, generate_latest

from services.cli.mailbox import MailSink
from services.notify.delivery import NotifyDeps
from services.notify.handlers import event_handlers
from services.notify.sign_in_links import handle_link_issued, link_key
from shared.broker.consumer import Consumer
from shared.contracts import Envelope, Recipient, SignInLinkIssued, new_envelope
from shared.settings import Settings
from tests.integration.test_notify_delivery import (
    Clock,
    ledger,
    notify_deps_for,
    with_gateway,
)
from tests.integration.test_notify_worker import publish
from tests.support.broker import running
from tests.support.builders import plain_text
from tests.support.sms_gateway import SmsGateway
from tests.support.waiting import eventually

NOW = datetime(datetime.now(UTC).year + 1, 11, 20, 15, 0, tzinfo=UTC)  # 23:00 WITA
SECRET = "c2VjcmV0LXRva2VuLWZvci10aGUtdGVzdC1vbmx5"
LINK = f"https://pantau.kukarkab.go.id/masuk/tautan/{SECRET}"


def link_event(
    purpose: str = "invitation",
    *,
    invited_by: str | None = "Drs. Herman Karo-Karo",
    email: str | None = "andi.saputra@kukar.example",
    language: str = "id",
    expires_at: datetime | None = None,
    officer_id: str = "kukar-bkpsdm-7",
) -> tuple[Envelope, SignInLinkIssued]:
    event = SignInLinkIssued(
        officer_id=officer_id,
        recipient=Recipient(
            officer_id=officer_id,
            name="Andi Saputra",
            email=email,
            phone="081260000077",
            language=language,  # type: ignore[arg-type]
            timezone="Asia/Makassar",
        ),
        purpose=purpose,  # type: ignore[arg-type]
        url=LINK,
        expires_at=expires_at or NOW + timedelta(minutes=30),
        invited_by=invited_by,
    )
    return new_envelope(event, tenant="64.02", correlation_id="link-corr-1"), event


@pytest.fixture
def sms_gateway() -> Iterator[SmsGateway]:
    gateway = SmsGateway().start()
    yield gateway
    gateway.stop()


@pytest.fixture
def link_deps(settings: Settings, mail_sink: MailSink) -> NotifyDeps:
    return notify_deps_for(
        settings.model_copy(update={"smtp_port": mail_sink.port}), clock=Clock(NOW)
    )


def test_an_invitation_is_mailed_once_however_often_the_event_arrives(
    link_deps: NotifyDeps, mail_sink: MailSink
) -> None:
    envelope, event = link_event()
    outcomes = [handle_link_issued(envelope, event, link_deps) for _ in range(3)]
    assert outcomes == ["sent", "duplicate", "duplicate"]
    [mail] = mail_sink.wait_for(1, timeout=5)
    assert mail["To"] == "andi.saputra@kukar.example"
    assert mail["Subject"] == "[Pantau] Undangan untuk masuk ke Pantau"
    text = plain_text(mail)
    assert LINK in text
    assert "Drs. Herman Karo-Karo mengundang Anda" in text
    assert f"berlaku 30 menit, sampai 20-11-{NOW.year} 23:30 WITA" in text
    [doc] = ledger()
    assert doc["_id"] == link_key(str(envelope.id), "kukar-bkpsdm-7")
    assert doc["kind"] == "sign_in_link"
    assert doc["status"] == "sent"
    assert doc["attempts"][0]["answer"].startswith("250")


def test_a_reset_in_english_says_it_was_asked_for(
    link_deps: NotifyDeps, mail_sink: MailSink
) -> None:
    envelope, event = link_event("reset", invited_by=None, language="en")
    assert handle_link_issued(envelope, event, link_deps) == "sent"
    [mail] = mail_sink.wait_for(1, timeout=5)
    assert mail["Subject"] == "[Pantau] A link to set a new password"
    text = plain_text(mail)
    assert LINK in text
    assert "If you did not ask for this, simply ignore this message" in text


def test_the_link_is_kept_nowhere_but_in_the_mail(
    link_deps: NotifyDeps, mail_sink: MailSink, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    envelope, event = link_event()
    handle_link_issued(envelope, event, link_deps)
    handle_link_issued(envelope, event, link_deps)
    assert mail_sink.wait_for(1, timeout=5)
    stored = json.dumps(ledger(), default=str)
    assert SECRET not in stored
    assert all(
        SECRET not in r.getMessage() and SECRET not in str(r.__dict__) for r in caplog.records
    )
    assert SECRET.encode() not in generate_latest(REGISTRY)
    # Notify's other collections never heard of it either.
    assert SECRET not in json.dumps(list(link_deps.recipients.find()), default=str)


def test_a_link_is_never_sent_by_sms_nor_held_by_quiet_hours_or_the_rate_limit(
    settings: Settings, mail_sink: MailSink, sms_gateway: SmsGateway
) -> None:
    configured = with_gateway(settings, sms_gateway, smtp_port=mail_sink.port)
    nd = notify_deps_for(configured, clock=Clock(NOW))
    nd.rate_limit = 1
    # Quiet hours cover 23:00 WITA, and the person asked for everything by SMS.
    nd.recipients.insert_one(
        {
            "_id": "kukar-bkpsdm-7",
            "name": "Andi Saputra",
            "phone": "081260000077",
            "preferences": {
                "quiet_hours": {"start": "21:00", "end": "06:00"},
                "channels": {"email": {"enabled": False}, "sms": {"enabled": True}},
            },
        }
    )
    sent = [handle_link_issued(*link_event(), nd) for _ in range(3)]
    assert sent == ["sent", "sent", "sent"]
    assert len(mail_sink.wait_for(3, timeout=5)) == 3
    assert sms_gateway.received == []
    assert {d["status"] for d in ledger()} == {"sent"}


def test_a_link_that_expired_before_the_mail_server_took_it_is_not_sent(
    link_deps: NotifyDeps, mail_sink: MailSink
) -> None:
    envelope, event = link_event(expires_at=NOW - timedelta(seconds=1))
    assert handle_link_issued(envelope, event, link_deps) == "expired"
    assert handle_link_issued(envelope, event, link_deps) == "expired"
    [doc] = ledger()
    assert doc["status"] == "skipped"
    assert mail_sink.messages == []


def test_a_person_without_an_address_is_recorded_not_retried(link_deps: NotifyDeps) -> None:
    envelope, event = link_event(email=None)
    assert handle_link_issued(envelope, event, link_deps) == "no_address"
    [doc] = ledger()
    assert doc["status"] == "failed"


def test_a_mail_server_that_is_down_gets_the_link_again_later(
    settings: Settings, mail_sink: MailSink
) -> None:
    down = notify_deps_for(
        settings.model_copy(update={"smtp_port": mail_sink.port + 1, "smtp_timeout_s": 1.0}),
        clock=Clock(NOW),
    )
    envelope, event = link_event()
    with pytest.raises(Exception, match="SMTP unavailable"):
        handle_link_issued(envelope, event, down)
    assert ledger()[0]["status"] == "pending"
    up = notify_deps_for(
        settings.model_copy(update={"smtp_port": mail_sink.port}), clock=Clock(NOW)
    )
    assert handle_link_issued(envelope, event, up) == "sent"
    assert len(mail_sink.wait_for(1, timeout=5)) == 1


def test_the_notify_worker_mails_a_link_published_on_the_broker(
    settings: Settings, mail_sink: MailSink
) -> None:
    configured = settings.model_copy(update={"smtp_port": mail_sink.port})
    nd = notify_deps_for(configured)
    envelope, _ = link_event(expires_at=datetime.now(UTC) + timedelta(minutes=30))
    with running(Consumer(configured, "notify", event_handlers(nd))):
        publish(configured, [envelope])
        eventually(lambda: len(mail_sink.messages) >= 1, timeout=30)
        eventually(lambda: [d["status"] for d in ledger()] == ["sent"], timeout=30)
    assert [m["To"] for m in mail_sink.messages] == ["andi.saputra@kukar.example"]
    assert LINK in plain_text(mail_sink.messages[0])
