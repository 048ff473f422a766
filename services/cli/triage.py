"""``pantau triage evaluate``: what a candidate rules file, or a candidate model trained on
another set of examples, would change on the cases officers have labelled, before anyone
activates it."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click

from shared.settings import get_settings


@click.group()
def triage() -> None:
    """Triage's rules and what officers taught it."""


@triage.command("evaluate")
@click.option(
    "--rules",
    "rules_file",
    default=None,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The candidate rules (the YAML the configuration API takes).",
)
@click.option(
    "--examples",
    "examples_file",
    default=None,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A candidate model version: the labelled examples (JSON lines, as shipped in "
    "services/triage/rules/examples) to train it on, read beside the rules.",
)
@click.option("--region", default=None, help="Only this regency (default: every regency).")
def evaluate(rules_file: Path | None, examples_file: Path | None, region: str | None) -> None:
    """Run what is in force and the candidate over every labelled case; print the accuracy
    before and after and each case whose proposal changes. Exit 1 when the candidate lowers
    accuracy somewhere (a rules activation would be refused without force)."""
    from services.triage import deps as triage_deps
    from services.triage.bootstrap import bootstrap, ensure_indexes
    from services.triage.config_schema import ConfigInvalid, parse_rules_payload
    from services.triage.domain.learned import LearnedModel, train
    from services.triage.domain.rules import Rules, RulesError
    from services.triage.learning import evaluate_candidate
    from services.triage.rules_files import read_examples
    from shared.regions import parse_region_code

    if rules_file is None and examples_file is None:
        click.echo("error: name a candidate: --rules FILE, --examples FILE or both", err=True)
        sys.exit(2)
    rules: Rules | None = None
    model: LearnedModel | None = None
    try:
        if rules_file is not None:
            rules = parse_rules_payload({"text": rules_file.read_text(encoding="utf-8")})
        if examples_file is not None:
            model = train(read_examples(examples_file.read_text(encoding="utf-8")))
    except (ConfigInvalid, RulesError, UnicodeDecodeError, ValueError) as exc:
        click.echo(f"error: the candidate was refused: {exc}", err=True)
        sys.exit(2)
    if region is not None:
        try:
            code = parse_region_code(region)
        except ValueError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        if code.is_province:
            click.echo("error: rules are kept per regency; name one (e.g. 12.06)", err=True)
            sys.exit(2)
    settings = get_settings()
    bootstrap(settings)
    ensure_indexes()
    deps = triage_deps.build(settings)
    tenants = [code.code] if region is not None else sorted(deps.examples.distinct("tenant"))
    lowered = False
    named = [f"rules {rules.version}"] if rules is not None else []
    named += [f"model {model.version} ({model.size} examples)"] if model is not None else []
    click.echo(f"candidate {', '.join(named)}")
    for tenant in tenants:
        # Without candidate rules the tenant's rules in force are read beside the new model.
        candidate = rules or deps.config.current(tenant).rules
        if model is not None:
            candidate = replace(candidate, learned=model)
        result = evaluate_candidate(deps, tenant, candidate)
        lowered = lowered or result.lowers_accuracy
        click.echo(
            f"{tenant}: {result.examples} labelled cases, correct {result.correct_before} -> "
            f"{result.correct_after} (accuracy {_share(result.accuracy_before)} -> "
            f"{_share(result.accuracy_after)}), {len(result.changes)} changed"
            + (" — LOWERS ACCURACY" if result.lowers_accuracy else "")
        )
        for o in result.changes:
            click.echo(
                f"  {o.case_id}\tlabel {o.final}\tnow {o.current}\tcandidate {o.candidate}"
                f"\t{o.effect}"
            )
    if not tenants:
        click.echo("no labelled cases yet")
    sys.exit(1 if lowered else 0)


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f} %"
