"""The ``pantau`` command: local mode, demo and administration."""

from __future__ import annotations

import sys

import click

from services.cli.audit import audit
from services.cli.infra import (
    InfraError,
    ensure_checkov,
    ensure_chromium,
    ensure_kubectl,
    ensure_nginx,
    ensure_prometheus,
    ensure_rabbitmq,
)
from services.cli.officers import officers
from services.cli.ops import parked, status
from services.cli.triage import triage
from shared.settings import get_settings


@click.group()
def cli() -> None:
    """Pantau: ASN-neutrality and election-hoax case handling for regional governments."""


@cli.group()
def infra() -> None:
    """Servers Pantau needs on this machine."""


@infra.command("broker")
@click.option("--no-install", is_flag=True, help="Do not install RabbitMQ when it is missing.")
def infra_broker(no_install: bool) -> None:
    """Make sure RabbitMQ is running (start it, or install Debian's package)."""
    try:
        ensure_rabbitmq(allow_install=not no_install, say=click.echo)
    except InfraError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo("RabbitMQ is running.")


@infra.command("prometheus")
@click.option("--no-install", is_flag=True, help="Do not install Prometheus when it is missing.")
def infra_prometheus(no_install: bool) -> None:
    """Make sure Prometheus and promtool are installed (Debian's package): the local mode
    scrapes every process with it and the tests check the alert rules with promtool."""
    try:
        server, tool = ensure_prometheus(allow_install=not no_install, say=click.echo)
    except InfraError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(f"Prometheus is installed ({server}, {tool}).")


@infra.command("proxy")
@click.option("--no-install", is_flag=True, help="Do not install nginx when it is missing.")
def infra_proxy(no_install: bool) -> None:
    """Make sure Debian's nginx is installed: the local mode and the tests put it in front of
    every HTTP service (deploy/proxy)."""
    try:
        path = ensure_nginx(allow_install=not no_install, say=click.echo)
    except InfraError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(f"nginx is installed ({path}).")


@infra.command("browser")
@click.option("--no-install", is_flag=True, help="Do not install Chromium when it is missing.")
def infra_browser(no_install: bool) -> None:
    """Make sure Debian's Chromium is installed: the browser tests drive it with Playwright."""
    try:
        path = ensure_chromium(allow_install=not no_install, say=click.echo)
    except InfraError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(f"Chromium is installed ({path}).")


@infra.command("kubectl")
@click.option("--no-install", is_flag=True, help="Do not install kubectl when it is missing.")
def infra_kubectl(no_install: bool) -> None:
    """Make sure kubectl with kustomize v5 is installed: the tests render the Kubernetes
    overlays (deploy/kubernetes) with it."""
    try:
        path = ensure_kubectl(allow_install=not no_install, say=click.echo)
    except InfraError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(f"kubectl is installed ({path}).")


@infra.command("checkov")
@click.option("--no-install", is_flag=True, help="Do not install checkov when it is missing.")
def infra_checkov(no_install: bool) -> None:
    """Make sure checkov is installed in its own virtualenv (.pantau/tools/checkov): the tests
    scan the rendered Kubernetes manifests with it."""
    try:
        path = ensure_checkov(allow_install=not no_install, say=click.echo)
    except InfraError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(f"checkov is installed ({path}).")


@cli.group()
def keys() -> None:
    """API keys of offices and people."""


def _intake() -> None:
    from services.intake.bootstrap import bootstrap, ensure_indexes

    bootstrap(get_settings())
    ensure_indexes()


