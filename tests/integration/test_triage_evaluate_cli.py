"""``pantau triage evaluate --rules FILE [--region CODE]`` on the real MongoDB: the summary,
the changed cases, and an exit status that says whether the candidate lowers accuracy."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from services.cli.infra import MongoServer
from services.cli.main import cli
from services.triage.bootstrap import bootstrap, ensure_indexes
from services.triage.deps import TriageDeps, build
from services.triage.handlers import handle_status_changed
from services.triage.new_cases import handle_case_submitted
from services.triage.rules_files import default_rules_text
from shared.settings import Settings, get_settings
from tests.unit.triage.builders import (
    HOAX_TEXT,
    HOAX_TITLE,
    KARO,
    FakeClock,
    database_only_settings,
    envelope_of,
    short_sighted_rules_text,
    status_change,
    submitted,
)


@pytest.fixture
def worker(mongo_server: MongoServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[TriageDeps]:
    for settings in database_only_settings(mongo_server.url):
        monkeypatch.setenv("PANTAU_MONGO_URL", settings.mongo_url)
        monkeypatch.setenv("PANTAU_DB_PREFIX", settings.db_prefix)
        get_settings.cache_clear()
        yield _confirmed(settings)
        get_settings.cache_clear()


def _confirmed(settings: Settings) -> TriageDeps:
    bootstrap(settings)
    ensure_indexes()
    deps = build(settings)
    deps.clock = FakeClock()
    texts: list[dict[str, Any]] = [
        {},
        {"title": HOAX_TITLE, "description": HOAX_TEXT, "evidence_urls": []},
    ]
    for changes in texts:
        event = submitted(at=deps.clock(), **changes)
        assert handle_case_submitted(envelope_of(event), event, deps)
        moved = status_change(event.case_id, "verified")
        assert handle_status_changed(envelope_of(moved, at=deps.clock()), moved, deps)
    return deps


def test_a_candidate_that_breaks_confirmed_cases_is_named_case_by_case(
    worker: TriageDeps, tmp_path: Path
) -> None:
    rules = tmp_path / "kandidat.yaml"
    rules.write_text(short_sighted_rules_text(), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["triage", "evaluate", "--rules", str(rules), "--region", KARO]
    )
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0] == "candidate rules short-sighted-1"
    assert lines[1].startswith(f"{KARO}: 2 labelled cases, correct 2 -> ")
    assert "LOWERS ACCURACY" in lines[1]
    changed = [line for line in lines[2:] if line.startswith("  ")]
    assert changed
    ids = {doc["_id"] for doc in worker.examples.find()}
    for line in changed:
        case_id, final, now, candidate, effect = line.strip().split("\t")
        assert case_id in ids
        assert (now, effect) == (f"now {final.removeprefix('label ')}", "broken")
        assert candidate != now.replace("now", "candidate")


def test_the_rules_in_force_change_nothing_anywhere(worker: TriageDeps, tmp_path: Path) -> None:
    rules = tmp_path / "sama.yaml"
    rules.write_text(default_rules_text(), encoding="utf-8")
    result = CliRunner().invoke(cli, ["triage", "evaluate", "--rules", str(rules)])
    assert result.exit_code == 0, result.output
    assert f"{KARO}: 2 labelled cases, correct 2 -> 2 (accuracy 100.0 % -> 100.0 %), 0 changed" in (
        result.output
    )


def test_broken_rules_or_a_province_are_refused(worker: TriageDeps, tmp_path: Path) -> None:
    rules = tmp_path / "rusak.yaml"
    rules.write_text("version: [unclosed", encoding="utf-8")
    result = CliRunner().invoke(cli, ["triage", "evaluate", "--rules", str(rules)])
    assert result.exit_code == 2
    assert "refused" in result.output
    rules.write_text(default_rules_text(), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["triage", "evaluate", "--rules", str(rules), "--region", "12"]
    )
    assert result.exit_code == 2
    assert "regency" in result.output


def test_a_candidate_model_trained_on_other_examples_is_evaluated_beside_the_rules(
    worker: TriageDeps, tmp_path: Path
) -> None:
    """A model version is a set of examples: one that teaches every text is PARPOL breaks
    the labelled cases, and the command names them and exits 1."""
    examples = tmp_path / "contoh.jsonl"
    rows = [
        {"id": f"x-{i}", "title": title, "description": text, "expected_category": category}
        for i, (title, text, category) in enumerate(
            [
                (HOAX_TITLE, HOAX_TEXT, "PARPOL"),
                ("pengurus partai", "ketua ranting", "PARPOL"),
                ("spanduk calon", "dipasang di pagar", "ATRIBUT"),
            ]
        )
    ]
    examples.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["triage", "evaluate", "--examples", str(examples), "--region", KARO]
    )
    assert result.exit_code == 1, result.output
    first, summary = result.output.splitlines()[:2]
    assert first.startswith("candidate model ")
    assert first.endswith("(3 examples)")
    assert summary.startswith(f"{KARO}: 2 labelled cases, correct 2 -> ")
    assert "LOWERS ACCURACY" in summary


def test_without_a_candidate_the_command_says_what_to_name(
    worker: TriageDeps, tmp_path: Path
) -> None:
    result = CliRunner().invoke(cli, ["triage", "evaluate", "--region", KARO])
    assert result.exit_code == 2
    assert "--rules FILE, --examples FILE or both" in result.output


def test_examples_that_are_not_labelled_reports_are_refused(
    worker: TriageDeps, tmp_path: Path
) -> None:
    examples = tmp_path / "rusak.jsonl"
    examples.write_text('{"id": "x-1", "title": "tanpa label"}\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["triage", "evaluate", "--examples", str(examples)])
    assert result.exit_code == 2
    assert "examples line 1" in result.output
