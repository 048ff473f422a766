"""The Kubernetes manifests (deploy/kubernetes) render, are valid objects, and agree with the code.

No cluster runs here. Each overlay is rendered with kubectl's kustomize; every core object is
validated against the Kubernetes API's JSON schemas shipped in the kubernetes-validate package,
and the objects of the operators' resource kinds (KEDA, the Prometheus operator, the RabbitMQ
and MongoDB operators) against the fields those operators require. Then the same agreements
as test_deploy_files.py keeps for compose: the same processes and commands, only variables the
settings read, ports the code listens on, and checkov's findings each explained.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml
from pydantic import SecretStr

from deploy.proxy.render import KUBERNETES_FILE, kubernetes_door
from services.cli.infra import (
    KUBECTL_REQUIREMENT,
    TRANSACTION_LIFETIME_S,
    checkov_binary,
    kubectl_binary,
)
from shared.settings import Settings
from tests.unit.test_deploy_files import (
    COMPOSE,
    DEFINITIONS,
    HTTP_APPS,
    SERVICES,
    _allowed_pantau_variables,
    _command,
    _environment,
    _gunicorn_default_port,
    _http_services,
    _load_yaml,
    _settings_from,
    _workers,
)

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = ROOT / "deploy/kubernetes"
OVERLAYS = ("province", "national")
ALLOWED_FINDINGS = KUBERNETES / "checkov-allowed.yaml"
# The oldest Kubernetes the manifests are meant for: every API they use is stable there.
KUBERNETES_VERSION = "1.30"
NAMESPACE = "pantau"
WORKER_METRICS_PORT = 9100

# The operators' resource kinds: no schema ships for them, so their fields are checked here.
CUSTOM_KINDS = {
    ("keda.sh/v1alpha1", "ScaledObject"),
    ("keda.sh/v1alpha1", "TriggerAuthentication"),
    ("monitoring.coreos.com/v1", "ServiceMonitor"),
    ("rabbitmq.com/v1beta1", "RabbitmqCluster"),
    ("mongodbcommunity.mongodb.com/v1", "MongoDBCommunity"),
}


def _render(directory: Path) -> list[dict[str, Any]]:
    kubectl = kubectl_binary()
    assert kubectl, "kubectl with kustomize v5 is missing: `pantau infra kubectl` (make kubectl)"
    rendered = subprocess.run(
        [kubectl, "kustomize", str(directory)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert rendered.returncode == 0, rendered.stderr
    return [doc for doc in yaml.safe_load_all(rendered.stdout) if doc]


@pytest.fixture(scope="module")
def overlays() -> dict[str, list[dict[str, Any]]]:
    return {name: _render(KUBERNETES / "overlays" / name) for name in OVERLAYS}


def _all(overlays: dict[str, list[dict[str, Any]]]) -> Iterator[tuple[str, dict[str, Any]]]:
    for overlay, objects in overlays.items():
        for obj in objects:
            yield overlay, obj


def _of_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def _container(deployment: dict[str, Any]) -> dict[str, Any]:
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert isinstance(container, dict)
    return container


def _pantau_deployments(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The Deployments of Pantau's own processes (the front door has an image of its own)."""
    return {
        name: d
        for name, d in _of_kind(objects, "Deployment").items()
        if _container(d)["image"].rsplit(":", 1)[0].endswith("/pantau")
    }