@keys.command("create")
@click.option("--region", required=True, help="Region code, e.g. 12.06 (regency) or 12 (province).")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["submitter", "officer", "supervisor", "operator", "auditor"]),
)
@click.option("--name", required=True, help="Whose key this is, e.g. 'Diskominfo Karo'.")
@click.option(
    "--officer",
    "officer_id",
    default=None,
    help="The officer (directory id) whose key this is: their actions are attributed to them.",
)
def keys_create(region: str, role: str, name: str, officer_id: str | None) -> None:
    """Create a key. It is shown once, alone on the last line."""
    from services.intake.access.keys import create_key

    _intake()
    try:
        token, record = create_key(name=name, region=region, role=role, officer_id=officer_id)
    except ValueError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    whose = f", officer {record.officer_id}" if record.officer_id else ""
    click.echo(
        f"Created key {record.prefix} for {record.name} ({record.role}, {record.region}{whose})."
    )
    click.echo("Store it now: it cannot be shown again.")
    click.echo(token)


@keys.command("list")
@click.option("--region", default=None, help="Only keys of this region.")
def keys_list(region: str | None) -> None:
    """List keys (prefixes only; secrets are never stored)."""
    from services.intake.access.models import ApiKey

    _intake()
    query = ApiKey.objects(region=region) if region else ApiKey.objects()
    for key in query.order_by("created_at"):
        state = "revoked" if key.revoked_at else "active"
        click.echo(f"{key.prefix}\t{key.region}\t{key.role}\t{state}\t{key.name}")


@keys.command("revoke")
@click.argument("prefix")
def keys_revoke(prefix: str) -> None:
    """Revoke a key by its prefix; it stops working at once."""
    from services.intake.access.keys import revoke

    _intake()
    if not revoke(prefix):
        click.echo(f"error: no active key with prefix {prefix}", err=True)
        sys.exit(1)
    click.echo(f"Revoked {prefix}.")


@cli.group()
def notify() -> None:
    """Alerts to officers: test the channels."""


@notify.command("test-send")
@click.option("--officer", "officer_id", required=True, help="Officer id, e.g. karo-bkpsdm-1.")
@click.option("--channel", required=True, type=click.Choice(["email", "sms", "chat"]))
def notify_test_send(officer_id: str, channel: str) -> None:
    """Send a test message to an officer and print the provider's answer."""
    import getpass

    from services.notify.bootstrap import bootstrap, deps
    from services.notify.testsend import SendTestRefused, send_test

    settings = get_settings()
    bootstrap(settings)
    try:
        outcome = send_test(deps(settings), officer_id, channel, f"cli ({getpass.getuser()})")
    except SendTestRefused as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(2)
    click.echo(f"{outcome.channel} to {outcome.officer_id} at {outcome.address}: {outcome.result}")
    click.echo(f"provider answer: {outcome.answer}")
    sys.exit(0 if outcome.result == "sent" else 1)


@cli.command("run")
@click.option("--demo", is_flag=True, help="Submit demo cases once everything is up.")
@click.option("--home", default=".pantau", show_default=True, help="Folder for data and logs.")
@click.option("--no-install", is_flag=True, help="Never install system packages.")
def run(demo: bool, home: str, no_install: bool) -> None:
    """Run the whole suite on this machine until Ctrl-C."""
    from services.cli.localmode import LocalSuite

    suite = LocalSuite(home=home, allow_install=not no_install)
    try:
        suite.run(demo=demo)
    except InfraError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


@cli.command("demo")
@click.option("--url", default="http://127.0.0.1:8001", show_default=True, help="Intake URL.")
@click.option("--maildir", default=".pantau/mail", show_default=True, help="Where mails land.")
def demo_cmd(url: str, maildir: str) -> None:
    """Submit realistic demo cases (keys are created for them) and show the alerts."""
    from services.cli.demo import run_demo

    run_demo(url, maildir)


@cli.command("worker")
@click.argument("service", type=click.Choice(["intake", "triage", "notify"]))
def worker(service: str) -> None:
    """Run one service's worker in the foreground."""
    import importlib

    importlib.import_module(f"services.{service}.worker").main()


cli.add_command(audit)
cli.add_command(officers)
cli.add_command(status)
cli.add_command(parked)
cli.add_command(triage)


if __name__ == "__main__":
    cli()
