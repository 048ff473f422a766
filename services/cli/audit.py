"""``pantau audit``: check that no case's audit trail was edited, removed or reordered, and
take anchors that prove it to someone who does not trust the database's administrators."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from shared.settings import get_settings


@click.group()
def audit() -> None:
    """The case audit trail."""


@audit.command("verify")
@click.option("--case", "case_id", default=None, help="Only this case (its id).")
@click.option("--region", default=None, help="Only cases of this regency or province.")
@click.option(
    "--anchor",
    "anchor_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Also check that nothing written before this anchor (`pantau audit anchor`) changed.",
)
def verify(case_id: str | None, region: str | None, anchor_file: Path | None) -> None:
    """Recompute every entry's hash and follow each chain; exit 1 if anything is off."""
    from services.intake.actions import audit_anchor, audit_reads
    from services.intake.bootstrap import bootstrap

    anchor = None
    if anchor_file is not None:
        data = anchor_file.read_bytes()
        try:
            anchor = audit_anchor.read_anchor(data)
        except audit_anchor.AnchorError as exc:
            raise click.UsageError(f"{anchor_file}: {exc}") from exc
    bootstrap(get_settings())
    verdicts = [audit_reads.verify_case(case_id)] if case_id else audit_reads.verify_all(region)
    broken = [v for v in verdicts if not v.intact]
    for verdict in broken:
        for problem in verdict.problems:
            click.echo(f"case {verdict.case_id}: {problem}")
    entries = sum(v.entries for v in verdicts)
    anchored_broken = []
    if anchor is not None:
        anchored = audit_reads.check_anchor(anchor)
        anchored_broken = [v for v in anchored if not v.intact]
        for verdict in anchored_broken:
            for problem in verdict.problems:
                click.echo(f"case {verdict.case_id}: {problem}")
        click.echo(
            f"anchor of {anchor.taken_at.isoformat()} (sha256 {audit_anchor.fingerprint(data)}):"
            f" {len(anchored) - len(anchored_broken)} of {len(anchored)} cases as anchored"
        )
    if broken or anchored_broken:
        if broken:
            click.echo(f"TAMPERED: {len(broken)} of {len(verdicts)} cases ({entries} entries)")
        if anchored_broken:
            click.echo(f"TAMPERED since the anchor: {len(anchored_broken)} cases")
        sys.exit(1)
    click.echo(f"intact: {len(verdicts)} cases, {entries} entries")


@audit.command("anchor")
@click.option("--region", default=None, help="Only cases of this regency or province.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write the anchor to this file (default: standard output).",
)
def anchor(region: str | None, output: Path | None) -> None:
    """Write down every case's newest audit entry, to be kept outside the database.

    Keep the file where the database's administrators cannot write, and note its SHA-256 (it
    is printed) in a letter or a register: `pantau audit verify --anchor FILE` then proves
    that nothing written before the anchor was rewritten since, even with every hash after it
    recomputed.
    """
    from services.intake.actions import audit_anchor, audit_reads
    from services.intake.bootstrap import bootstrap

    bootstrap(get_settings())
    taken = audit_reads.take_anchor(datetime.now(UTC), region)
    data = audit_anchor.anchor_bytes(taken)
    if output is None:
        click.echo(data.decode(), nl=False)
    else:
        output.write_bytes(data)
    # On standard error when the anchor itself goes to standard output.
    click.echo(
        f"anchored {len(taken.heads)} cases; sha256 {audit_anchor.fingerprint(data)}",
        err=output is None,
    )
