"""The alert rules: valid for Prometheus, unit-tested with synthetic series, each explained.

promtool (Debian's ``prometheus`` package; ``make test`` installs it through
``pantau infra prometheus``) is required: without it these tests fail rather than skip, so CI
cannot pass with unchecked rules.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.cli.localmode import ALERT_RULES, prometheus_config

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS_DIR = ROOT / "deploy/prometheus"
ALERTS = PROMETHEUS_DIR / "alerts.yml"
ALERTS_TEST = PROMETHEUS_DIR / "alerts_test.yml"
RUNBOOK = ROOT / "docs/operations.md"

# What the operations issue asks to be alerted on, and the alert that answers each.
REQUIRED = {
    "a service down": "PantauTargetDown",
    "error rate up": "PantauHighErrorRate",
    "latency up": "PantauHighLatency",
    "outbox backlog growing": "PantauOutboxBacklogGrowing",
    "outbox backlog old": "PantauOutboxStale",
    "a queue growing": "PantauQueueGrowing",
    "its consumers gone": "PantauQueueConsumersGone",
    "messages being parked": "PantauMessagesParked",
    "notification failures": "PantauNotificationsFailing",
    "deadline breaches rising": "PantauDeadlineBreachesRising",
}


@pytest.fixture(scope="module")
def promtool() -> str:
    path = shutil.which("promtool") or (
        "/usr/bin/promtool" if Path("/usr/bin/promtool").exists() else None
    )
    if path is None:
        pytest.fail(
            "promtool is not installed: run `.venv/bin/pantau infra prometheus` "
            "(Debian's prometheus package); the alert rules must be checked with it"
        )
    return path


def _run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args), cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def _rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"]]


def _anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    slug = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return slug.replace(" ", "-")


def _runbook_sections() -> dict[str, str]:
    """Anchor -> text of each section of the runbook."""
    text = RUNBOOK.read_text(encoding="utf-8")
    parts = re.split(r"^#{2,4} (.+)$", text, flags=re.MULTILINE)
    return {_anchor(parts[i]): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def test_alert_rules_pass_promtool_check(promtool: str) -> None:
    result = _run(promtool, "check", "rules", str(ALERTS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(_rules())} rules found" in result.stdout


def test_alert_rules_pass_their_unit_tests(promtool: str) -> None:
    result = _run(promtool, "test", "rules", ALERTS_TEST.name, cwd=PROMETHEUS_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_every_alert_has_a_unit_test_that_sees_it_fire() -> None:
    document = yaml.safe_load(ALERTS_TEST.read_text(encoding="utf-8"))
    firing = {
        case["alertname"]
        for test in document["tests"]
        for case in test.get("alert_rule_test", [])
        if case.get("exp_alerts")
    }
    names = {rule["alert"] for rule in _rules()}
    assert names - firing == set(), "alerts never shown firing in alerts_test.yml"


def test_the_issue_alerts_exist() -> None:
    names = {rule["alert"] for rule in _rules()}
    missing = {topic: name for topic, name in REQUIRED.items() if name not in names}
    assert not missing, missing


def test_every_alert_has_a_summary_severity_and_a_runbook_section() -> None:
    sections = _runbook_sections()
    for rule in _rules():
        name = rule["alert"]
        assert rule["labels"]["severity"] in ("critical", "warning"), name
        annotations = rule["annotations"]
        assert annotations["summary"].strip(), name
        assert annotations["description"].strip(), name
        anchor = _anchor(name)
        assert annotations["runbook_url"] == f"docs/operations.md#{anchor}", name
        assert anchor in sections, f"docs/operations.md has no section {name}"
        section = sections[anchor]
        for part in ("**Means:**", "**Check:**", "**Do:**"):
            assert part in section, f"{name}: the runbook section lacks {part}"


def test_compose_prometheus_config_is_valid(promtool: str, tmp_path: Path) -> None:
    config = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text(encoding="utf-8"))
    # The rule file sits at its container path there; point it at the checkout's file.
    config["rule_files"] = [str(ALERTS)]
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    result = _run(promtool, "check", "config", str(path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_local_mode_prometheus_config_is_valid(promtool: str, tmp_path: Path) -> None:
    assert ALERT_RULES == ALERTS
    config = prometheus_config(
        {"intake": 8001, "triage": 8002, "notify": 8003},
        {"intake": 9101, "triage": 9102, "notify": 9103},
        rule_files=[str(ALERT_RULES)],
    )
    compose = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text(encoding="utf-8"))
    # The same job names as the deployed configuration, so the alerts' selectors apply.
    local_jobs = {job["job_name"] for job in config["scrape_configs"]}
    assert local_jobs <= {job["job_name"] for job in compose["scrape_configs"]}
    targets = [
        t for job in config["scrape_configs"] for s in job["static_configs"] for t in s["targets"]
    ]
    assert len(targets) == 6
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    result = _run(promtool, "check", "config", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