def _config_maps(objects: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    return {name: cm.get("data", {}) for name, cm in _of_kind(objects, "ConfigMap").items()}


def _environment_of(
    container: dict[str, Any], config_maps: dict[str, dict[str, str]]
) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """A container's literal variables (its ConfigMaps' included) and its Secret references
    (variable -> (Secret, key))."""
    literal: dict[str, str] = {}
    secrets: dict[str, tuple[str, str]] = {}
    for source in container.get("envFrom", []):
        literal.update(config_maps[source["configMapRef"]["name"]])
    for variable in container.get("env", []):
        if "value" in variable:
            literal[variable["name"]] = str(variable["value"])
            continue
        reference = variable["valueFrom"]["secretKeyRef"]
        secrets[variable["name"]] = (reference["name"], reference["key"])
    return literal, secrets


@pytest.fixture(scope="module")
def compose_services() -> dict[str, dict[str, Any]]:
    found = _load_yaml(COMPOSE)["services"]
    assert isinstance(found, dict)
    return found


# --- rendering and validation ---------------------------------------------------------------


def test_every_overlay_renders_the_whole_suite_in_its_namespace(
    overlays: dict[str, list[dict[str, Any]]],
) -> None:
    for overlay, objects in overlays.items():
        kinds = {o["kind"] for o in objects}
        assert {"Deployment", "Service", "PodDisruptionBudget", "NetworkPolicy"} <= kinds, overlay
        for obj in objects:
            if obj["kind"] != "Namespace":
                assert obj["metadata"].get("namespace") == NAMESPACE, (overlay, obj["kind"])
            assert obj["metadata"]["labels"]["app.kubernetes.io/part-of"] == "pantau"


def test_core_objects_match_the_kubernetes_api_schemas(
    overlays: dict[str, list[dict[str, Any]]],
) -> None:
    checked = 0
    for overlay, obj in _all(overlays):
        if (obj["apiVersion"], obj["kind"]) in CUSTOM_KINDS:
            continue
        name = f"{overlay}: {obj['kind']} {obj['metadata']['name']}"
        try:
            # Strict: a misspelt or misplaced field is an error, not silently ignored.
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{name}: {error.message} at {list(error.path)}")
        checked += 1
    assert checked >= 40


def test_the_schema_check_can_fail() -> None:
    broken = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "x"},
        "spec": {"replicas": "two", "selector": {}, "template": {}},
    }
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_only_known_operator_kinds_are_used(overlays: dict[str, list[dict[str, Any]]]) -> None:
    for _, obj in _all(overlays):
        api_group = obj["apiVersion"].split("/")[0]
        if "." in api_group and not api_group.endswith("k8s.io"):
            assert (obj["apiVersion"], obj["kind"]) in CUSTOM_KINDS, obj["kind"]


def test_keda_scales_each_worker_on_its_own_queue(
    overlays: dict[str, list[dict[str, Any]]],
) -> None:
    queues = {q["name"] for q in json.loads(DEFINITIONS.read_text(encoding="utf-8"))["queues"]}
    for overlay, objects in overlays.items():
        deployments = _of_kind(objects, "Deployment")
        auths = _of_kind(objects, "TriggerAuthentication")
        for auth in auths.values():
            for ref in auth["spec"]["secretTargetRef"]:
                assert {"parameter", "name", "key"} <= set(ref), overlay
        scaled = _of_kind(objects, "ScaledObject")
        assert set(scaled) == {f"{s}-worker" for s in SERVICES}, overlay
        for name, obj in scaled.items():
            spec = obj["spec"]
            assert spec["scaleTargetRef"]["name"] == name
            assert name in deployments
            assert 1 <= spec["minReplicaCount"] <= spec["maxReplicaCount"], name
            (trigger,) = spec["triggers"]
            assert trigger["type"] == "rabbitmq"
            metadata = trigger["metadata"]
            service = name.removesuffix("-worker")
            assert metadata["queueName"] == f"pantau.{service}" in queues, name
            assert metadata["mode"] == "QueueLength"
            assert int(metadata["value"]) > 0
            assert trigger["authenticationRef"]["name"] in auths, name
            assert "host" in metadata or any(
                ref["parameter"] == "host"
                for ref in auths[trigger["authenticationRef"]["name"]]["spec"]["secretTargetRef"]
            )


def test_service_monitor_scrapes_every_pantau_process(
    overlays: dict[str, list[dict[str, Any]]],
) -> None:
    for overlay, objects in overlays.items():
        (monitor,) = _of_kind(objects, "ServiceMonitor").values()
        spec = monitor["spec"]
        ports = {e["port"] for e in spec["endpoints"]}
        assert all(e["path"] == "/metrics" for e in spec["endpoints"])
        wanted = spec["selector"]["matchLabels"]
        (components,) = spec["selector"]["matchExpressions"]
        services = _of_kind(objects, "Service")
        for name, deployment in _pantau_deployments(objects).items():
            service = services[name]
            labels = service["metadata"]["labels"]
            assert wanted.items() <= labels.items(), (overlay, name)
            assert labels["app.kubernetes.io/component"] in components["values"], name
            port_names = {p["name"] for p in service["spec"]["ports"]}
            assert port_names & ports, (overlay, name)
            assert service["spec"]["selector"].items() <= (
                deployment["spec"]["template"]["metadata"]["labels"].items()
            )


