"""Reading SMS gateway answers and building gateway requests from configuration."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import SecretStr

from services.notify.channels.base import Outgoing, PermanentDeliveryError
from services.notify.channels.sms import SmsGatewayChannel, fill, judge, redact
from services.notify.recipients import Profile
from services.notify.rendering import Rendered
from shared.settings import Settings


@pytest.mark.parametrize(
    ("status", "body", "verdict"),
    [
        (200, '{"status": "ok"}', "sent"),
        (202, '{"status": "QUEUED"}', "sent"),
        (200, "<html>maintenance</html>", "retry"),
        (200, '{"unexpected": true}', "retry"),
        (200, '{"status": "throttled"}', "retry"),
        (200, '{"status": "invalid_number"}', "rejected"),
        (429, "slow down", "retry"),
        (408, "", "retry"),
        (500, "oops", "retry"),
        (503, "", "retry"),
        (400, '{"error": "invalid number"}', "rejected"),
        (401, "bad token", "rejected"),
        (302, "", "retry"),
    ],
)
def test_gateway_answers_are_sorted(status: int, body: str, verdict: str) -> None:
    answer = judge(
        status,
        body,
        success_field="status",
        success_values="ok,queued",
        retry_values="throttled",
    )
    assert answer.verdict == verdict
    assert str(status) in answer.detail  # the ledger records what the gateway said


def test_without_a_success_field_any_2xx_is_sent() -> None:
    assert judge(200, "OK").verdict == "sent"
    assert judge(400, "bad").verdict == "rejected"


def test_nested_success_field_and_boolean_values() -> None:
    body = json.dumps({"messages": [{"status": {"groupName": "PENDING"}}]})
    assert (
        judge(200, body, success_field="messages.0.status.groupName", success_values="pending")
    ).verdict == "sent"
    assert judge(200, '{"success": true}', success_field="success").verdict == "sent"
    assert judge(200, '{"success": false}', success_field="success").verdict == "rejected"


def test_placeholders_are_filled_in_values_never_in_json_text() -> None:
    template = {"to": "{to}", "msg": "{text}", "meta": ["{key}", 5, True], "other": "{nope}"}
    filled = fill(template, {"to": "+6281", "text": 'Kata "kutip" {key}', "key": "k1"})
    assert filled == {
        "to": "+6281",
        "msg": 'Kata "kutip" {key}',
        "meta": ["k1", 5, True],
        "other": "{nope}",
    }


def _outgoing(phone: str | None) -> Outgoing:
    profile = Profile(officer_id="o1", name="Rina", phone=phone)
    return Outgoing(key="key-1", recipient=profile, message=Rendered("s", "t", "h", "Halo SMS"))


def test_form_request_for_a_gateway_with_a_user_key_in_the_body() -> None:
    settings = Settings(
        sms_gateway_url="https://gateway.example.co.id/api/send",
        sms_gateway_format="form",
        sms_gateway_fields='{"userkey": "{user}", "passkey": "{password}", "to": "{to_local}", '
        '"message": "{text}"}',
        sms_gateway_user="karo",
        sms_gateway_password=SecretStr("rahasia"),
    )
    request = SmsGatewayChannel(settings).request_for(_outgoing("0812-6000-0001"))
    assert request.method == "POST"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert isinstance(request.body, str)
    assert parse_qs(request.body) == {
        "userkey": ["karo"],
        "passkey": ["rahasia"],
        "to": ["081260000001"],
        "message": ["Halo SMS"],
    }


def test_json_request_with_a_bearer_token_and_query_request_by_get() -> None:
    settings = Settings(
        sms_gateway_url="https://gateway.example.co.id/v1/sms",
        sms_gateway_auth_value=SecretStr("Bearer t0ken"),
    )
    request = SmsGatewayChannel(settings).request_for(_outgoing("+62 812 6000 0001"))
    assert request.headers["Authorization"] == "Bearer t0ken"
    assert isinstance(request.body, bytes)
    assert json.loads(request.body) == {"to": "+6281260000001", "text": "Halo SMS", "ref": "key-1"}
    by_get = Settings(sms_gateway_url="https://gw.example/send", sms_gateway_method="GET")
    url = SmsGatewayChannel(by_get).request_for(_outgoing("6281260000001")).url
    assert url is not None
    assert parse_qs(urlsplit(url).query)["to"] == ["+6281260000001"]


@pytest.mark.parametrize("phone", ["0215551234", "+14155550100", "0812", "nomor saya"])
def test_a_number_that_is_no_indonesian_mobile_is_refused_for_good(phone: str) -> None:
    channel = SmsGatewayChannel(Settings(sms_gateway_url="https://gw.example/send"))
    with pytest.raises(PermanentDeliveryError, match="invalid phone number"):
        channel.request_for(_outgoing(phone))


def test_a_gateway_configuration_that_is_not_json_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="not JSON"):
        SmsGatewayChannel(Settings(sms_gateway_url="https://gw", sms_gateway_fields="to={to}"))


def test_what_is_recorded_of_a_send_hides_the_number_and_secrets_in_every_spelling() -> None:
    hidden = ["+6281260001234", "6281260001234", "081260001234", "s3cret key", ""]
    text = (
        '200 {"to": "+6281260001234", "msisdn": "6281260001234", "local": "081260001234"} '
        "url: /send?to=%2B6281260001234&pass=s3cret+key (refused) s3cret%20key"
    )
    said = redact(text, hidden)
    for secret in ("81260001234", "s3cret", "%2B62"):
        assert secret not in said
    assert said.startswith('200 {"to": "[…]"')
    assert "url: /send?[…] (refused)" in said
    # Nothing to hide leaves the text as it was.
    assert redact('200 {"status": "ok"}', ["", ""]) == '200 {"status": "ok"}'
