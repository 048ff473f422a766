"""The front door's configuration: one template, rendered for docker-compose (the committed
file), the local mode and the tests, accepted by nginx itself, with each service's own body
limit."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from deploy.proxy.pages import DOOR_STATUSES, nginx_string, page_body, problem_body
from deploy.proxy.render import (
    COMPOSE_FILE,
    KUBERNETES_FILE,
    body_limits,
    compose_door,
    kubernetes_door,
    render,
)
from services.cli.infra import NGINX_PACKAGES, nginx_binary
from services.cli.localmode import APP_PORTS, HTTP_SERVICES
from services.cli.proxy import local_door
from shared.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _nginx_accepts(config: str, tmp_path: Path) -> None:
    binary = nginx_binary()
    assert binary, "nginx is not installed: `pantau infra proxy` (make proxy) installs it"
    path = tmp_path / "nginx.conf"
    path.write_text(config)
    checked = subprocess.run(
        [binary, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr


def test_the_committed_compose_configuration_is_the_template_s() -> None:
    assert COMPOSE_FILE.read_text() == render(compose_door()), (
        "run `python -m deploy.proxy.render --compose > deploy/proxy/compose.conf`"
    )


def test_nginx_accepts_the_compose_configuration(tmp_path: Path) -> None:
    # The official image's `nginx` user and pid path do not exist on this machine; the rest
    # (every directive, TLS, the resolver, the door's answers) is checked as compose has it.
    door = dataclasses.replace(compose_door(), run_as=None, pid_path=str(tmp_path / "pid"))
    _nginx_accepts(render(door), tmp_path)


def test_the_committed_kubernetes_configuration_is_the_template_s() -> None:
    assert KUBERNETES_FILE.read_text() == render(kubernetes_door()), (
        "run `python -m deploy.proxy.render --kubernetes > deploy/proxy/kubernetes.conf`"
    )


def test_nginx_accepts_the_kubernetes_configuration(tmp_path: Path) -> None:
    # The Service names resolve only in the cluster (nginx resolves them at start there), and
    # /tmp is the pod's own volume; here they are the loopback and the test's folder.
    door = kubernetes_door()
    sites = [
        dataclasses.replace(site, upstream=f"http://127.0.0.1:{site.port + 10000}")
        for site in door.sites
    ]
    door = dataclasses.replace(
        door, sites=sites, pid_path=str(tmp_path / "pid"), temp_dir=str(tmp_path)
    )
    config = render(door)
    _nginx_accepts(config, tmp_path)
    assert "proxy_pass http://127.0.0.1:18001;" in config  # no resolver: resolved at start
    assert "resolver" not in config
    assert "\nuser " not in config


def test_nginx_accepts_the_local_mode_configuration(tmp_path: Path) -> None:
    door = local_door(tmp_path, APP_PORTS, HTTP_SERVICES, Settings())
    config = render(door)
    (tmp_path / "temp").mkdir()  # made by services.cli.proxy.prepare before nginx starts
    _nginx_accepts(config, tmp_path)
    assert "listen 127.0.0.1:8001;" in config  # the loopback only
    assert "set $pantau_service http://127.0.0.1:18001;" in config


def test_each_service_s_body_limit_is_its_own() -> None:
    settings = Settings(evidence_max_file_bytes=1000, max_batch_bytes=10, max_body_bytes=7)
    limits = body_limits(settings)
    # Five evidence files with their multipart and JSON allowances (intake's own sum).
    assert limits["intake"] == 5 * 1000 + 128 * 1024
    # The console's own MAX_CONTENT_LENGTH: five files and a megabyte of form.
    assert limits["console"] == 5 * 1000 + 1_048_576
    assert limits["triage"] == limits["notify"] == 7
    config = render(compose_door(settings))
    assert f"client_max_body_size {limits['triage']};" in config


@pytest.mark.parametrize("status", DOOR_STATUSES)
def test_every_answer_survives_nginx_quoting(status: int) -> None:
    for body in (problem_body(status), page_body(status)):
        quoted = nginx_string(body)
        assert quoted.startswith("'")
        assert quoted.endswith("'")
        assert "$" not in quoted
    with pytest.raises(ValueError, match=r"\$"):
        nginx_string("costs $5")


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def test_compose_publishes_the_door_and_no_app() -> None:
    services = _compose()["services"]
    for app in ("console", "intake", "triage", "notify"):
        assert "ports" not in services[app], app
        assert services[app]["environment"]["PANTAU_TRUSTED_PROXIES"] == "1", app
    published = {str(entry) for entry in services["proxy"]["ports"]}
    assert {f"127.0.0.1:{p}:{p}" for p in (8000, 8001, 8002, 8003)} <= published
    assert "443:443" in published
    mounts = {v.split(":")[0]: v.split(":")[1] for v in services["proxy"]["volumes"]}
    assert mounts["./deploy/proxy/compose.conf"] == "/etc/nginx/nginx.conf"
    assert mounts["./deploy/proxy/tls"] == "/etc/pantau/tls"


def test_the_door_s_image_has_what_the_local_mode_installs() -> None:
    """docker-compose and Kubernetes cannot be run here: their door must at least be built
    from the packages whose nginx checks the rendered configurations in these tests."""
    dockerfile = (ROOT / "deploy" / "proxy" / "Dockerfile").read_text()
    assert "FROM debian:bookworm" in dockerfile
    for package in NGINX_PACKAGES.split():
        assert f" {package}" in dockerfile, package
    proxy = _compose()["services"]["proxy"]
    assert proxy["build"]["context"] == "./deploy/proxy"
    assert "nginx" not in proxy["image"].split(":")[0], "the door's own image, not nginx's"
    assert "load_module /usr/lib/nginx/modules/ngx_http_lua_module.so;" in render(compose_door())
