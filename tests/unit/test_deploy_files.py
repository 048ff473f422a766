"""The deployment files agree with the code: compose, Dockerfile, Prometheus, RabbitMQ, Grafana.

Nothing here needs Docker. Each check reads a file the operator runs and compares it with what
the code defines (settings, gunicorn ports, broker topology, metric names), so a change on one
side that forgets the other fails here instead of in a deployment.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from prometheus_client import REGISTRY

from deploy.rabbitmq.render_definitions import password_matches, render
from services.cli.infra import TRANSACTION_LIFETIME_S
from services.intake.access.vault import parse_key
from shared.broker.topology import definitions
from shared.sealed_contacts import parse_key as parse_receipt_key
from shared.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
PROMETHEUS = ROOT / "deploy/prometheus/prometheus.yml"
ALERTS = ROOT / "deploy/prometheus/alerts.yml"
DEFINITIONS = ROOT / "deploy/rabbitmq/definitions.json"
RABBITMQ_CONF = ROOT / "deploy/rabbitmq/rabbitmq.conf"
GRAFANA = ROOT / "deploy/grafana"
DASHBOARD = GRAFANA / "dashboards/pantau-overview.json"

SERVICES = ("intake", "triage", "notify")
# The console serves pages and has no worker: it consumes no events.
HTTP_APPS = ("console", *SERVICES)
TOPOLOGY_KEYS = ("vhosts", "exchanges", "queues", "bindings")


def _load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document = _load_yaml(COMPOSE)
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = compose["services"]
    assert isinstance(found, dict)
    return found


def _command(service: dict[str, Any]) -> list[str]:
    command = service.get("command", [])
    return command.split() if isinstance(command, str) else [str(part) for part in command]


def _is_pantau(service: dict[str, Any]) -> bool:
    build = service.get("build")
    if isinstance(build, str):
        return Path(build) == Path(".")
    if isinstance(build, dict):
        return Path(build.get("context", ".")) == Path(".")
    return False


def _http_services(services: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Compose service name -> Pantau service, for the gunicorn apps."""
    found = {}
    for name, service in services.items():
        command = " ".join(_command(service))
        match = re.search(r"gunicorn -c python:services\.(\w+)\.gunicorn_conf", command)
        if match:
            found[name] = match.group(1)
    return found


def _workers(services: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Compose service name -> Pantau service, for the queue workers."""
    found = {}
    for name, service in services.items():
        command = " ".join(_command(service))
        match = re.search(r"python -m services\.(\w+)\.worker", command)
        if match:
            found[name] = match.group(1)
    return found


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(key): str(value) for key, value in env.items()}


def _gunicorn_default_port(service: str) -> int:
    """The port passed to ``bind_for`` in the service's gunicorn_conf.py (read, not imported)."""
    source = (ROOT / "services" / service / "gunicorn_conf.py").read_text(encoding="utf-8")
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "bind_for"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, int)
        ):
            return node.args[0].value
    raise AssertionError(f"no bind_for(<port>) in services/{service}/gunicorn_conf.py")


def _allowed_pantau_variables() -> set[str]:
    prefix = str(Settings.model_config.get("env_prefix", ""))
    names = {f"{prefix}{field}".upper() for field in Settings.model_fields}
    hooks = (ROOT / "shared/gunicorn_hooks.py").read_text(encoding="utf-8")
    names |= set(re.findall(r"environ\.get\(\s*\"(PANTAU_[A-Z0-9_]+)\"", hooks))
    return names


