"""``pantau parked …`` and ``pantau status`` against the real broker."""

from __future__ import annotations

from collections.abc import Iterator

import pika
import pytest
from click.testing import CliRunner

from services.cli.infra import free_port
from services.cli.main import cli
from shared.broker.consumer import PARK_REASON_HEADER
from shared.contracts import CaseStatusChanged, encode, new_envelope
from shared.settings import Settings, get_settings
from tests.support.broker import channel, depth


@pytest.fixture
def runner(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """A CLI runner whose settings name this test's virtual host."""
    monkeypatch.setenv("PANTAU_AMQP_URL", settings.amqp_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def _park(settings: Settings, queue: str, body: bytes, reason: str, message_id: str) -> None:
    connection, ch = channel(settings)
    ch.basic_publish(
        exchange="",
        routing_key=queue,
        body=body,
        properties=pika.BasicProperties(
            delivery_mode=2,
            message_id=message_id,
            headers={PARK_REASON_HEADER: reason, "x-pantau-parked-at": 1730689200},
        ),
    )
    connection.close()


def _event(actor: str) -> bytes:
    event = CaseStatusChanged(case_id="c1", from_status="received", to_status="closed", actor=actor)
    return encode(new_envelope(event, tenant="12.06", correlation_id="corr-cli"))


def test_parked_list_show_replay_and_purge(settings: Settings, runner: CliRunner) -> None:
    _park(settings, "pantau.triage.parking", _event("x"), "permanent: unknown officer", "m-1")
    _park(
        settings,
        "pantau.notify.parking",
        _event("Siti 0812-3456-7890 siti@example.go.id"),
        "attempts exhausted: SMTP unavailable",
        "m-2",
    )

    listed = runner.invoke(cli, ["parked", "list"])
    assert listed.exit_code == 0, listed.output
    assert "m-1" in listed.output
    assert "permanent: unknown officer" in listed.output
    assert "m-2" in listed.output
    assert "attempts exhausted: SMTP unavailable" in listed.output
    assert "2 parked message(s)." in listed.output
    only_notify = runner.invoke(cli, ["parked", "list", "--service", "notify"])
    assert "m-2" in only_notify.output
    assert "m-1" not in only_notify.output

    shown = runner.invoke(cli, ["parked", "show", "m-2"])
    assert shown.exit_code == 0, shown.output
    assert "attempts exhausted: SMTP unavailable" in shown.output
    assert "corr-cli" in shown.output
    assert "2024-11-04T03:00:00+00:00" in shown.output
    assert "3456-7890" not in shown.output
    assert "siti@example" not in shown.output
    assert "+62812****7890" in shown.output
    assert "s***@example.go.id" in shown.output
    missing = runner.invoke(cli, ["parked", "show", "nope"])
    assert missing.exit_code == 2
    assert "no parked message nope" in missing.output

    # Declining the confirmation changes nothing.
    declined = runner.invoke(cli, ["parked", "purge", "--all"], input="n\n")
    assert declined.exit_code == 1
    assert depth(settings, "pantau.triage.parking") == 1
    assert depth(settings, "pantau.notify.parking") == 1

    replayed = runner.invoke(cli, ["parked", "replay", "m-1", "--yes"])
    assert replayed.exit_code == 0, replayed.output
    assert "1 message(s) replayed." in replayed.output
    assert depth(settings, "pantau.triage.parking") == 0
    assert depth(settings, "pantau.triage") == 1

    purged = runner.invoke(cli, ["parked", "purge", "--all"], input="y\n")
    assert purged.exit_code == 0, purged.output
    assert "Purge these 1 message(s)?" in purged.output
    assert "1 message(s) purged." in purged.output
    assert depth(settings, "pantau.notify.parking") == 0

    neither = runner.invoke(cli, ["parked", "purge"])
    assert neither.exit_code == 2
    assert "or pass --all" in neither.output


def test_status_names_what_needs_attention(settings: Settings, runner: CliRunner) -> None:
    connection, _ = channel(settings)  # declares the topology, as every process does
    connection.close()
    _park(settings, "pantau.intake.parking", b"{}", "invalid: not an envelope", "m-3")
    down = f"http://127.0.0.1:{free_port()}"
    args = ["status", "--timeout", "1"]
    for name in ("intake", "triage", "notify"):
        args += ["--http", f"{name}={down}", "--worker", f"{name}={down}"]
    args += ["--http", f"console={down}"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    # Four HTTP apps (the console too) and three workers, none of them running.
    assert sum("unreachable" in line for line in lines) == 7
    assert any(
        line.split()[:3] == ["pantau.intake.parking", "1", "0"] and "pantau parked list" in line
        for line in lines
    ), result.output
    # Nothing consumes the service queues in this test: each is flagged.
    assert sum("no consumers" in line for line in lines) == 3
    assert "guest:***@" in result.output
    assert "guest:guest@" not in result.output
