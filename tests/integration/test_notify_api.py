"""Notify's HTTP API and CLI on the real database and broker: delivery history, preferences,
parked notifications with replay, and test sends with the provider's answer."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from services.cli.infra import free_port
from services.cli.mailbox import MailSink
from services.cli.main import cli
from services.notify.app import create_app
from services.notify.channels.base import TransientDeliveryError
from services.notify.delivery import NotifyDeps, handle
from services.notify.digest import flush_due
from shared import ladder_steps
from shared.auth import Principal
from shared.broker.consumer import ATTEMPT_HEADER
from shared.contracts import new_envelope
from shared.settings import Settings, get_settings
from tests.integration.test_notify_delivery import (
    Clock,
    assigned,
    at,
    escalated,
    ledger,
    notify_deps_for,
    officer,
    with_gateway,
)
from tests.integration.test_notify_worker import consumer, publish
from tests.support.broker import channel, depth, running
from tests.support.builders import plain_text
from tests.support.sms_gateway import SmsGateway
from tests.support.waiting import eventually

PRINCIPALS = {
    "officer-joni": Principal("k1", "karo-bkpsdm-1", "12.06", "officer"),
    "officer-maria": Principal("k2", "karo-bkpsdm-2", "12.06", "officer"),
    "supervisor-karo": Principal("k3", "Kepala BKPSDM Karo", "12.06", "supervisor"),
    "supervisor-kukar": Principal("k4", "Kepala BKPSDM Kukar", "64.02", "supervisor"),
    "operator-sumut": Principal("k5", "Operator Sumut", "12", "operator"),
    "operator-kaltim": Principal("k6", "Operator Kaltim", "64", "operator"),
    "submitter-karo": Principal("k7", "Diskominfo Karo", "12.06", "submitter"),
    "auditor-sumut": Principal("k8", "Inspektorat Sumut", "12", "auditor"),
}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def sms_gateway() -> Iterator[SmsGateway]:
    gateway = SmsGateway().start()
    yield gateway
    gateway.stop()


@pytest.fixture
def configured(settings: Settings, mail_sink: MailSink, sms_gateway: SmsGateway) -> Settings:
    return with_gateway(settings, sms_gateway, smtp_port=mail_sink.port)


@pytest.fixture
def app(configured: Settings) -> Flask:
    return create_app({"TESTING": True, "PANTAU_AUTHENTICATE": PRINCIPALS.get}, settings=configured)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


# --- delivery history --------------------------------------------------------------------------


def test_history_shows_who_was_told_what_when_and_how_per_tenant(
    client: FlaskClient, configured: Settings, sms_gateway: SmsGateway
) -> None:
    nd = notify_deps_for(configured)
    sms_gateway.mode = "permanent"
    envelope, event = assigned(officer(phone="081260000002"), priority="high")
    handle(envelope, event, nd)
    answer = client.get(f"/v1/cases/{event.case_id}/deliveries", headers=auth("officer-joni"))
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert body is not None
    by_channel = {d["channel"]: d for d in body["deliveries"]}
    assert by_channel["email"]["status"] == "sent"
    assert by_channel["email"]["recipient"] == {
        "officer_id": "karo-bkpsdm-1",
        "name": "Joni Sitepu",
    }
    assert by_channel["email"]["subject"].startswith("[Pantau] Kasus baru")
    [mail_attempt] = by_channel["email"]["attempts"]
    assert mail_attempt["answer"].startswith("250")
    assert mail_attempt["at"]
    assert by_channel["sms"]["status"] == "failed"
    assert "invalid destination number" in by_channel["sms"]["attempts"][0]["error"]
    assert "outbox" not in by_channel["email"]
    # The province sees it; another regency, or a submitter, does not.
    url = f"/v1/cases/{event.case_id}/deliveries"
    assert client.get(url, headers=auth("auditor-sumut")).status_code == 200
    assert client.get(url, headers=auth("supervisor-kukar")).status_code == 404
    assert client.get(url, headers=auth("operator-kaltim")).status_code == 404
    assert client.get(url, headers=auth("submitter-karo")).status_code == 403
    assert client.get(url).status_code == 401
    assert client.get("/v1/cases/nope/deliveries", headers=auth("officer-joni")).status_code == 404


def test_history_of_an_escalation_names_its_ladder_step(
    client: FlaskClient, configured: Settings
) -> None:
    nd = notify_deps_for(configured)
    step = ladder_steps.reminder_key("lapor_verification", at(0).date(), timedelta(hours=24))
    envelope, event = escalated(officer(), priority="high", step=step)
    handle(envelope, event, nd)
    url = f"/v1/cases/{event.case_id}/deliveries"
    [shown] = client.get(url, headers=auth("officer-joni")).json["deliveries"]  # type: ignore[index]
    assert shown["event_type"] == "case.escalated"
    assert shown["step"] == step
    assert "resend" not in shown


def _quiet_night(configured: Settings) -> tuple[Clock, NotifyDeps]:
    """23:00 WIB, and Joni holds alerts from 22:00 to 06:00."""
    clock = Clock(at(16, 0))
    nd = notify_deps_for(configured, clock=clock)
    nd.recipients.insert_one(
        {
            "_id": "karo-bkpsdm-1",
            "name": "Joni",
            "preferences": {"quiet_hours": {"start": "22:00", "end": "06:00"}},
        }
    )
    return clock, nd


def test_history_of_a_held_alert_shows_its_digest(
    client: FlaskClient, configured: Settings, mail_sink: MailSink
) -> None:
    clock, nd = _quiet_night(configured)
    envelope, event = assigned(priority="low")
    handle(envelope, event, nd)
    url = f"/v1/cases/{event.case_id}/deliveries"
    [held] = client.get(url, headers=auth("officer-joni")).json["deliveries"]  # type: ignore[index]
    assert held["status"] == "held"
    assert held["reason"] == "quiet hours"
    assert held["release_at"] == at(23, 0).isoformat()
    clock.set(at(23, 0))
    assert flush_due(nd) == 1
    shown = client.get(url, headers=auth("officer-joni")).json["deliveries"]  # type: ignore[index]
    item, digest = sorted(shown, key=lambda d: d["kind"])
    assert item["status"] == "sent"
    assert item["digest"]["status"] == "sent"
    assert digest["kind"] == "digest"
    assert digest["alerts_in_digest"] == 1
    assert len(mail_sink.messages) == 1


def test_an_assignment_sent_again_and_held_is_marked_in_the_digest(
    client: FlaskClient, configured: Settings, mail_sink: MailSink
) -> None:
    clock, nd = _quiet_night(configured)
    _, event = assigned(priority="low")
    resent = event.model_copy(update={"reason": ladder_steps.resend_reason(2)})
    handle(new_envelope(resent, tenant="12.06", correlation_id="corr-42"), resent, nd)
    other_envelope, other = assigned(case_id="65f0c0ffee0000000000abce", code="X", priority="low")
    handle(other_envelope, other, nd)
    # The case's history says which resend it was; the other case's alert, nothing of it.
    url = f"/v1/cases/{event.case_id}/deliveries"
    [held] = client.get(url, headers=auth("officer-joni")).json["deliveries"]  # type: ignore[index]
    assert held["resend"] == 2
    other_url = f"/v1/cases/{other.case_id}/deliveries"
    [first] = client.get(other_url, headers=auth("officer-joni")).json["deliveries"]  # type: ignore[index]
    assert "resend" not in first
    assert "step" not in first
    clock.set(at(23, 0))
    assert flush_due(nd) == 1
    [digest] = mail_sink.wait_for(1, timeout=5)
    lines = {line.split(" | ")[0]: line for line in plain_text(digest).splitlines()}
    assert lines["- K7QM-3XPA-9D2F-HT6W"].endswith("| PENGINGAT")
    assert "PENGINGAT" not in lines["- X"]


# --- preferences -------------------------------------------------------------------------------


def test_officer_reads_and_sets_own_preferences_supervisor_too_others_not(
    client: FlaskClient, configured: Settings
) -> None:
    nd = notify_deps_for(configured)
    handle(*assigned(officer(phone="081260000002")), nd)
    url = "/v1/recipients/karo-bkpsdm-1/preferences"
    mine = client.get(url, headers=auth("officer-joni"))
    assert mine.status_code == 200
    assert mine.json is not None
    assert mine.json["addresses"] == {
        "email": "j***@karo.example",
        "sms": "+62812****0002",
        "chat": None,
    }
    assert mine.json["preferences"]["channels"]["sms"]["min_priority"] == "high"
    assert client.get(url, headers=auth("officer-maria")).status_code == 403
    assert client.get(url, headers=auth("supervisor-kukar")).status_code == 404
    assert client.get(url, headers=auth("auditor-sumut")).status_code == 403
    new = {
        "channels": {"sms": {"min_priority": "urgent"}, "chat": {"enabled": False}},
        "quiet_hours": {"start": "21:30", "end": "05:30", "hold_up_to": "high"},
        "chat_url": "tgram://123456789:AAE-secret-token/-100123",
    }
    changed = client.put(url, json=new, headers=auth("supervisor-karo"))
    assert changed.status_code == 200, changed.json
    assert changed.json is not None
    assert changed.json["preferences"]["quiet_hours"] == {
        "start": "21:30",
        "end": "05:30",
        "hold_up_to": "high",
    }
    assert "secret-token" not in changed.json["chat_url"]
    stored = nd.recipients.find_one({"_id": "karo-bkpsdm-1"})
    assert stored is not None
    assert stored["chat_url"] == new["chat_url"]
    assert stored["preferences_updated_by"] == "Kepala BKPSDM Karo"
    # A new event refreshes contact data and keeps the preferences.
    handle(*assigned(officer(phone="081260000003")), nd)
    again = client.get(url, headers=auth("officer-joni")).json
    assert again is not None
    assert again["preferences"]["channels"]["sms"]["min_priority"] == "urgent"
    assert again["addresses"]["sms"] == "+62812****0003"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"quiet_hours": {"start": "9pm", "end": "06:00"}}, "quiet_hours.start"),
        ({"channels": {"pager": {}}}, "channels.pager"),
        ({"chat_url": "not a url"}, "chat_url"),
    ],
)
def test_invalid_preferences_are_refused_with_the_field(
    client: FlaskClient, configured: Settings, body: dict[str, Any], field: str
) -> None:
    handle(*assigned(), notify_deps_for(configured))
    answer = client.put(
        "/v1/recipients/karo-bkpsdm-1/preferences", json=body, headers=auth("officer-joni")
    )
    assert answer.status_code == 422
    assert answer.json is not None
    assert answer.json["errors"][0]["field"] == field


def test_preferences_of_an_unknown_officer_are_not_found(client: FlaskClient) -> None:
    answer = client.put(
        "/v1/recipients/nobody/preferences", json={}, headers=auth("supervisor-karo")
    )
    assert answer.status_code == 404


# --- parked notifications ----------------------------------------------------------------------


def test_operator_lists_and_replays_parked_messages(
    client: FlaskClient, configured: Settings
) -> None:
    nd = notify_deps_for(configured)
    poison, _ = assigned(case_id="")
    with running(consumer(configured, nd)):
        publish(configured, [poison])
        eventually(lambda: depth(configured, "pantau.notify.parking") == 1, timeout=10)
    listed = client.get("/v1/parked", headers=auth("operator-sumut"))
    assert listed.status_code == 200
    assert listed.json is not None
    [parked] = listed.json["parked"]
    assert parked["id"] == str(poison.id)
    assert parked["tenant"] == "12.06"
    assert parked["reason"].startswith("permanent: the event names no case")
    assert listed.json["queue_depth"] == 1
    # Looking removed nothing; another province's operator sees none of it.
    assert depth(configured, "pantau.notify.parking") == 1
    other = client.get("/v1/parked", headers=auth("operator-kaltim")).json
    assert other is not None
    assert other["parked"] == []
    assert client.get("/v1/parked", headers=auth("supervisor-karo")).status_code == 403
    assert client.post("/v1/parked/nope/replay", headers=auth("operator-sumut")).status_code == 404
    assert (
        client.post(f"/v1/parked/{poison.id}/replay", headers=auth("operator-kaltim")).status_code
        == 404
    )
    replayed = client.post(f"/v1/parked/{poison.id}/replay", headers=auth("operator-sumut"))
    assert replayed.status_code == 200
    assert depth(configured, "pantau.notify.parking") == 0
    connection, ch = channel(configured)
    method, properties, _ = ch.basic_get("pantau.notify", auto_ack=True)
    connection.close()
    assert method is not None
    assert properties.message_id == str(poison.id)
    assert ATTEMPT_HEADER not in properties.headers
    assert properties.headers["x-pantau-replayed-by"] == "Operator Sumut (k5)"


def test_parked_digest_is_listed_and_replayed(
    client: FlaskClient, configured: Settings, mail_sink: MailSink
) -> None:
    down = configured.model_copy(update={"smtp_port": free_port(), "smtp_timeout_s": 1.0})
    # The app stamps the replay with the real time, so this test's clock starts from it.
    clock = Clock(datetime.now(UTC))
    nd = notify_deps_for(down, clock=clock, rate_limit=1, rate_window_s=60, max_attempts=1)
    for i in range(2):
        envelope, event = assigned(case_id=f"d-{i}", priority="low")
        # The first alert meets the mail server down: the broker would retry it.
        with contextlib.suppress(TransientDeliveryError):
            handle(envelope, event, nd)
    clock.set(clock() + timedelta(minutes=1))
    assert flush_due(nd) == 0  # the digest cannot go out and, on its last attempt, parks
    listed = client.get("/v1/parked", headers=auth("operator-sumut")).json
    assert listed is not None
    [digest] = [p for p in listed["parked"] if p["kind"] == "digest"]
    assert digest["status"] == "parked"
    assert digest["alerts"] == 1
    replayed = client.post(f"/v1/parked/{digest['id']}/replay", headers=auth("operator-sumut"))
    assert replayed.status_code == 200
    up = dataclasses.replace(notify_deps_for(configured, clock=clock), max_attempts=1)
    assert flush_due(up) == 1
    assert len(mail_sink.messages) == 1
    [doc] = [d for d in ledger() if d.get("kind") == "digest"]
    assert [a["result"] for a in doc["attempts"]] == ["parked", "replayed", "sent"]


# --- test send ---------------------------------------------------------------------------------


def test_operator_test_send_reports_the_providers_answer(
    client: FlaskClient, configured: Settings, mail_sink: MailSink, sms_gateway: SmsGateway
) -> None:
    handle(*assigned(officer(phone="081260000002")), notify_deps_for(configured))
    sent = client.post(
        "/v1/test-send",
        json={"officer_id": "karo-bkpsdm-1", "channel": "email"},
        headers=auth("operator-sumut"),
    )
    assert sent.status_code == 200, sent.json
    assert sent.json is not None
    assert sent.json["result"] == "sent"
    assert sent.json["answer"].startswith("250")
    assert sent.json["address"] == "j***@karo.example"
    assert "Pesan uji" in str(mail_sink.messages[-1]["Subject"])
    sms_gateway.mode = "permanent"
    refused = client.post(
        "/v1/test-send",
        json={"officer_id": "karo-bkpsdm-1", "channel": "sms"},
        headers=auth("operator-sumut"),
    ).json
    assert refused is not None
    assert refused["result"] == "failed"
    assert "invalid destination number" in refused["answer"]
    sms_gateway.mode = "rate_limit"
    later = client.post(
        "/v1/test-send",
        json={"officer_id": "karo-bkpsdm-1", "channel": "sms"},
        headers=auth("operator-sumut"),
    ).json
    assert later is not None
    assert later["result"] == "retry"
    assert "429" in later["answer"]
    tests = [d for d in ledger() if d.get("kind") == "test"]
    assert sorted(d["status"] for d in tests) == ["failed", "failed", "sent"]
    assert {d["requested_by"] for d in tests} == {"Operator Sumut (k5)"}


@pytest.mark.parametrize(
    ("token", "body", "status"),
    [
        ("operator-sumut", {"officer_id": "nobody", "channel": "email"}, 404),
        ("operator-kaltim", {"officer_id": "karo-bkpsdm-1", "channel": "email"}, 404),
        ("operator-sumut", {"officer_id": "karo-bkpsdm-1", "channel": "chat"}, 422),
        ("operator-sumut", {"officer_id": "karo-bkpsdm-1", "channel": "pigeon"}, 422),
        ("operator-sumut", {"officer_id": "karo-bkpsdm-1"}, 422),
        ("supervisor-karo", {"officer_id": "karo-bkpsdm-1", "channel": "email"}, 403),
    ],
)
def test_test_send_refusals_say_why(
    client: FlaskClient, configured: Settings, token: str, body: dict[str, str], status: int
) -> None:
    handle(*assigned(), notify_deps_for(configured))
    answer = client.post("/v1/test-send", json=body, headers=auth(token))
    assert answer.status_code == status
    assert answer.json is not None
    assert answer.json["detail"]


def test_cli_test_send(
    configured: Settings, mail_sink: MailSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    handle(*assigned(), notify_deps_for(configured))
    for name in ("mongo_url", "db_prefix", "amqp_url", "smtp_port"):
        monkeypatch.setenv(f"PANTAU_{name.upper()}", str(getattr(configured, name)))
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        ok = runner.invoke(
            cli, ["notify", "test-send", "--officer", "karo-bkpsdm-1", "--channel", "email"]
        )
        assert ok.exit_code == 0, ok.output
        assert "email to karo-bkpsdm-1 at j***@karo.example: sent" in ok.output
        assert "provider answer: 250" in ok.output
        missing = runner.invoke(
            cli, ["notify", "test-send", "--officer", "nobody", "--channel", "email"]
        )
        assert missing.exit_code == 2
        assert "no officer 'nobody'" in missing.output
        unconfigured = runner.invoke(
            cli, ["notify", "test-send", "--officer", "karo-bkpsdm-1", "--channel", "sms"]
        )
        assert unconfigured.exit_code == 2
        assert "not configured" in unconfigured.output
    finally:
        get_settings.cache_clear()
    assert len(mail_sink.messages) == 2  # the alert and the test