def _settings_from(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings exactly as a process started with this environment would read them."""
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    try:
        return Settings()
    finally:
        for key in env:
            monkeypatch.delenv(key, raising=False)


def _healthcheck_command(service: dict[str, Any]) -> str:
    test = service["healthcheck"]["test"]
    return test if isinstance(test, str) else " ".join(str(part) for part in test)


def _mounts(service: dict[str, Any]) -> dict[str, str]:
    """Bind mounts and volumes of a service: source -> path in the container."""
    mounts = {}
    for volume in service.get("volumes", []):
        source, target = str(volume).split(":")[:2]
        mounts[source] = target
    return mounts


def _published_container_ports(service: dict[str, Any]) -> set[int]:
    ports = set()
    for entry in service.get("ports", []):
        if isinstance(entry, dict):
            ports.add(int(entry["target"]))
        else:
            ports.add(int(str(entry).split("/")[0].rsplit(":", 1)[-1]))
    return ports


# --- docker-compose.yml ---------------------------------------------------------------------


def test_compose_runs_every_http_service_and_worker(services: dict[str, dict[str, Any]]) -> None:
    assert sorted(_http_services(services).values()) == sorted(HTTP_APPS)
    assert sorted(_workers(services).values()) == sorted(SERVICES)


def test_every_pantau_process_runs_the_one_image(services: dict[str, dict[str, Any]]) -> None:
    pantau = {**_http_services(services), **_workers(services)}
    images = set()
    for name in pantau:
        service = services[name]
        assert _is_pantau(service), f"{name} is not built from the project's Dockerfile"
        build = service["build"]
        if isinstance(build, dict):
            assert build.get("dockerfile", "Dockerfile") == "Dockerfile"
        images.add(service.get("image"))
    assert len(images) == 1, f"Pantau services use different images: {images}"


def test_compose_sets_only_variables_the_code_reads(services: dict[str, dict[str, Any]]) -> None:
    allowed = _allowed_pantau_variables()
    assert {"PANTAU_BIND", "PANTAU_WEB_WORKERS", "PANTAU_WEB_THREADS"} <= allowed
    for name, service in services.items():
        unknown = {key for key in _environment(service) if key.startswith("PANTAU_")} - allowed
        assert not unknown, f"{name} sets variables no code reads: {sorted(unknown)}"


def test_compose_environment_is_valid_settings(
    services: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in {**_http_services(services), **_workers(services)}:
        settings = _settings_from(_environment(services[name]), monkeypatch)
        assert urlsplit(settings.mongo_url).hostname in services, name
        assert urlsplit(settings.amqp_url).hostname in services, name
        assert "replicaSet=" in settings.mongo_url, f"{name}: transactions need a replica set"


def test_compose_gives_intake_alone_a_working_vault_key(
    services: dict[str, dict[str, Any]],
) -> None:
    """Without one intake refuses every confidential report, which is the report form's
    default; the key is given to intake's two processes (its worker writes sealed exports)
    and to no other."""
    holders = {n for n, s in services.items() if "PANTAU_VAULT_KEY" in _environment(s)}
    assert holders == {"intake", "intake-worker"}
    for name in holders:
        assert len(parse_key(_environment(services[name])["PANTAU_VAULT_KEY"])) == 32, name


def test_compose_shares_one_receipt_key_between_intake_and_notify_s_worker(
    services: dict[str, dict[str, Any]],
) -> None:
    """Intake seals a citizen's contact with it and notify's worker opens it: the two hold
    the same key, and no other process holds it."""
    holders = {n for n, s in services.items() if "PANTAU_RECEIPT_KEY" in _environment(s)}
    assert holders == {"intake", "notify-worker"}
    keys = {_environment(services[n])["PANTAU_RECEIPT_KEY"] for n in holders}
    assert len(keys) == 1
    assert len(parse_receipt_key(keys.pop())) == 32


def test_http_ports_match_gunicorn_defaults(services: dict[str, dict[str, Any]]) -> None:
    for name, service_name in _http_services(services).items():
        service = services[name]
        port = _gunicorn_default_port(service_name)
        assert "PANTAU_BIND" not in _environment(service), f"{name} moves off its default port"
        assert _published_container_ports(service) <= {port}, name
        assert f":{port}/readyz" in _healthcheck_command(service), name


def test_workers_serve_metrics_without_the_multiprocess_directory(
    services: dict[str, dict[str, Any]],
) -> None:
    # The image sets PROMETHEUS_MULTIPROC_DIR for gunicorn; its mere presence would put a worker's
    # metrics in files that its own /metrics endpoint never reads.
    assert "PROMETHEUS_MULTIPROC_DIR" in DOCKERFILE.read_text(encoding="utf-8")
    for name in _workers(services):
        service = services[name]
        assert _command(service)[:3] == ["env", "-u", "PROMETHEUS_MULTIPROC_DIR"], name
        port = _environment(service).get("PANTAU_METRICS_PORT")
        assert port == "9100", name
        # Readiness, not just liveness: a worker without its broker or database is unhealthy.
        assert f":{port}/readyz" in _healthcheck_command(service), name


def test_every_service_has_a_healthcheck(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"


def _image_service(services: dict[str, dict[str, Any]], image_prefix: str) -> str:
    names = [n for n, s in services.items() if str(s.get("image", "")).startswith(image_prefix)]
    assert len(names) == 1, f"expected one {image_prefix}* service, found {names}"
    return names[0]


def test_pantau_processes_wait_for_healthy_mongo_and_rabbitmq(
    services: dict[str, dict[str, Any]],
) -> None:
    mongo = _image_service(services, "mongo:")
    rabbitmq = _image_service(services, "rabbitmq:")
    for name, service in services.items():
        for dependency, spec in (service.get("depends_on") or {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            if dependency in (mongo, rabbitmq):
                assert spec.get("condition") == "service_healthy", f"{name} -> {dependency}"

    def reachable(start: str) -> set[str]:
        seen: set[str] = set()
        todo = [start]
        while todo:
            for dependency in services[todo.pop()].get("depends_on") or {}:
                if dependency not in seen:
                    seen.add(dependency)
                    todo.append(dependency)
        return seen

    for name in {**_http_services(services), **_workers(services)}:
        assert {mongo, rabbitmq} <= reachable(name), name


def test_mongo_runs_as_a_replica_set_that_is_initiated(
    services: dict[str, dict[str, Any]],
) -> None:
    name = _image_service(services, "mongo:")
    mongo = services[name]
    assert str(mongo["image"]).startswith("mongo:7")
    command = _command(mongo)
    replica_set = command[command.index("--replSet") + 1]
    # An orphaned transaction (a worker killed inside one) is aborted as soon as in local mode.
    assert f"transactionLifetimeLimitSeconds={TRANSACTION_LIFETIME_S}" in command
    check = _healthcheck_command(mongo)
    assert "rs.initiate" in check
    assert "isWritablePrimary" in check
    # The member must carry the name the services connect to, or their drivers cannot find it.
    assert f"host: '{name}:27017'" in check
    for pantau in {**_http_services(services), **_workers(services)}:
        url = _environment(services[pantau])["PANTAU_MONGO_URL"]
        assert urlsplit(url).hostname == name, pantau
        assert f"replicaSet={replica_set}" in url, pantau


# --- Dockerfile -----------------------------------------------------------------------------


def test_dockerfile_runs_intake_as_a_non_root_user_without_the_local_mongod() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert "python:3.11-slim" in text
    users = re.findall(r"^USER\s+(\S+)", text, re.MULTILINE)
    assert users, "the image must not run as root"
    assert users[-1].split(":")[0] not in ("root", "0")
    assert re.search(r"pip install \.(\s|$)", text), "installs the project with its pinned deps"
    assert "localdb" not in re.sub(r"#.*", "", text)
    assert 'CMD ["gunicorn", "-c", "python:services.intake.gunicorn_conf"]' in text


# --- Prometheus -----------------------------------------------------------------------------


def test_prometheus_scrapes_every_http_service_and_worker(
    services: dict[str, dict[str, Any]],
) -> None:
    config = _load_yaml(PROMETHEUS)
    targets: set[tuple[str, int, str]] = set()
    for job in config["scrape_configs"]:
        path = job.get("metrics_path", "/metrics")
        for static in job.get("static_configs", []):
            for target in static["targets"]:
                host, port = target.rsplit(":", 1)
                targets.add((host, int(port), path))
    for name, service_name in _http_services(services).items():
        assert (name, _gunicorn_default_port(service_name), "/metrics") in targets, name
    for name in _workers(services):
        port = int(_environment(services[name])["PANTAU_METRICS_PORT"])
        assert (name, port, "/metrics") in targets, name


def test_prometheus_rule_file_is_mounted_and_valid(services: dict[str, dict[str, Any]]) -> None:
    config = _load_yaml(PROMETHEUS)
    assert config["rule_files"] == ["/etc/prometheus/alerts.yml"]
    alerts = _load_yaml(ALERTS)
    assert isinstance(alerts.get("groups"), list)
    prometheus = services[_image_service(services, "prom/prometheus")]
    mounts = _mounts(prometheus)
    assert mounts["./deploy/prometheus/prometheus.yml"] == "/etc/prometheus/prometheus.yml"
    assert mounts["./deploy/prometheus/alerts.yml"] == "/etc/prometheus/alerts.yml"


# --- RabbitMQ -------------------------------------------------------------------------------


def test_rabbitmq_definitions_are_the_code_topology() -> None:
    document = json.loads(DEFINITIONS.read_text(encoding="utf-8"))
    topology = {key: document[key] for key in TOPOLOGY_KEYS}
    assert topology == definitions(Settings(), "/")
    # Nothing else but the application user that replaces the broker's default one.
    assert set(document) - set(TOPOLOGY_KEYS) == {"users", "permissions"}
    assert document == render(Settings(), "/"), "re-render with deploy.rabbitmq"


def test_compose_processes_declare_the_imported_topology(
    services: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every process declares its queues at start; other arguments than the imported ones
    # (another delay, limit or exchange) would make the broker refuse the declaration.
    document = json.loads(DEFINITIONS.read_text(encoding="utf-8"))
    expected = {key: document[key] for key in TOPOLOGY_KEYS}
    for name in {**_http_services(services), **_workers(services)}:
        settings = _settings_from(_environment(services[name]), monkeypatch)
        vhost = unquote(urlsplit(settings.amqp_url).path[1:]) or "/"
        assert definitions(settings, vhost) == expected, name


def test_compose_amqp_credentials_are_in_the_definitions(
    services: dict[str, dict[str, Any]],
) -> None:
    document = json.loads(DEFINITIONS.read_text(encoding="utf-8"))
    users = {user["name"]: user for user in document["users"]}
    for name in {**_http_services(services), **_workers(services)}:
        url = urlsplit(_environment(services[name])["PANTAU_AMQP_URL"])
        assert url.username in users, f"{name}: the broker has no user {url.username!r}"
        assert password_matches(users[url.username]["password_hash"], url.password or "")
        vhost = unquote(url.path[1:]) or "/"
        rights = [
            p for p in document["permissions"] if p["user"] == url.username and p["vhost"] == vhost
        ]
        assert rights, f"{name}: {url.username} has no rights on {vhost!r}"


def test_rabbitmq_loads_the_mounted_definitions(services: dict[str, dict[str, Any]]) -> None:
    conf = {}
    for line in RABBITMQ_CONF.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            conf[key.strip()] = value.strip()
    rabbitmq = services[_image_service(services, "rabbitmq:")]
    assert str(rabbitmq["image"]).endswith("-management")
    mounts = _mounts(rabbitmq)
    assert mounts.get("./deploy/rabbitmq/definitions.json") == conf["load_definitions"]
    assert mounts.get("./deploy/rabbitmq/rabbitmq.conf") == "/etc/rabbitmq/rabbitmq.conf"


# --- Grafana --------------------------------------------------------------------------------


def _defined_metric_names() -> set[str]:
    """Every sample name the registered collectors can expose."""
    for module in ("shared.metrics", "services.notify.metrics", "services.triage.metrics"):
        importlib.import_module(module)
    suffixes = {
        "counter": ("_total", "_created"),
        "histogram": ("_bucket", "_sum", "_count", "_created"),
        "summary": ("", "_sum", "_count", "_created"),
        "gauge": ("",),
        "info": ("_info",),
    }
    names: set[str] = set()
    for family in REGISTRY.collect():
        names.update(family.name + suffix for suffix in suffixes.get(family.type, ("",)))
        names.update(sample.name for sample in family.samples)
    return names


_PROMQL_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool"}
_PROMQL_KEYWORDS |= {"and", "or", "unless", "offset", "inf", "nan"}


def _promql_metric_names(expr: str) -> set[str]:
    """The metric names an expression selects (functions, labels and keywords left out)."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # string literals
    expr = re.sub(r"\{[^}]*\}", "", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # range and subquery selectors
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)
    names = set()
    # A name never follows a digit or a dot: that would be a number or a duration ("5m").
    for match in re.finditer(r"(?<![\w.])[A-Za-z_:][A-Za-z0-9_:]*", expr):
        word = match.group()
        if expr[match.end() :].lstrip().startswith("("):
            continue  # a function call
        if word.lower() in _PROMQL_KEYWORDS:
            continue
        names.add(word)
    return names


def test_promql_metric_name_extraction() -> None:
    expr = (
        'histogram_quantile(0.99, sum by (service, le) (rate(a_bucket{route!~"/x|y"}'
        "[$__rate_interval]))) / ignoring(le) b_total offset 5m"
    )
    assert _promql_metric_names(expr) == {"a_bucket", "b_total"}


def test_grafana_provisioning_points_at_prometheus_and_the_dashboards(
    services: dict[str, dict[str, Any]],
) -> None:
    datasources = _load_yaml(GRAFANA / "provisioning/datasources/prometheus.yml")["datasources"]
    prometheus_name = _image_service(services, "prom/prometheus")
    (source,) = (d for d in datasources if d["type"] == "prometheus")
    assert urlsplit(source["url"]).hostname == prometheus_name
    providers = _load_yaml(GRAFANA / "provisioning/dashboards/pantau.yml")["providers"]
    grafana = services[_image_service(services, "grafana/grafana")]
    mounts = _mounts(grafana)
    assert mounts["./deploy/grafana/dashboards"] == providers[0]["options"]["path"]


def test_grafana_dashboard_variables_use_only_metrics_the_code_defines() -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    defined = _defined_metric_names()
    for variable in dashboard["templating"]["list"]:
        query = variable["query"]["query"] if isinstance(variable["query"], dict) else ""
        match = re.fullmatch(r"label_values\((\w+),\s*(\w+)\)", query)
        assert match, f"{variable['name']}: unexpected query {query!r}"
        assert match.group(1) in defined, variable["name"]


def test_grafana_dashboard_shows_what_operators_asked_for() -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    exprs = " ".join(t["expr"] for panel in dashboard["panels"] for t in panel["targets"])
    # Golden signals per service, queue depths, intake-to-alert latency, per-regency flow.
    for needle in (
        "pantau_http_requests_total",
        'status=~"5.."',
        "pantau_http_request_duration_seconds_bucket",
        "pantau_queue_messages",
        "pantau_queue_consumers",
        "histogram_quantile(0.5, sum by (le) (rate(pantau_pipeline_latency_seconds_bucket",
        "histogram_quantile(0.99, sum by (le) (rate(pantau_pipeline_latency_seconds_bucket",
        "sum by (tenant) (increase(pantau_cases_accepted_total",
        "pantau_deadline_breaches_total",
        "pantau_outbox_backlog",
        "pantau_notifications_total",
        "pantau_triage_filings_run_again_total",
    ):
        assert needle in exprs, needle


def test_alert_rules_use_only_metrics_the_code_defines() -> None:
    defined = _defined_metric_names() | {"up"}  # up: Prometheus's own series per target
    groups = _load_yaml(ALERTS)["groups"]
    for rule in (rule for group in groups for rule in group["rules"]):
        used = _promql_metric_names(rule["expr"])
        assert used, rule["alert"]
        unknown = used - defined
        assert not unknown, f"{rule['alert']}: {sorted(unknown)} are not defined by the code"


# --- metrics ----------------------------------------------------------------------------------

# Every metric the operations issue names, with its labels: bounded sets only (services, routes,
# methods, statuses, tenants, sources, categories, queues, event types, channels, results).
ISSUE_METRICS = {
    "pantau_http_requests_total": {"service", "route", "method", "status"},
    "pantau_http_request_duration_seconds": {"service", "route", "method"},
    "pantau_cases_accepted_total": {"tenant", "source"},
    "pantau_triage_decisions_total": {"tenant", "category", "priority"},
    "pantau_triage_decision_seconds": set(),
    "pantau_events_consumed_total": {"queue", "type", "outcome"},
    "pantau_events_parked_total": {"queue", "reason"},
    "pantau_event_processing_seconds": {"queue", "type"},
    "pantau_outbox_backlog": {"service"},
    "pantau_outbox_oldest_age_seconds": {"service"},
    "pantau_notifications_total": {"channel", "result"},
    "pantau_deadline_breaches_total": {"tenant"},
    "pantau_pipeline_latency_seconds": {"channel"},
    "pantau_queue_messages": {"queue"},
    "pantau_queue_consumers": {"queue"},
    "pantau_consumer_connected": {"queue"},
    "pantau_build_info": {"service", "version"},
}
# Labels that would make a series per case, person or text: never allowed.
UNBOUNDED_LABELS = {
    "id",
    "case_id",
    "event_id",
    "correlation_id",
    "tracking_code",
    "officer_id",
    "recipient_id",
    "name",
    "email",
    "phone",
    "title",
    "description",
    "message",
    "error",
}


def _metric_labels() -> dict[str, set[str]]:
    """Metric name (as exposed, counters with ``_total``) -> its label names."""
    modules = [
        importlib.import_module(m)
        for m in ("shared.metrics", "services.notify.metrics", "services.triage.metrics")
    ]
    found: dict[str, set[str]] = {}
    for module in modules:
        for value in vars(module).values():
            names = getattr(value, "_labelnames", None)
            name = getattr(value, "_name", None)
            kind = getattr(value, "_type", None)
            if names is None or not isinstance(name, str):
                continue
            found[f"{name}_total" if kind == "counter" else name] = set(names)
    return found


def test_every_metric_the_issue_names_is_defined_with_bounded_labels() -> None:
    labels = _metric_labels()
    for name, expected in ISSUE_METRICS.items():
        assert name in labels, f"{name} is not defined"
        assert labels[name] == expected, (name, labels[name])
    for name, names in labels.items():
        assert name.startswith("pantau_"), name
        assert not names & UNBOUNDED_LABELS, (name, names & UNBOUNDED_LABELS)


def test_grafana_dashboard_uses_only_metrics_the_code_defines() -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    datasources = _load_yaml(GRAFANA / "provisioning/datasources/prometheus.yml")["datasources"]
    uids = {source["uid"] for source in datasources}
    defined = _defined_metric_names()
    panels = dashboard["panels"]
    assert panels
    ids = [panel["id"] for panel in panels]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    for panel in panels:
        assert panel["datasource"]["uid"] in uids, panel["title"]
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            used = _promql_metric_names(target["expr"])
            assert used, f"{panel['title']}: no metric in {target['expr']!r}"
            unknown = used - defined
            assert not unknown, f"{panel['title']}: {sorted(unknown)} are not defined by the code"
