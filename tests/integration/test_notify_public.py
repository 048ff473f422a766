"""Notify's part in the public pages, on the real database and real SMTP: the receipt of a
tracking code to the citizen who asked (e-mail, and SMS through the gateway), sent once and
recorded without the address; and the alert that a reporter answered, to the officer of the
case, linking to the console."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from services.cli.mailbox import MailSink
from services.notify.delivery import NotifyDeps, handle
from services.notify.handlers import handle_information_received
from services.notify.receipts import handle as send_receipt
from shared.broker.consumer import PermanentError
from shared.contracts import CaseInformationReceived, ReceiptRequested, new_envelope
from shared.sealed_contacts import Contact, ContactSeal, parse_key
from shared.settings import Settings
from tests.integration.test_notify_delivery import (
    CASE_ID,
    assigned,
    ledger,
    notify_deps_for,
    officer,
    outbox_events,
    with_gateway,
)
from tests.support.builders import plain_text
from tests.support.sms_gateway import SmsGateway

CODE = "K7QM-3XPA-9D2F-HT6W"
CONSOLE = "https://pantau.karokab.go.id"


@pytest.fixture
def sms_gateway() -> Iterator[SmsGateway]:
    gateway = SmsGateway().start()
    yield gateway
    gateway.stop()


def receipt(
    settings: Settings,
    email: str | None = "siti.rahmawati@contoh.id",
    phone: str | None = "+6281260001234",
    **overrides: object,
) -> ReceiptRequested:
    """The receipt intake writes: the contact sealed with the key intake and notify share."""
    seal = ContactSeal(parse_key(settings.receipt_key.get_secret_value()))
    fields: dict[str, object] = {
        "case_id": CASE_ID,
        "tracking_code": CODE,
        "contact": seal.seal(Contact(email=email, phone=phone), CASE_ID),
        "language": "id",
    }
    fields.update(overrides)
    return ReceiptRequested.model_validate(fields)


def test_a_receipt_goes_out_once_on_each_channel_and_keeps_no_address(
    settings: Settings, mail_sink: MailSink, sms_gateway: SmsGateway
) -> None:
    configured = with_gateway(settings, sms_gateway, smtp_port=mail_sink.port)
    deps = notify_deps_for(configured, console_url=CONSOLE)
    event = receipt(settings)
    envelope = new_envelope(event, tenant="12.06", correlation_id="corr-r1")
    for _ in range(3):
        send_receipt(envelope, event, deps)
    [mail] = mail_sink.wait_for(1, timeout=5)
    assert mail["To"] == "siti.rahmawati@contoh.id"
    assert CODE in mail["Subject"]
    assert f"{CONSOLE}/lacak/{CODE}" in plain_text(mail)
    [sms] = sms_gateway.received
    assert CODE in sms.fields["text"]
    docs = ledger()
    assert sorted(d["channel"] for d in docs) == ["email", "sms"]
    assert all(d["status"] == "sent" and d["kind"] == "receipt" for d in docs)
    kept = json.dumps(docs, default=str)
    assert "siti" not in kept
    # The number in any of its forms (+62 812…, 0812-6000-1234); its last digits alone also
    # turn up by chance in ids and times, so the test looks for what identifies the person.
    for form in ("81260001234", "812-6000-1234", "812 6000 1234"):
        assert form not in kept
    assert [e.TYPE for d in docs for e in outbox_events(d)] == ["notification.sent"] * 2


def test_a_receipt_that_cannot_be_delivered_is_recorded_not_retried(
    settings: Settings, mail_sink: MailSink
) -> None:
    deps = notify_deps_for(settings.model_copy(update={"smtp_port": mail_sink.port}))
    event = receipt(settings, email="not-an-address", phone=None, language="en")
    send_receipt(new_envelope(event, tenant="12.06", correlation_id="corr-r2"), event, deps)
    [doc] = ledger()
    assert doc["status"] == "failed"
    assert "not-an-address" not in json.dumps(doc, default=str)
    assert mail_sink.messages == []


def test_a_receipt_written_before_contacts_were_sealed_still_goes_out(
    settings: Settings, mail_sink: MailSink
) -> None:
    """An upgrade may find such an event in a queue: its readable address is used once."""
    deps = notify_deps_for(settings.model_copy(update={"smtp_port": mail_sink.port}))
    event = ReceiptRequested(
        case_id=CASE_ID, tracking_code=CODE, email="siti.rahmawati@contoh.id", language="id"
    )
    send_receipt(new_envelope(event, tenant="12.06", correlation_id="corr-r3"), event, deps)
    [mail] = mail_sink.wait_for(1, timeout=5)
    assert mail["To"] == "siti.rahmawati@contoh.id"


@pytest.mark.parametrize("notify_key", ["another", "none"])
def test_a_contact_notify_cannot_open_is_parked_still_sealed_and_sent_nowhere(
    settings: Settings, mail_sink: MailSink, notify_key: str
) -> None:
    """A worker given another key, or none, must not guess: the message is parked (sealed,
    so operators read no address) to be sent again once the key is right."""
    deps = notify_deps_for(
        settings.model_copy(update={"smtp_port": mail_sink.port}),
        receipts=ContactSeal(bytes(32)) if notify_key == "another" else None,
    )
    event = receipt(settings)
    with pytest.raises(PermanentError):
        send_receipt(new_envelope(event, tenant="12.06", correlation_id="corr-r4"), event, deps)
    assert ledger() == []
    assert mail_sink.messages == []


def answered(**overrides: object) -> CaseInformationReceived:
    fields: dict[str, object] = {
        "case_id": CASE_ID,
        "tracking_code": CODE,
        "title": "Camat memakai mobil dinas untuk kampanye paslon",
        "category": "FASILITAS",
        "priority": "high",
        "files": 1,
        "officer_id": "karo-bkpsdm-1",
    }
    fields.update(overrides)
    return CaseInformationReceived.model_validate(fields)


def test_the_officer_of_the_case_hears_the_reporter_answered_with_a_link_to_the_console(
    settings: Settings, mail_sink: MailSink
) -> None:
    deps: NotifyDeps = notify_deps_for(
        settings.model_copy(update={"smtp_port": mail_sink.port}), console_url=CONSOLE
    )
    # Notify knows the officer from the assignment it alerted them of (a roster officer
    # intake's directory does not list): the event names them by id only.
    handle(*assigned(officer()), deps)
    mail_sink.wait_for(1, timeout=5)
    event = answered()
    handle_information_received(
        new_envelope(event, tenant="12.06", correlation_id="corr-a1"), event, deps
    )
    mails = mail_sink.wait_for(2, timeout=5)
    alert = mails[-1]
    assert alert["To"] == "joni.sitepu@karo.example"
    assert "Pelapor menjawab" in alert["Subject"]
    text = plain_text(alert)
    assert f"{CONSOLE}/kasus/{CASE_ID}" in text
    assert "1 berkas bukti" in text


def test_an_answer_about_an_officer_notify_never_heard_of_alerts_nobody(
    settings: Settings, mail_sink: MailSink
) -> None:
    deps = notify_deps_for(settings.model_copy(update={"smtp_port": mail_sink.port}))
    event = answered(officer_id="karo-unknown-9")
    handle_information_received(
        new_envelope(event, tenant="12.06", correlation_id="corr-a2"), event, deps
    )
    assert mail_sink.messages == []
