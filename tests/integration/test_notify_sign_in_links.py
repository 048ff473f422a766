"""A person's one-time sign-in link mailed by notify on the real database and a real SMTP
server: once however often the event arrives, the link in the mail and never in the ledger,
a dead link not mailed, a person without an address recorded, a refused mail not retried."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.cli.mailbox import MailSink
from services.notify.channels.base import Outgoing, PermanentDeliveryError
from services.notify.delivery import NotifyDeps
from services.notify.models import Delivery
from services.notify.sign_in_links import handle_link_issued, link_key
from shared.contracts import Envelope, Recipient, SignInLinkIssued, new_envelope
from shared.settings import Settings
from tests.integration.test_notify_delivery import notify_deps_for
from tests.support.builders import plain_text

URL = "http://console.example/masuk/tautan/Zq3-secret-token_abc"


def issued(
    email: str | None = "rehulina@karo.example", *, expires_in: timedelta = timedelta(minutes=30)
) -> tuple[Envelope, SignInLinkIssued]:
    event = SignInLinkIssued(
        officer_id="karo-bkpsdm-3",
        recipient=Recipient(officer_id="karo-bkpsdm-3", name="Rehulina", email=email),
        purpose="invitation",
        url=URL,
        expires_at=datetime.now(UTC) + expires_in,
    )
    return new_envelope(event, tenant="12.06", correlation_id="link-1"), event


@pytest.fixture
def notify_deps(settings: Settings, mail_sink: MailSink) -> NotifyDeps:
    return notify_deps_for(settings.model_copy(update={"smtp_port": mail_sink.port}))


def stored(envelope: Envelope, event: SignInLinkIssued) -> dict[str, Any]:
    doc: dict[str, Any] | None = Delivery._get_collection().find_one(
        {"_id": link_key(envelope, event)}
    )
    assert doc is not None
    return doc


def test_the_link_is_mailed_once_and_the_ledger_keeps_no_copy(
    notify_deps: NotifyDeps, mail_sink: MailSink
) -> None:
    envelope, event = issued()
    for _ in range(3):
        handle_link_issued(envelope, event, notify_deps)
    [mail] = mail_sink.wait_for(1, timeout=5)
    assert mail["To"] == "rehulina@karo.example"
    assert "Undangan" in mail["Subject"]
    assert URL in plain_text(mail)
    doc = stored(envelope, event)
    assert (doc["status"], doc["kind"], doc["purpose"]) == ("sent", "sign_in_link", "invitation")
    assert "Zq3-secret-token" not in repr(doc)
    # No case to put a notification.sent on.
    assert "outbox" not in doc
    assert len(mail_sink.messages) == 1


def test_a_link_that_expired_before_it_could_be_mailed_is_not_sent(
    notify_deps: NotifyDeps, mail_sink: MailSink
) -> None:
    envelope, event = issued(expires_in=timedelta(seconds=-1))
    handle_link_issued(envelope, event, notify_deps)
    assert stored(envelope, event)["status"] == "skipped"
    assert mail_sink.messages == []


def test_a_person_without_an_address_is_recorded_as_unreachable(
    notify_deps: NotifyDeps, mail_sink: MailSink
) -> None:
    envelope, event = issued(email=None)
    handle_link_issued(envelope, event, notify_deps)
    doc = stored(envelope, event)
    assert (doc["status"], doc["reason"]) == ("failed", "the person has no e-mail address")
    assert mail_sink.messages == []


class _Refusing:
    name = "email"

    def address_of(self, recipient: object) -> str | None:
        return "x@example"

    def send(self, outgoing: Outgoing) -> str:
        raise PermanentDeliveryError("550 mailbox unavailable")


def test_a_refused_mail_is_recorded_and_not_retried(notify_deps: NotifyDeps) -> None:
    refusing = dataclasses.replace(notify_deps, channels=[_Refusing()])
    envelope, event = issued()
    handle_link_issued(envelope, event, refusing)
    handle_link_issued(envelope, event, refusing)
    doc = stored(envelope, event)
    assert doc["status"] == "failed"
    assert len(doc["attempts"]) == 1
