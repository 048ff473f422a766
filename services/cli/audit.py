"""``pantau audit verify``: check that no case's audit trail was edited, removed or reordered."""

from __future__ import annotations

import sys

import click

from shared.settings import get_settings


@click.group()
def audit() -> None:
    """The case audit trail."""


@audit.command("verify")
@click.option("--case", "case_id", default=None, help="Only this case (its id).")
@click.option("--region", default=None, help="Only cases of this regency or province.")
def verify(case_id: str | None, region: str | None) -> None:
    """Recompute every entry's hash and follow each chain; exit 1 if anything is off."""
    from services.intake.actions import write as case_actions
    from services.intake.bootstrap import bootstrap

    bootstrap(get_settings())
    verdicts = [case_actions.verify_case(case_id)] if case_id else case_actions.verify_all(region)
    broken = [v for v in verdicts if not v.intact]
    for verdict in broken:
        for problem in verdict.problems:
            click.echo(f"case {verdict.case_id}: {problem}")
    entries = sum(v.entries for v in verdicts)
    if broken:
        click.echo(f"TAMPERED: {len(broken)} of {len(verdicts)} cases ({entries} entries)")
        sys.exit(1)
    click.echo(f"intact: {len(verdicts)} cases, {entries} entries")