def test_rabbitmq_cluster_loads_the_generated_definitions(
    overlays: dict[str, list[dict[str, Any]]],
) -> None:
    for overlay, objects in overlays.items():
        (cluster,) = _of_kind(objects, "RabbitmqCluster").values()
        spec = cluster["spec"]
        assert spec["replicas"] == 3
        pod = spec["override"]["statefulSet"]["spec"]["template"]["spec"]
        (volume,) = pod["volumes"]
        (container,) = pod["containers"]
        (mount,) = container["volumeMounts"]
        assert mount["name"] == volume["name"]
        loaded = f"load_definitions = {mount['mountPath']}/definitions.json"
        assert loaded in spec["rabbitmq"]["additionalConfig"], overlay
        data = _config_maps(objects)[volume["configMap"]["name"]]
        assert data["definitions.json"] == DEFINITIONS.read_text(encoding="utf-8")


def test_mongodb_is_a_three_member_replica_set_with_a_referenced_password(
    overlays: dict[str, list[dict[str, Any]]],
) -> None:
    for overlay, objects in overlays.items():
        (mongo,) = _of_kind(objects, "MongoDBCommunity").values()
        spec = mongo["spec"]
        assert spec["members"] == 3, overlay
        assert spec["type"] == "ReplicaSet", overlay
        assert str(spec["version"]).startswith("7."), "production runs MongoDB 7"
        assert spec["security"]["authentication"]["modes"] == ["SCRAM"]
        for user in spec["users"]:
            assert {"name", "db", "passwordSecretRef", "roles", "scramCredentialsSecretName"} <= (
                set(user)
            )
            assert user["roles"]
            assert all({"name", "db"} <= set(r) for r in user["roles"])
        parameters = spec["additionalMongodConfig"]["setParameter"]
        assert parameters["transactionLifetimeLimitSeconds"] == TRANSACTION_LIFETIME_S


# --- the same processes as compose, with the code's variables and ports ----------------------


def test_every_process_compose_runs_is_a_deployment_with_its_command(
    overlays: dict[str, list[dict[str, Any]]], compose_services: dict[str, dict[str, Any]]
) -> None:
    processes = {**_http_services(compose_services), **_workers(compose_services)}
    assert sorted(_http_services(compose_services).values()) == sorted(HTTP_APPS)
    for overlay, objects in overlays.items():
        deployments = _pantau_deployments(objects)
        assert set(deployments) == set(processes), overlay
        images = {_container(d)["image"] for d in deployments.values()}
        assert len(images) == 1, f"{overlay}: Pantau processes use different images: {images}"
        for name, deployment in deployments.items():
            assert _container(deployment)["command"] == _command(compose_services[name]), name


def test_manifests_set_the_variables_compose_sets_and_only_those_the_code_reads(
    overlays: dict[str, list[dict[str, Any]]], compose_services: dict[str, dict[str, Any]]
) -> None:
    allowed = _allowed_pantau_variables()
    for overlay, objects in overlays.items():
        config_maps = _config_maps(objects)
        for name, deployment in _pantau_deployments(objects).items():
            literal, secrets = _environment_of(_container(deployment), config_maps)
            names = set(literal) | set(secrets)
            unknown = names - allowed
            assert not unknown, f"{overlay}/{name} sets variables no code reads: {sorted(unknown)}"
            missing = set(_environment(compose_services[name])) - names
            assert not missing, f"{overlay}/{name} lacks what compose sets: {sorted(missing)}"


def test_every_secret_setting_comes_from_a_secret_by_reference(
    overlays: dict[str, list[dict[str, Any]]],
) -> None:
    prefix = str(Settings.model_config.get("env_prefix", ""))
    secret_settings = {
        f"{prefix}{name}".upper()
        for name, field in Settings.model_fields.items()
        if field.annotation is SecretStr
    }
    # The URLs carry the database's and the broker's passwords.
    must_be_referenced = secret_settings | {"PANTAU_MONGO_URL", "PANTAU_AMQP_URL"}
    for overlay, objects in overlays.items():
        assert not _of_kind(objects, "Secret"), f"{overlay}: a Secret is written in the repo"
        config_maps = _config_maps(objects)
        for name, deployment in _pantau_deployments(objects).items():
            literal, secrets = _environment_of(_container(deployment), config_maps)
            assert not must_be_referenced & set(literal), (overlay, name)
            assert {"PANTAU_MONGO_URL", "PANTAU_AMQP_URL"} <= set(secrets), (overlay, name)


