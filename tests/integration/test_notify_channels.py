"""Each channel against a real server that misbehaves: SMTP (aiosmtpd), an HTTP SMS gateway
and an Apprise webhook target. Passing faults must be retryable, refusals must not."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pydantic import SecretStr

from services.cli.infra import free_port
from services.notify.channels.base import Outgoing, PermanentDeliveryError, TransientDeliveryError
from services.notify.channels.chat import ChatChannel, masked_chat_url, valid_chat_url
from services.notify.channels.email import EmailChannel
from services.notify.channels.sms import SmsGatewayChannel
from services.notify.recipients import Profile
from services.notify.rendering import Rendered
from shared.settings import Settings
from tests.support.sms_gateway import SmsGateway
from tests.support.smtp_faults import FaultySmtp

MESSAGE = Rendered(
    subject="[Pantau] Kasus baru",
    text="Kasus baru K7QM untuk Anda.",
    html="<p>Kasus baru K7QM untuk Anda.</p>",
    sms="Kasus baru K7QM untuk Anda.",
)


def _outgoing(**profile: Any) -> Outgoing:
    person = Profile(
        officer_id="karo-kominfo-1",
        name="Rina Br Tarigan",
        email=profile.pop("email", "rina.tarigan@karo.example"),
        phone=profile.pop("phone", "081260000001"),
        **profile,
    )
    return Outgoing(key="k" * 40, recipient=person, message=MESSAGE)


# --- e-mail ------------------------------------------------------------------------------------


@pytest.fixture
def smtp() -> Iterator[FaultySmtp]:
    with FaultySmtp(free_port(), slow_s=3.0) as server:
        yield server


def _email(smtp: FaultySmtp, timeout: float = 1.0) -> EmailChannel:
    return EmailChannel(Settings(smtp_port=smtp.port, smtp_timeout_s=timeout))


def test_mail_has_plain_text_and_html_and_returns_the_server_answer(smtp: FaultySmtp) -> None:
    answer = _email(smtp).send(_outgoing())
    assert answer == "250 2.0.0 Ok: queued as PANTAU-TEST"
    [mail] = smtp.wait_for(1, 5)
    assert mail["Message-ID"] == f"<{'k' * 40}@pantau>"
    assert mail.get_body(("plain",)) is not None
    assert mail.get_body(("html",)) is not None


@pytest.mark.parametrize(
    ("mode", "error", "words"),
    [
        ("tempfail", TransientDeliveryError, "451"),
        ("busy", TransientDeliveryError, "421"),
        ("slow", TransientDeliveryError, "SMTP unavailable"),
        ("permfail", PermanentDeliveryError, "554"),
        ("reject_rcpt", PermanentDeliveryError, "550"),
    ],
)
def test_smtp_answers_are_sorted_into_retry_and_refusal(
    smtp: FaultySmtp, mode: str, error: type[Exception], words: str
) -> None:
    smtp.mode = mode
    with pytest.raises(error, match=words):
        _email(smtp).send(_outgoing())
    assert smtp.messages == []


def test_smtp_server_that_is_down_is_a_passing_fault() -> None:
    channel = EmailChannel(Settings(smtp_port=free_port(), smtp_timeout_s=1.0))
    with pytest.raises(TransientDeliveryError, match="Connection refused"):
        channel.send(_outgoing())


def test_one_smtp_session_carries_a_burst_of_alerts_and_is_closed_once_idle(
    smtp: FaultySmtp,
) -> None:
    now = [0.0]
    channel = EmailChannel(
        Settings(smtp_port=smtp.port, smtp_timeout_s=1.0, smtp_keepalive_s=30),
        clock=lambda: now[0],
    )
    for _ in range(3):
        channel.send(_outgoing())
    assert len(smtp.wait_for(3, 5)) == 3
    assert smtp.greetings == 1
    now[0] += 10
    assert channel.close_idle() == 0  # still within its keep-alive
    now[0] += 30
    assert channel.close_idle() == 1
    channel.send(_outgoing())
    assert len(smtp.wait_for(4, 5)) == 4
    assert smtp.greetings == 2
    channel.close()


def test_without_keepalive_every_alert_has_its_own_session(smtp: FaultySmtp) -> None:
    channel = EmailChannel(Settings(smtp_port=smtp.port, smtp_timeout_s=1.0, smtp_keepalive_s=0))
    for _ in range(2):
        channel.send(_outgoing())
    assert len(smtp.wait_for(2, 5)) == 2
    assert smtp.greetings == 2
    assert channel.close_idle() == 0


def test_a_failed_alert_ends_its_session_and_the_next_alert_opens_a_fresh_one(
    smtp: FaultySmtp,
) -> None:
    channel = _email(smtp)
    channel.send(_outgoing())
    smtp.script = ["tempfail", "ok"]
    with pytest.raises(TransientDeliveryError, match="451"):
        channel.send(_outgoing())
    channel.send(_outgoing())
    assert len(smtp.wait_for(2, 5)) == 2
    assert smtp.greetings == 2


def test_a_kept_session_the_server_dropped_is_replaced_for_the_same_alert() -> None:
    port = free_port()
    channel = EmailChannel(Settings(smtp_port=port, smtp_timeout_s=1.0))
    with FaultySmtp(port) as first:
        channel.send(_outgoing())
        assert len(first.wait_for(1, 5)) == 1
    # The server restarted: the kept session is dead, the alert still goes out, once.
    with FaultySmtp(port) as second:
        channel.send(_outgoing())
        assert len(second.wait_for(1, 5)) == 1
        assert second.greetings == 1
    channel.close()


def test_a_kept_session_whose_server_went_away_is_a_passing_fault() -> None:
    port = free_port()
    channel = EmailChannel(Settings(smtp_port=port, smtp_timeout_s=1.0))
    with FaultySmtp(port) as server:
        channel.send(_outgoing())
        assert len(server.wait_for(1, 5)) == 1
    with pytest.raises(TransientDeliveryError, match="SMTP unavailable"):
        channel.send(_outgoing())


def test_smtp_authentication_refused_is_a_configuration_fault_to_retry(smtp: FaultySmtp) -> None:
    # The sink offers no AUTH: the login fails, which an operator fixes; alerts wait for it.
    channel = EmailChannel(
        Settings(smtp_port=smtp.port, smtp_user="pantau", smtp_password=SecretStr("secret"))
    )
    with pytest.raises(TransientDeliveryError):
        channel.send(_outgoing())


# --- SMS gateway -------------------------------------------------------------------------------


@pytest.fixture
def gateway() -> Iterator[SmsGateway]:
    server = SmsGateway(slow_s=2.5).start()
    yield server
    server.stop()


def _sms(gateway: SmsGateway, **more: Any) -> SmsGatewayChannel:
    return SmsGatewayChannel(
        Settings(
            sms_gateway_url=gateway.url,
            sms_gateway_success_field="status",
            sms_gateway_success_values="ok",
            sms_gateway_auth_value=SecretStr("Bearer gw-token"),
            sms_gateway_timeout_s=1.0,
            **more,
        )
    )


def test_sms_success_sends_the_configured_request(gateway: SmsGateway) -> None:
    answer = _sms(gateway).send(_outgoing())
    assert answer.startswith("200")
    assert "msg-1" in answer
    [request] = gateway.received
    assert request.method == "POST"
    assert request.headers["Authorization"] == "Bearer gw-token"
    assert request.fields == {"to": "+6281260000001", "text": MESSAGE.sms, "ref": "k" * 40}


@pytest.mark.parametrize(
    ("mode", "error"),
    [
        ("rate_limit", TransientDeliveryError),
        ("timeout", TransientDeliveryError),
        ("error", TransientDeliveryError),
        ("garbage", TransientDeliveryError),
        ("permanent", PermanentDeliveryError),
    ],
)
def test_sms_gateway_answers_are_sorted(
    gateway: SmsGateway, mode: str, error: type[Exception]
) -> None:
    gateway.mode = mode
    with pytest.raises(error) as caught:
        _sms(gateway).send(_outgoing())
    assert len(gateway.received) == 1
    if mode == "permanent":
        assert "invalid destination number" in str(caught.value)
    if mode == "garbage":
        assert "unreadable answer" in str(caught.value)


def test_sms_gateway_down_is_a_passing_fault() -> None:
    channel = SmsGatewayChannel(
        Settings(sms_gateway_url=f"http://127.0.0.1:{free_port()}/send", sms_gateway_timeout_s=1)
    )
    with pytest.raises(TransientDeliveryError, match="unavailable"):
        channel.send(_outgoing())


def test_the_ledger_never_gets_the_number_or_the_secrets_from_a_gateway_s_answer(
    gateway: SmsGateway,
) -> None:
    gateway.mode = "echo"  # the gateway writes the number back in its answer
    answer = _sms(gateway).send(_outgoing())
    assert answer.startswith("200")
    assert "msg-1" in answer
    assert gateway.received[0].fields["to"] == "+6281260000001"
    assert "81260000001" not in answer


def test_an_error_quoting_a_query_gateway_s_url_keeps_neither_number_nor_password() -> None:
    # Gateways that take their fields in the query (user key and password included) are
    # common; the HTTP client's error quotes the whole URL.
    channel = SmsGatewayChannel(
        Settings(
            sms_gateway_url=f"http://127.0.0.1:{free_port()}/api/sendsms",
            sms_gateway_method="GET",
            sms_gateway_fields='{"userkey": "{user}", "passkey": "{password}", '
            '"telepon": "{to_local}", "pesan": "{text}"}',
            sms_gateway_user="kominfo-karo",
            sms_gateway_password=SecretStr("sandi-rahasia-99"),
            sms_gateway_timeout_s=1,
        )
    )
    with pytest.raises(TransientDeliveryError, match="unavailable") as caught:
        channel.send(_outgoing())
    said = str(caught.value)
    assert "/api/sendsms" in said  # still says where it failed
    for secret in ("sandi-rahasia-99", "81260000001", "Kasus"):
        assert secret not in said


def test_rejected_number_never_reaches_the_gateway(gateway: SmsGateway) -> None:
    with pytest.raises(PermanentDeliveryError, match="invalid phone number"):
        _sms(gateway).send(_outgoing(phone="021 555 1234"))
    assert gateway.received == []


# --- chat through Apprise ----------------------------------------------------------------------


class _Webhook:
    """A webhook target that answers with a chosen status and keeps what it got."""

    def __init__(self) -> None:
        self.status = 200
        self.received: list[dict[str, Any]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                hook.received.append(json.loads(self.rfile.read(length)))
                self.send_response(hook.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook() -> Iterator[_Webhook]:
    hook = _Webhook()
    yield hook
    hook.stop()


def test_chat_goes_through_apprise_to_the_officers_url(webhook: _Webhook) -> None:
    channel = ChatChannel(Settings())
    url = f"json://127.0.0.1:{webhook.port}/hooks/pantau"
    answer = channel.send(_outgoing(chat_url=url))
    assert "accepted" in answer
    [body] = webhook.received
    assert body["title"] == MESSAGE.subject
    assert body["message"] == MESSAGE.text


def test_chat_falls_back_to_the_deployment_url_with_the_officer_id(webhook: _Webhook) -> None:
    channel = ChatChannel(
        Settings(notify_chat_url=f"json://127.0.0.1:{webhook.port}/officers/{{officer_id}}")
    )
    person = _outgoing().recipient
    assert channel.address_of(person) == f"json://127.0.0.1:{webhook.port}/officers/karo-kominfo-1"
    channel.send(_outgoing())
    assert len(webhook.received) == 1


@pytest.mark.parametrize(
    ("status", "error"),
    [(400, PermanentDeliveryError), (429, TransientDeliveryError), (502, TransientDeliveryError)],
)
def test_chat_failures_are_sorted_by_the_targets_status(
    webhook: _Webhook, status: int, error: type[Exception]
) -> None:
    webhook.status = status
    with pytest.raises(error, match=f"error={status}"):
        ChatChannel(Settings()).send(_outgoing(chat_url=f"json://127.0.0.1:{webhook.port}/x"))


def test_chat_url_checks_and_masking() -> None:
    assert not valid_chat_url("not a url at all")
    assert valid_chat_url("tgram://123456789:AAE-secret-token/-100123")
    masked = masked_chat_url("tgram://123456789:AAE-secret-token/-100123")
    assert masked is not None
    assert "secret-token" not in masked
    with pytest.raises(PermanentDeliveryError):
        ChatChannel(Settings()).send(_outgoing(chat_url="nonsense://x"))
