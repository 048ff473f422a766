"""``pantau officers invite --email``: a one-time link for an active officer, printed alone on
the last line, on the real MongoDB."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from services.cli.main import cli
from services.intake.access import links
from services.intake.access.account_models import SignInLink
from services.intake.bootstrap import bootstrap, ensure_indexes
from services.intake.directory import officers as directory
from services.intake.directory.schema import OfficerCreate
from shared.settings import Settings, get_settings

CONSOLE = "https://pantau.karokab.example"


@pytest.fixture
def runner(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("PANTAU_MONGO_URL", settings.mongo_url)
    monkeypatch.setenv("PANTAU_DB_PREFIX", settings.db_prefix)
    monkeypatch.setenv("PANTAU_CONSOLE_URL", CONSOLE)
    get_settings.cache_clear()
    bootstrap(settings)
    ensure_indexes()
    directory.create(
        OfficerCreate(
            officer_id="karo-invite-1",
            region="12.06",
            unit="BKPSDM",
            name="Rehulina Br Sembiring",
            email="rehulina@karo.example",
        ),
        actor=directory.actor_of("test"),
    )
    yield CliRunner()
    get_settings.cache_clear()


def token_of(link: str) -> str:
    prefix = CONSOLE + links.PATH
    assert link.startswith(prefix), link
    return link[len(prefix) :]


def test_the_link_is_the_last_line_alone_and_opens_the_console(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["officers", "invite", "--email", "Rehulina@KARO.example"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "Rehulina Br Sembiring" in result.output
    link = lines[-1]
    assert link == link.strip()
    assert " " not in link
    view = links.inspect(token_of(link), datetime.now(UTC))
    assert view.state == "valid"
    assert view.officer_id == "karo-invite-1"
    assert view.purpose == "invitation"
    # Printed, not mailed: the stored link carries no event for notify.
    [doc] = list(SignInLink._get_collection().find({}))
    assert not doc.get("outbox")


def test_a_newer_link_voids_the_older_one(runner: CliRunner) -> None:
    first = runner.invoke(cli, ["officers", "invite", "--email", "rehulina@karo.example"])
    second = runner.invoke(cli, ["officers", "invite", "--email", "rehulina@karo.example"])
    now = datetime.now(UTC)
    assert links.inspect(token_of(first.output.splitlines()[-1]), now).state == "spent"
    assert links.inspect(token_of(second.output.splitlines()[-1]), now).state == "valid"


def test_an_unknown_address_is_a_clear_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["officers", "invite", "--email", "nobody@karo.example"])
    assert result.exit_code == 1
    assert "no active officer has the e-mail address 'nobody@karo.example'" in result.output
    assert links.PATH not in result.output
    assert SignInLink._get_collection().count_documents({}) == 0


def test_a_deactivated_officer_gets_no_link(runner: CliRunner) -> None:
    directory.deactivate("karo-invite-1", actor=directory.actor_of("test"))
    result = runner.invoke(cli, ["officers", "invite", "--email", "rehulina@karo.example"])
    assert result.exit_code == 1
    assert SignInLink._get_collection().count_documents({}) == 0
