"""``pantau officers``: the officer directory, worked directly on intake's database.

The same validation as the HTTP API (``services.intake.directory.schema``) and the same writes
(``services.intake.directory.officers``), so every change is announced as ``officer.changed`` too.
"""

from __future__ import annotations

import getpass
import json
import sys
from typing import Any, NoReturn

import click
from pydantic import ValidationError

from services.intake.directory.schema import OFFICER_ROLES, UNITS
from shared.settings import get_settings


def _intake() -> None:
    from services.intake.bootstrap import bootstrap, ensure_indexes

    bootstrap(get_settings())
    ensure_indexes()


def _fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _invalid(exc: ValidationError) -> NoReturn:
    from shared.field_errors import field_errors

    for error in field_errors(exc):
        click.echo(f"error: {error['field'] or '(input)'}: {error['message']}", err=True)
    sys.exit(2)


def _actor() -> dict[str, Any]:
    from services.intake.directory.officers import actor_of

    return actor_of(f"cli ({getpass.getuser()})", role="cli")


def _line(doc: dict[str, Any]) -> str:
    state = "active" if doc.get("active", True) else "inactive"
    return (
        f"{doc['_id']}\t{doc['region']}\t{doc['unit']}\t{doc['role']}\t{state}\t"
        f"v{doc['version']}\t{doc['name']}"
    )


def _show(doc: dict[str, Any]) -> None:
    shown = {"officer_id": doc["_id"], **{k: v for k, v in doc.items() if k != "_id"}}
    click.echo(json.dumps(shown, indent=2, ensure_ascii=False, default=str))


@click.group()
def officers() -> None:
    """The officer directory: who works where and how to reach them."""


@officers.command("add")
@click.option("--id", "officer_id", required=True, help="Slug, e.g. karo-bkpsdm-1.")
@click.option("--region", required=True, help="Regency (12.06) or province (12) code.")
@click.option("--unit", required=True, type=click.Choice(UNITS))
@click.option("--role", default="officer", show_default=True, type=click.Choice(OFFICER_ROLES))
@click.option("--name", required=True)
@click.option("--email", default=None)
@click.option("--phone", default=None, help="Indonesian mobile number (08…, +628…).")
@click.option("--language", default="id", show_default=True, type=click.Choice(["id", "en"]))
@click.option("--timezone", default=None, help="Default: the region's zone.")
@click.option("--conflict", "conflicts", multiple=True, help="Name or NIP; repeat for more.")
def officers_add(**values: Any) -> None:
    """Add an officer."""
    from services.intake.directory import officers as directory
    from services.intake.directory.schema import OfficerCreate

    try:
        data = OfficerCreate.model_validate({**values, "conflicts": list(values["conflicts"])})
    except ValidationError as exc:
        _invalid(exc)
    _intake()
    try:
        doc = directory.create(data, actor=_actor())
    except directory.DirectoryError as exc:
        _fail(str(exc))
    click.echo(f"Added {doc['_id']} ({doc['role']}, {doc['unit']}, {doc['region']}).")


@officers.command("list")
@click.option("--region", default=None, help="Only officers of this region.")
@click.option("--unit", default=None, type=click.Choice(UNITS))
@click.option("--all", "show_all", is_flag=True, help="Also deactivated officers.")
def officers_list(region: str | None, unit: str | None, show_all: bool) -> None:
    """List officers (id, region, unit, role, state, version, name)."""
    from services.intake.directory import officers as directory

    _intake()
    for doc in directory.list_officers(region=region, unit=unit, active=None if show_all else True):
        click.echo(_line(doc))


@officers.command("show")
@click.argument("officer_id")
def officers_show(officer_id: str) -> None:
    """Show one officer's entry."""
    from services.intake.directory import officers as directory

    _intake()
    doc = directory.get(officer_id)
    if doc is None:
        _fail(f"no officer {officer_id}", 1)
    _show(doc)


@officers.command("update")
@click.argument("officer_id")
@click.option("--version", type=int, default=None, help="The version you read (default: now).")
@click.option("--region", default=None)
@click.option("--unit", default=None, type=click.Choice(UNITS))
@click.option("--role", default=None, type=click.Choice(OFFICER_ROLES))
@click.option("--name", default=None)
@click.option("--email", default=None, help="'' removes the address.")
@click.option("--phone", default=None, help="'' removes the number.")
@click.option("--language", default=None, type=click.Choice(["id", "en"]))
@click.option("--timezone", default=None)
@click.option("--conflict", "conflicts", multiple=True, help="Replaces the list; repeat.")
@click.option("--no-conflicts", is_flag=True, help="Clear the declared conflicts.")
@click.option("--reactivate", is_flag=True, help="Make a deactivated officer active again.")
def officers_update(
    officer_id: str,
    version: int | None,
    conflicts: tuple[str, ...],
    no_conflicts: bool,
    reactivate: bool,
    **values: str | None,
) -> None:
    """Change some fields of an officer's entry."""
    from services.intake.directory import officers as directory
    from services.intake.directory.schema import ChangeRefused, OfficerPatch

    _intake()
    current = directory.get(officer_id)
    if current is None:
        _fail(f"no officer {officer_id}", 1)
    body: dict[str, Any] = {k: v for k, v in values.items() if v is not None}
    for nullable in ("email", "phone"):
        if body.get(nullable) == "":
            body[nullable] = None
    if conflicts or no_conflicts:
        body["conflicts"] = list(conflicts)
    if reactivate:
        body["active"] = True
    body["version"] = version if version is not None else current["version"]
    try:
        patch = OfficerPatch.model_validate(body)
    except ValidationError as exc:
        _invalid(exc)
    try:
        doc = directory.update(officer_id, patch, actor=_actor())
    except ChangeRefused as exc:
        _fail(f"{exc.field}: {exc.message}")
    except directory.DirectoryError as exc:
        _fail(str(exc))
    click.echo(f"{doc['_id']} is now at version {doc['version']}.")


@officers.command("deactivate")
@click.argument("officer_id")
def officers_deactivate(officer_id: str) -> None:
    """Deactivate an officer: no more cases or alerts; the entry is kept."""
    from services.intake.directory import officers as directory

    _intake()
    try:
        doc = directory.deactivate(officer_id, actor=_actor())
    except directory.OfficerNotFound as exc:
        _fail(str(exc), 1)
    except directory.DirectoryError as exc:
        _fail(str(exc))
    click.echo(f"Deactivated {doc['_id']} (version {doc['version']}).")


@officers.command("invite")
@click.option("--email", required=True, help="The address of an active officer.")
def officers_invite(email: str) -> None:
    """Print a one-time sign-in link (30 minutes, one use) for the officer with this address.

    Nothing is mailed: hand the link over yourself. It is the last line of the output, alone.
    """
    from datetime import UTC, datetime

    from services.intake.access.invitations import issue_link
    from services.intake.directory import officers as directory

    _intake()
    officer = directory.find_by_email(email.strip())
    if officer is None:
        _fail(f"no active officer has the e-mail address {email.strip()!r}", 1)
    link = issue_link(
        officer,
        "invitation",
        issued_by=_actor(),
        console_url=get_settings().console_url,
        now=datetime.now(UTC),
        send=False,
    )
    click.echo(
        f"One-time sign-in link for {officer['name']} ({officer['_id']}, {officer['role']}), "
        "valid 30 minutes; any older link of theirs no longer works:"
    )
    click.echo(link)
