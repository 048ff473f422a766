"""What an operator sees of the running suite: metrics that move with each event, worker
health, one correlation id across every service's logs, a real Prometheus scraping every
process, and the parked-message tools after an SMTP outage."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from aiosmtpd.controller import Controller
from prometheus_client.parser import text_string_to_metric_families

from services.cli.infra import free_port, prometheus_binaries
from services.cli.localmode import ALERT_RULES, Child, prometheus_child, prometheus_config
from shared.broker.parking import ParkingQueue
from tests.support.builders import case_payload
from tests.support.suite import Suite
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "deploy/grafana/dashboards/pantau-overview.json"

Samples = list[tuple[str, dict[str, str], float]]


def scrape(url: str) -> Samples:
    text = requests.get(f"{url}/metrics", timeout=10).text
    return [
        (sample.name, dict(sample.labels), sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    ]


def total(samples: Samples, name: str, **labels: str) -> float:
    """Sum of the samples of ``name`` whose labels include ``labels`` (0 when none)."""
    return sum(
        value
        for sample, found, value in samples
        if sample == name and all(found.get(k) == v for k, v in labels.items())
    )


def present(samples: Samples, name: str, **labels: str) -> bool:
    return any(
        sample == name and all(found.get(k) == v for k, v in labels.items())
        for sample, found, _ in samples
    )


def submit(suite: Suite, key: str, payload: dict[str, Any], correlation_id: str) -> dict[str, Any]:
    answer = requests.post(
        f"{suite.urls['intake']}/v1/cases",
        json=payload,
        headers={"Authorization": f"Bearer {key}", "X-Correlation-ID": correlation_id},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    assert answer.headers["X-Request-ID"] == correlation_id
    body: dict[str, Any] = answer.json()
    return body


def notified(suite: Suite, key: str, case_id: str) -> bool:
    case = suite.case(key, case_id)
    return any(entry["kind"] == "notified" for entry in case["timeline"])


def mailed(suite: Suite, tracking_code: str) -> bool:
    return any(tracking_code in m.as_string() for m in suite.mail.messages)


def pantau(suite: Suite, *args: str) -> subprocess.CompletedProcess[str]:
    """The ``pantau`` command as an operator runs it, against this suite's broker."""
    # The operator's environment is the services' own (broker, virtual host, retry delays).
    env = {
        k: v
        for k, v in suite.children["intake-worker"].env.items()
        if k not in ("PANTAU_METRICS_PORT", "PROMETHEUS_MULTIPROC_DIR")
    }
    return subprocess.run(
        [sys.executable, "-m", "services.cli.main", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def status_args(suite: Suite) -> list[str]:
    args = ["status"]
    for name, url in suite.urls.items():
        args += ["--http", f"{name}={url}"]
    for name, url in suite.worker_urls.items():
        args += ["--worker", f"{name}={url}"]
    return args


@pytest.fixture(scope="module")
def ready(suite: Suite) -> Suite:
    """The suite once every worker's consumer is connected."""
    for url in suite.worker_urls.values():
        eventually(partial(_ready, url), timeout=60)
    return suite


def test_every_worker_reports_its_health_and_every_queue(ready: Suite) -> None:
    for service, url in ready.worker_urls.items():
        assert requests.get(f"{url}/healthz", timeout=5).json()["status"] == "ok"
        readiness = requests.get(f"{url}/readyz", timeout=5).json()
        assert readiness["checks"] == {"rabbitmq": "ok", "mongodb": "ok"}, service
        samples = scrape(url)
        assert total(samples, "pantau_build_info", service=service) == 1
        assert total(samples, "pantau_consumer_connected", queue=f"pantau.{service}") == 1

        def sees_every_consumer(url: str = url) -> bool:
            now = scrape(url)
            return all(
                total(now, "pantau_queue_consumers", queue=f"pantau.{other}") >= 1
                for other in ("intake", "triage", "notify")
            )

        eventually(sees_every_consumer, timeout=30)
    result = pantau(ready, *status_args(ready))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All healthy." in result.stdout


def test_a_case_moves_every_metric_and_carries_one_correlation_id(ready: Suite) -> None:
    suite = ready
    key = suite.key("12.06")
    sources = {**suite.urls, **{f"{k}-worker": v for k, v in suite.worker_urls.items()}}
    before = {name: scrape(url) for name, url in sources.items()}
    correlation_id = uuid.uuid4().hex
    reporter = {
        "anonymous": False,
        "name": "Siti Rahayu",
        "phone": "0812-7777-3456",
        "email": "siti.rahayu@example.go.id",
        "confidential": True,
    }
    created = submit(
        suite,
        key,
        case_payload(source="monitoring", source_ref="ops-1", reporter=reporter),
        correlation_id,
    )
    eventually(lambda: mailed(suite, created["tracking_code"]), timeout=60)
    reader = suite.key("12.06", "supervisor")  # the filer's key reads no timeline
    eventually(lambda: notified(suite, reader, created["id"]), timeout=60)

    def grew(name: str, metric: str, **labels: str) -> bool:
        """Whether ``metric`` of process ``name`` rose by at least one since ``before``."""
        return total(scrape(sources[name]), metric, **labels) >= (
            total(before[name], metric, **labels) + 1
        )

    # intake's HTTP app: the request and the case it registered.
    after = scrape(sources["intake"])
    accepted = {"tenant": "12.06", "source": "monitoring"}
    assert total(after, "pantau_cases_accepted_total", **accepted) == (
        total(before["intake"], "pantau_cases_accepted_total", **accepted) + 1
    )
    post = {"service": "intake", "route": "/v1/cases", "method": "POST"}
    assert grew("intake", "pantau_http_requests_total", status="201", **post)
    assert grew("intake", "pantau_http_request_duration_seconds_count", **post)
    # triage's worker: the event consumed and the decision made.
    assert grew("triage-worker", "pantau_triage_decisions_total", tenant="12.06")
    assert grew("triage-worker", "pantau_triage_decision_seconds_count")
    consumed = {"queue": "pantau.triage", "type": "case.submitted"}
    assert grew("triage-worker", "pantau_events_consumed_total", outcome="ok", **consumed)
    assert grew("triage-worker", "pantau_event_processing_seconds_count", **consumed)
    # intake's relay published the case's event; notify sent the alert.
    assert grew("intake-worker", "pantau_events_published_total", type="case.submitted")
    assert grew("notify-worker", "pantau_notifications_total", channel="email", result="sent")
    assert grew("notify-worker", "pantau_events_consumed_total", queue="pantau.notify")
    # intake's worker saw the alert reach the timeline: the pipeline's latency.
    eventually(
        lambda: grew("intake-worker", "pantau_pipeline_latency_seconds_count", channel="email")
    )

    def reports_backlog(service: str) -> bool:
        return present(
            scrape(sources[f"{service}-worker"]), "pantau_outbox_backlog", service=service
        )

    for service in ("intake", "triage", "notify"):
        eventually(partial(reports_backlog, service), timeout=30)

    # One correlation id, from the HTTP request through every message, in all three services.
    logs = {name: suite.log(name) for name in suite.children}
    for service in ("intake", "triage", "notify"):
        lines = [
            json.loads(line)
            for line in logs[f"{service}-worker"].splitlines()
            if correlation_id in line
        ]
        assert lines, f"{service} logged nothing about the case"
        for line in lines:
            assert line["correlation_id"] == correlation_id
            assert line["service"] == service
            assert line["tenant"] == "12.06"
            assert {"timestamp", "level", "message"} <= set(line)
    handled = {
        (name, line["type"])
        for name in ("intake-worker", "triage-worker", "notify-worker")
        for line in map(json.loads, logs[name].splitlines())
        if line.get("correlation_id") == correlation_id and line["message"] == "event handled"
    }
    assert {
        ("triage-worker", "case.submitted"),
        ("notify-worker", "case.assigned"),
        ("intake-worker", "notification.sent"),
    } <= handled
    # No personal data in any log: not the reporter's, not the officer's.
    everything = "\n".join(logs.values())
    for personal in ("Siti Rahayu", "7777-3456", "siti.rahayu@", "joni.sitepu@karo"):
        assert personal not in everything, personal


@pytest.fixture
def prometheus(ready: Suite, tmp_path: Path) -> Iterator[str]:
    """A real Prometheus scraping every process of the suite, with the alert rules loaded;
    its configuration comes from the function the local mode uses."""
    binaries = prometheus_binaries()
    if binaries is None:
        pytest.fail("Prometheus is not installed: run `.venv/bin/pantau infra prometheus`")
    port = free_port()
    config = prometheus_config(
        {name: _port(url) for name, url in ready.urls.items()},
        {name: _port(url) for name, url in ready.worker_urls.items()},
        rule_files=[str(ALERT_RULES)],
        # Short, for a quick test; also the scrape timeout, which a loaded test machine needs.
        interval="2s",
    )
    child: Child = prometheus_child(
        binaries[0], tmp_path / "prometheus", port, config, log_path=tmp_path / "prometheus.log"
    )
    child.start()
    url = f"http://127.0.0.1:{port}"
    try:
        eventually(lambda: _get(f"{url}/-/ready") == 200, timeout=60)
        yield url
    finally:
        child.stop()
        child.wait(20)


def _scraped_since(prometheus: str, case_id: str) -> bool:
    """Whether every target has been scraped again since this was first asked for
    ``case_id`` (the case's counters are then in Prometheus)."""
    targets = requests.get(f"{prometheus}/api/v1/targets", timeout=10).json()
    scraped = {
        t["scrapeUrl"]: datetime.fromisoformat(t["lastScrape"])
        for t in targets["data"]["activeTargets"]
    }
    marks = _SCRAPE_MARKS.setdefault(case_id, scraped)
    return all(at > marks[url] for url, at in scraped.items())


_SCRAPE_MARKS: dict[str, dict[str, datetime]] = {}


def _port(url: str) -> int:
    port = urlsplit(url).port
    assert port is not None
    return port


def _ready(url: str) -> bool:
    return _get(f"{url}/readyz") == 200


def _get(url: str) -> int:
    try:
        return requests.get(url, timeout=5).status_code
    except requests.RequestException:
        return 0


def _query(url: str, expr: str) -> list[dict[str, Any]]:
    answer = requests.get(f"{url}/api/v1/query", params={"query": expr}, timeout=10).json()
    assert answer["status"] == "success", (expr, answer)
    result: list[dict[str, Any]] = answer["data"]["result"]
    return result


def test_a_real_prometheus_scrapes_every_process_and_answers_the_dashboard(
    ready: Suite, prometheus: str
) -> None:
    def all_up() -> bool:
        targets = requests.get(f"{prometheus}/api/v1/targets", timeout=10).json()
        active = targets["data"]["activeTargets"]
        return len(active) == 6 and all(t["health"] == "up" for t in active)

    eventually(all_up, timeout=60)
    up = _query(prometheus, 'up{job=~"pantau-.*"}')
    assert sorted(r["metric"]["pantau_service"] for r in up) == sorted(
        2 * ["intake", "triage", "notify"]
    )

    # Cases submitted while Prometheus watches: their latency from intake to alert shows up.
    # rate() sees an increase only between two scrapes of a series, so the first case makes
    # the latency series exist and the second moves it.
    for region, ref in (("17.71", "ops-2"), ("64.02", "ops-3")):
        key = ready.key(region)
        payload = case_payload(source="public_report", source_ref=ref)
        created = submit(ready, key, payload, f"prom{ref[-1]}")
        reader = ready.key(region, "supervisor")  # the filer's key reads no timeline
        eventually(partial(notified, ready, reader, created["id"]), timeout=60)
        eventually(partial(_scraped_since, prometheus, created["id"]), timeout=30)
    p50 = "histogram_quantile(0.5, sum by (le) (rate(pantau_pipeline_latency_seconds_bucket[1m])))"
    eventually(lambda: any(float(r["value"][1]) > 0 for r in _query(prometheus, p50)), timeout=60)
    expected = {
        "pantau_build_info",
        "pantau_http_requests_total",
        "pantau_http_request_duration_seconds_bucket",
        "pantau_cases_accepted_total",
        "pantau_triage_decisions_total",
        "pantau_triage_decision_seconds_bucket",
        "pantau_events_consumed_total",
        "pantau_event_processing_seconds_bucket",
        "pantau_events_published_total",
        "pantau_outbox_backlog",
        "pantau_outbox_oldest_age_seconds",
        "pantau_queue_messages",
        "pantau_queue_consumers",
        "pantau_consumer_connected",
        "pantau_notifications_total",
        "pantau_pipeline_latency_seconds_bucket",
    }

    def names() -> set[str]:
        found = _query(prometheus, 'count by (__name__) ({__name__=~"pantau_.+"})')
        return {r["metric"]["__name__"] for r in found}

    eventually(lambda: expected <= names(), timeout=60)

    def regencies() -> set[str]:
        found = _query(prometheus, "sum by (tenant) (pantau_cases_accepted_total)")
        return {r["metric"]["tenant"] for r in found}

    eventually(lambda: {"17.71", "64.02"} <= regencies(), timeout=30)

    # Every dashboard query is valid PromQL for this Prometheus and these series.
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            expr = target["expr"].replace("$__rate_interval", "1m").replace("$tenant", ".*")
            _query(prometheus, expr)
    queue_depths = _query(prometheus, "max by (queue) (pantau_queue_messages)")
    assert len(queue_depths) >= 9  # main and parking queues of three services, and retries

    # The alert rules load and evaluate against the real series without an error.
    def rules_evaluated() -> list[dict[str, Any]]:
        groups = requests.get(f"{prometheus}/api/v1/rules", timeout=10).json()["data"]["groups"]
        rules = [rule for group in groups for rule in group["rules"]]
        return rules if rules and all(r["health"] == "ok" for r in rules) else []

    rules = eventually(rules_evaluated, timeout=60)
    assert len(rules) == 15


def _restart_mail(suite: Suite) -> None:
    """Start SMTP again on the same port, keeping what was received before."""
    sink = suite.mail
    sink.controller = Controller(sink.keeper, hostname=sink.host, port=sink.port)
    sink.start()


def test_smtp_outage_retries_parks_and_the_operator_replays(ready: Suite) -> None:
    suite = ready
    notify = suite.worker_urls["notify"]
    before = scrape(notify)
    key = suite.key("19.02")
    suite.mail.stop()
    try:
        created = submit(
            suite, key, case_payload(source="internal", source_ref="ops-3"), "dead5mtp"
        )
        parked = {"queue": "pantau.notify", "reason": "exhausted"}

        def parked_now() -> bool:
            now = scrape(notify)
            return total(now, "pantau_events_parked_total", **parked) >= (
                total(before, "pantau_events_parked_total", **parked) + 1
            )

        eventually(parked_now, timeout=60)
        after = scrape(notify)
        for metric, labels in (
            ("pantau_events_consumed_total", {"queue": "pantau.notify", "outcome": "retried"}),
            ("pantau_notifications_total", {"channel": "email", "result": "retry"}),
            ("pantau_notifications_total", {"channel": "email", "result": "parked"}),
        ):
            assert total(after, metric, **labels) > total(before, metric, **labels), metric
        eventually(
            lambda: (
                total(scrape(notify), "pantau_queue_messages", queue="pantau.notify.parking") == 1
            ),
            timeout=30,
        )

        listed = pantau(suite, "parked", "list", "--service", "notify")
        assert listed.returncode == 0, listed.stderr
        (line,) = [line for line in listed.stdout.splitlines() if "attempts exhausted" in line]
        assert "case.assigned" in line
        assert "SMTP unavailable" in line
        ident = line.split()[1]
        shown = pantau(suite, "parked", "show", ident)
        assert shown.returncode == 0, shown.stderr
        assert "correlation id: dead5mtp" in shown.stdout
        assert created["id"] in shown.stdout

        status = pantau(suite, *status_args(suite))
        assert status.returncode == 1
        assert "pantau parked list --service notify" in status.stdout
    finally:
        _restart_mail(suite)

    replayed = pantau(suite, "parked", "replay", ident, "--service", "notify", "--yes")
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert "1 message(s) replayed." in replayed.stdout
    eventually(lambda: mailed(suite, created["tracking_code"]), timeout=60)
    assert ParkingQueue(suite.settings, "notify").depth() == 0
    assert total(scrape(notify), "pantau_notifications_total", channel="email", result="sent") > (
        total(before, "pantau_notifications_total", channel="email", result="sent")
    )
    healthy = pantau(suite, *status_args(suite))
    assert healthy.returncode == 0, healthy.stdout


def _gunicorn_workers(master: int) -> set[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return {int(pid) for pid in children}


def test_http_metrics_outlive_a_dead_gunicorn_worker_and_restart_clean(ready: Suite) -> None:
    suite = ready
    intake = suite.urls["intake"]
    key = suite.key("64.08")
    submit(suite, key, case_payload(source="bawaslu_referral", source_ref="ops-5"), "deadw0rker")
    counted = total(scrape(intake), "pantau_cases_accepted_total")
    assert counted >= 1

    # A gunicorn worker dies: the master starts another, and what the dead worker counted stays
    # counted (its files are kept; only its live gauges are dropped), so no counter goes back.
    child = suite.children["intake-http"]
    assert child.process is not None
    master = child.process.pid
    workers = _gunicorn_workers(master)
    victim = min(workers)
    os.kill(victim, signal.SIGKILL)

    def replaced() -> bool:
        now = _gunicorn_workers(master)
        return len(now) == len(workers) and victim not in now

    eventually(replaced, timeout=60)
    assert total(scrape(intake), "pantau_cases_accepted_total") == counted

    # A restarted service starts from a clean folder: files of an earlier run are wiped, so
    # nothing is counted twice (Prometheus sees an ordinary counter reset).
    directory = Path(child.env["PROMETHEUS_MULTIPROC_DIR"])
    stale = directory / "counter_4242.db"
    shutil.copy(next(directory.glob("counter_*.db")), stale)
    child.stop()
    child.wait(20)
    child.start()
    eventually(partial(_ready, intake), timeout=90)
    assert not stale.exists()
    assert total(scrape(intake), "pantau_cases_accepted_total") == 0
