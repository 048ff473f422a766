"""Parked messages from the console: every service's list with the reason, when and how many
attempts; replaying one after a confirmation puts it back in line and the worker applies it."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

import pika

from shared.broker.consumer import ATTEMPT_HEADER, PARK_REASON_HEADER
from shared.broker.parking import PARKED_AT_HEADER
from shared.contracts import NotificationSent, encode, new_envelope
from tests.console.operate_people import signed_in
from tests.support.builders import case_payload
from tests.support.pages import text
from tests.support.suite import Suite
from tests.support.waiting import eventually

CHANNEL = "uji-parkir"


def park_in_intake(suite: Suite, case_id: str) -> str:
    """A notification.sent for the case, left in intake's parking queue as its worker leaves
    a message it gave up on."""
    event = NotificationSent(
        case_id=case_id,
        notification_key=uuid.uuid4().hex,
        source_event_id=str(uuid.uuid4()),
        recipient_id="operate-parked-recipient",
        channel=CHANNEL,
        sent_at=datetime.now(UTC),
    )
    envelope = new_envelope(event, tenant="12.06", correlation_id=f"corr-{case_id}")
    connection = pika.BlockingConnection(pika.URLParameters(suite.settings.amqp_url))
    try:
        connection.channel().basic_publish(
            exchange="",
            routing_key="pantau.intake.parking",
            body=encode(envelope),
            properties=pika.BasicProperties(
                delivery_mode=2,
                message_id=str(envelope.id),
                type=envelope.type,
                headers={
                    PARK_REASON_HEADER: "attempts exhausted: ServerSelectionTimeoutError()",
                    PARKED_AT_HEADER: int(time.time()),
                    ATTEMPT_HEADER: 5,
                },
            ),
        )
    finally:
        connection.close()
    return str(envelope.id)


def test_an_operator_sees_why_a_message_was_parked_and_replays_it(console_suite: Suite) -> None:
    submitter = console_suite.key(region="12.06", role="submitter")
    reader = console_suite.key(region="12.06", role="supervisor")  # the filer reads no timeline
    case_id = console_suite.submit(
        submitter, case_payload(title="Uji pesan tertahan: camat hadiri deklarasi paslon")
    )["id"]
    parked_id = park_in_intake(console_suite, case_id)
    operator = signed_in(console_suite, "operate-parked-operator", role="operator")

    page = operator.get("/operator/parkir")
    assert page.status_code == 200
    for service in ("intake", "triage", "notify"):
        assert f'data-service="{service}" data-state="ok"' in page.text, service
    assert f'data-id="{parked_id}"' in page.text
    words = text(page)
    assert "Gagal pada setiap percobaan" in words
    assert "attempts exhausted: ServerSelectionTimeoutError()" in words
    assert "5 percobaan" in words
    assert f"/kasus/{case_id}" in page.text

    confirm_url = f"/operator/parkir/intake/{parked_id}/kirim-ulang"
    confirm = operator.get(confirm_url)
    assert confirm.status_code == 200
    assert "Kirim ulang pesan ini?" in text(confirm)
    done = operator.post(confirm_url, {})
    assert done.status_code == 200
    assert done.url.endswith("/operator/parkir")
    assert "Pesan dikirim ulang ke antrean Intake" in text(done)

    def notified() -> bool:
        timeline: list[dict[str, Any]] = console_suite.case(reader, case_id)["timeline"]
        return any(entry.get("channel") == CHANNEL for entry in timeline)

    eventually(notified, timeout=30)
    assert f'data-id="{parked_id}"' not in operator.get("/operator/parkir").text
    # A second press finds nothing to replay, and says so.
    again = operator.post(confirm_url, {}, token_from="/operator/parkir")
    assert "tidak lagi tertahan" in text(again)
    assert operator.get("/operator/parkir/intake/bad%20id/kirim-ulang").status_code == 404
    assert operator.get(f"/operator/parkir/nowhere/{parked_id}/kirim-ulang").status_code == 404