def test_literal_environment_is_valid_settings_naming_the_services(
    overlays: dict[str, list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    for overlay, objects in overlays.items():
        config_maps = _config_maps(objects)
        services = _of_kind(objects, "Service")
        for name, deployment in _pantau_deployments(objects).items():
            literal, _ = _environment_of(_container(deployment), config_maps)
            settings = _settings_from(literal, monkeypatch)
            for url in (settings.intake_url, settings.triage_url, settings.notify_url):
                parts = urlsplit(url)
                assert parts.hostname in services, (overlay, name, url)
                service_ports = {p["port"] for p in services[parts.hostname]["spec"]["ports"]}
                assert parts.port in service_ports, (overlay, name, url)
            assert settings.trusted_proxies == 1, "every request comes through the front door"
            assert settings.console_cookie_secure, "TLS ends before the console"


def test_ports_and_probes_are_the_code_s(overlays: dict[str, list[dict[str, Any]]]) -> None:
    http = {f"{s}": s for s in HTTP_APPS}
    for overlay, objects in overlays.items():
        config_maps = _config_maps(objects)
        services = _of_kind(objects, "Service")
        for name, deployment in _pantau_deployments(objects).items():
            container = _container(deployment)
            literal, _ = _environment_of(container, config_maps)
            assert "PANTAU_BIND" not in literal, f"{name} moves off its default port"
            if name in http:
                port = _gunicorn_default_port(http[name])
            else:
                port = int(literal["PANTAU_METRICS_PORT"])
                assert port == WORKER_METRICS_PORT
            assert [p["containerPort"] for p in container["ports"]] == [port], (overlay, name)
            readiness = container["readinessProbe"]["httpGet"]
            liveness = container["livenessProbe"]["httpGet"]
            assert (readiness["path"], readiness["port"]) == ("/readyz", port), name
            assert (liveness["path"], liveness["port"]) == ("/healthz", port), name
            (service_port,) = services[name]["spec"]["ports"]
            assert service_port["port"] == port, name
            assert service_port["targetPort"] == container["ports"][0]["name"], name


# --- hardening, resources, scaling, policies -------------------------------------------------


def test_every_pod_is_locked_down(overlays: dict[str, list[dict[str, Any]]]) -> None:
    for overlay, objects in overlays.items():
        for name, deployment in _of_kind(objects, "Deployment").items():
            pod = deployment["spec"]["template"]["spec"]
            assert pod["automountServiceAccountToken"] is False, name
            assert pod["securityContext"]["runAsNonRoot"] is True, name
            assert pod["securityContext"]["runAsUser"] > 10000, name
            assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
            container = _container(deployment)
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, (overlay, name)
            assert context["readOnlyRootFilesystem"] is True, (overlay, name)
            assert context["capabilities"]["drop"] == ["ALL"], (overlay, name)
            assert "add" not in context["capabilities"], (overlay, name)


def _quantity(value: str) -> float:
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}
    for unit, factor in units.items():
        if value.endswith(unit):
            return float(value[: -len(unit)]) * factor
    return float(value)


def test_every_container_has_requests_within_its_limits(
    overlays: dict[str, list[dict[str, Any]]],
) -> None:
    for overlay, objects in overlays.items():
        for name, deployment in _of_kind(objects, "Deployment").items():
            resources = _container(deployment)["resources"]
            for what in ("cpu", "memory"):
                request = _quantity(str(resources["requests"][what]))
                limit = _quantity(str(resources["limits"][what]))
                assert 0 < request <= limit, (overlay, name, what)


def test_the_national_overlay_is_larger_than_the_province(
    overlays: dict[str, list[dict[str, Any]]],
) -> None:
    def ranges(objects: list[dict[str, Any]]) -> dict[str, tuple[int, int]]:
        found = {
            n: (o["spec"]["minReplicas"], o["spec"]["maxReplicas"])
            for n, o in _of_kind(objects, "HorizontalPodAutoscaler").items()
        }
        found |= {
            n: (o["spec"]["minReplicaCount"], o["spec"]["maxReplicaCount"])
            for n, o in _of_kind(objects, "ScaledObject").items()
        }
        return found

    province, national = ranges(overlays["province"]), ranges(overlays["national"])
    assert set(province) == set(national)
    for name in province:
        assert national[name][0] >= province[name][0], name
        assert national[name][1] >= province[name][1], name
    assert any(national[n][1] > province[n][1] for n in province)
    bigger = 0
    national_deployments = _of_kind(overlays["national"], "Deployment")
    for name, deployment in _of_kind(overlays["province"], "Deployment").items():
        small = _container(deployment)["resources"]["limits"]["memory"]
        large = _container(national_deployments[name])["resources"]["limits"]["memory"]
        assert _quantity(str(large)) >= _quantity(str(small)), name
        bigger += _quantity(str(large)) > _quantity(str(small))
    assert bigger >= 4


def test_each_deployment_has_one_autoscaler_and_a_disruption_budget(
    overlays: dict[str, list[dict[str, Any]]],
) -> None:
    for overlay, objects in overlays.items():
        hpas = {
            o["spec"]["scaleTargetRef"]["name"]: o
            for o in _of_kind(objects, "HorizontalPodAutoscaler").values()
        }
        scaled = {
            o["spec"]["scaleTargetRef"]["name"] for o in _of_kind(objects, "ScaledObject").values()
        }
        budgets = _of_kind(objects, "PodDisruptionBudget")
        for name, deployment in _of_kind(objects, "Deployment").items():
            component = deployment["metadata"]["labels"]["app.kubernetes.io/component"]
            # The autoscaler owns the count; a replicas field would be reset by every apply.
            assert "replicas" not in deployment["spec"], name
            if component == "worker":
                assert name in scaled, (overlay, name)
                assert name not in hpas, (overlay, name)
            else:
                assert name in hpas, (overlay, name)
                assert name not in scaled, (overlay, name)
                (metric,) = hpas[name]["spec"]["metrics"]
                assert metric["resource"]["name"] == "cpu"
                assert hpas[name]["spec"]["minReplicas"] >= 2, name
            budget = budgets[name]["spec"]
            assert budget["minAvailable"] == 1, name
            labels = deployment["spec"]["template"]["metadata"]["labels"]
            assert budget["selector"]["matchLabels"].items() <= labels.items(), name


def _policy_ports(rules: list[dict[str, Any]]) -> set[int]:
    return {p["port"] for rule in rules for p in rule.get("ports", [])}


def test_network_policies_deny_first_and_open_only_what_each_process_uses(
    overlays: dict[str, list[dict[str, Any]]],
) -> None:
    for overlay, objects in overlays.items():
        policies = _of_kind(objects, "NetworkPolicy")
        deny = policies["default-deny"]["spec"]
        assert deny["podSelector"] == {}
        assert set(deny["policyTypes"]) == {"Ingress", "Egress"}
        assert "ingress" not in deny
        assert "egress" not in deny
        for name, deployment in _of_kind(objects, "Deployment").items():
            policy = policies[name]["spec"]
            labels = deployment["spec"]["template"]["metadata"]["labels"]
            assert policy["podSelector"]["matchLabels"].items() <= labels.items(), name
            container_ports = {p["containerPort"] for p in _container(deployment)["ports"]}
            assert _policy_ports(policy["ingress"]) == container_ports, (overlay, name)
            egress = _policy_ports(policy["egress"])
            if name == "proxy":
                assert egress == {_gunicorn_default_port(s) for s in HTTP_APPS}
            elif name == "console":
                assert 5672 not in egress, "the console uses no broker"
                assert 27017 in egress
            else:
                assert {27017, 5672} <= egress, (overlay, name)
            if "notify" not in name:
                assert not egress & {25, 465, 587}, f"{name} does not send mail"


# Which HTTP services each process calls (the URLs of its settings that its code uses): the
# console draws every page from the three services, triage and notify check keys with intake.
CALLS = {"console": {"intake", "triage", "notify"}, "triage": {"intake"}, "notify": {"intake"}}


def test_network_policies_let_each_caller_reach_exactly_the_services_it_calls(
    overlays: dict[str, list[dict[str, Any]]],
) -> None:
    http_ports = {_gunicorn_default_port(s): s for s in HTTP_APPS}
    for overlay, objects in overlays.items():
        policies = _of_kind(objects, "NetworkPolicy")
        for name in _pantau_deployments(objects):
            called = {
                http_ports[port]
                for port in _policy_ports(policies[name]["spec"]["egress"])
                if port in http_ports
            }
            assert called == CALLS.get(name, set()), (overlay, name)
            for service in called:
                sources = [
                    peer["podSelector"]["matchLabels"].get("app.kubernetes.io/name")
                    for rule in policies[service]["spec"]["ingress"]
                    for peer in rule["from"]
                    if "podSelector" in peer
                ]
                assert name in sources, f"{overlay}: {service} does not admit {name}"


def test_the_front_door_runs_the_rendered_configuration(
    overlays: dict[str, list[dict[str, Any]]],
) -> None:
    door = kubernetes_door()
    assert door.tls is not None
    for overlay, objects in overlays.items():
        proxy = _of_kind(objects, "Deployment")["proxy"]
        container = _container(proxy)
        volumes = {v["name"]: v for v in proxy["spec"]["template"]["spec"]["volumes"]}
        mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
        command = container["command"]
        assert command[command.index("-c") + 1] == f"{mounts['config']}/nginx.conf"
        data = _config_maps(objects)[volumes["config"]["configMap"]["name"]]
        assert data["nginx.conf"] == KUBERNETES_FILE.read_text(encoding="utf-8"), overlay
        assert Path(door.tls.certificate).parent == Path(mounts["tls"])
        assert volumes["tls"]["secret"]["optional"] is True, "the plain ports start without it"
        assert door.temp_dir is not None
        assert Path(door.pid_path).parent == Path(door.temp_dir) == Path(mounts["tmp"])
        assert "emptyDir" in volumes["tmp"]
        ports = {p["containerPort"] for p in container["ports"]}
        assert ports == {s.port for s in door.sites} | {
            s.tls_port for s in door.sites if s.tls_port
        }


# --- checkov ----------------------------------------------------------------------------------


def test_checkov_finds_nothing_that_is_not_explained(tmp_path: Path) -> None:
    # Offline, checkov gives its findings no severity (severities come from its vendor's
    # platform), so every failed check counts: fixed, or listed with its reason.
    checkov = checkov_binary(ROOT / ".pantau/tools/checkov")
    assert checkov, "checkov is not installed: `pantau infra checkov` (make checkov)"
    for overlay in OVERLAYS:
        rendered = subprocess.run(
            [str(kubectl_binary()), "kustomize", str(KUBERNETES / "overlays" / overlay)],
            capture_output=True,
            text=True,
            check=True,
        )
        (tmp_path / f"{overlay}.yaml").write_text(rendered.stdout)
    scanned = subprocess.run(
        [checkov, "--directory", str(tmp_path), "--framework", "kubernetes", "--skip-download",
         "--quiet", "--compact", "--output", "json"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip
    assert scanned.returncode in (0, 1), scanned.stderr[-2000:]
    report = json.loads(scanned.stdout)
    report = report[0] if isinstance(report, list) else report
    assert report["summary"]["parsing_errors"] == 0
    assert report["summary"]["passed"] > 100
    failed = {finding["check_id"] for finding in report["results"]["failed_checks"]}
    allowed = yaml.safe_load(ALLOWED_FINDINGS.read_text(encoding="utf-8"))
    for check_id, entry in allowed.items():
        assert str(entry.get("reason", "")).strip(), f"{check_id} is allowed without a reason"
    unexplained = failed - set(allowed)
    assert not unexplained, f"checkov findings without a reason: {sorted(unexplained)}"
    stale = set(allowed) - failed
    assert not stale, f"allowed findings checkov no longer reports: {sorted(stale)}"


def test_the_tools_are_pinned_where_make_installs_them() -> None:
    dev = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'"{KUBECTL_REQUIREMENT}"' in dev
    assert '"kubernetes-validate==' in dev
