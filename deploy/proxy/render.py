"""Render the front door's nginx configuration from one template.

The local mode, the tests, docker-compose and the Kubernetes manifests render the same rules
with their own ports, upstreams and paths:

    python -m deploy.proxy.render --compose > deploy/proxy/compose.conf
    python -m deploy.proxy.render --kubernetes > deploy/proxy/kubernetes.conf

Pure: parameters in, text out (the template is read from beside this file).
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Final

import jinja2

from deploy.proxy.pages import DOOR_STATUSES, NGINX_CODES, nginx_string, page_body, problem_body
from shared.settings import Settings

TEMPLATE: Final = Path(__file__).with_name("nginx.conf.j2")
COMPOSE_FILE: Final = Path(__file__).with_name("compose.conf")
KUBERNETES_FILE: Final = Path(__file__).with_name("kubernetes.conf")
# Debian's dynamic modules, where the door's image (deploy/proxy/Dockerfile, Debian's nginx) has
# them too: one path in every render.
MODULES_DIR: Final = "/usr/lib/nginx/modules"
# The people's pages; every other service is an API and answers problem+json.
PAGES: Final = frozenset({"console"})
# The ports people and systems use, the same in the local mode and in compose.
PUBLIC_PORTS: Final = {"console": 8000, "intake": 8001, "triage": 8002, "notify": 8003}
# Multipart overhead and the JSON part of a report with files (intake's own allowances).
_FORM_ALLOWANCE: Final = 64 * 1024 + 64 * 1024
_CONSOLE_FORM_ALLOWANCE: Final = 1_048_576


@dataclass(frozen=True)
class Site:
    """One service behind the door."""

    name: str
    port: int
    upstream: str  # http://host:port of the service's gunicorn
    max_body_bytes: int
    tls_port: int | None = None

    @property
    def pages(self) -> bool:
        return self.name in PAGES


@dataclass(frozen=True)
class Tls:
    certificate: str
    key: str


@dataclass(frozen=True)
class Door:
    """Everything that differs between the places the door runs."""

    sites: Sequence[Site]
    pid_path: str = "/run/nginx.pid"
    error_log: str = "stderr"
    access_log: str = "off"
    temp_dir: str | None = None
    listen_host: str = ""  # "127.0.0.1:" binds the loopback only; "" every interface
    header_timeout_s: int = 10
    body_timeout_s: int = 10
    send_timeout_s: int = 30
    keepalive_timeout_s: int = 15
    read_timeout_s: int = 60
    per_address: int = 100
    worker_processes: str = "auto"
    worker_connections: int = 4096
    resolver: str | None = None
    # Upstreams resolved once, when nginx starts, by the system's resolver (its search
    # domains included): right where a name keeps its address for its whole life.
    static_upstreams: bool = False
    tls: Tls | None = None
    run_as: str | None = None
    mode: str = field(default="local")


def body_limits(settings: Settings) -> dict[str, int]:
    """The largest body each service accepts, from the settings its own code reads."""
    from services.console.app import MAX_FILES_PER_FORM
    from services.intake.evidence.store import MAX_FILES_PER_REQUEST

    files = settings.evidence_max_file_bytes
    return {
        # Intake: a report or evidence with its files, or a batch of cases, whichever is larger.
        "intake": max(
            files * MAX_FILES_PER_REQUEST + _FORM_ALLOWANCE,
            settings.max_batch_bytes,
            settings.max_body_bytes,
        ),
        # The console: the public report form with its files (the console's own limit).
        "console": files * MAX_FILES_PER_FORM + _CONSOLE_FORM_ALLOWANCE,
        "triage": settings.max_body_bytes,
        "notify": settings.max_body_bytes,
    }


def sites(
    upstreams: Mapping[str, str],
    ports: Mapping[str, int],
    settings: Settings,
    *,
    tls_ports: Mapping[str, int] | None = None,
) -> list[Site]:
    """A site per service of ``upstreams``, on its public port, with its own body limit."""
    limits = body_limits(settings)
    return [
        Site(
            name=name,
            port=ports[name],
            upstream=upstream,
            max_body_bytes=limits[name],
            tls_port=(tls_ports or {}).get(name),
        )
        for name, upstream in upstreams.items()
    ]


@dataclass(frozen=True)
class _Answer:
    status: int
    nginx_code: int
    problem: str
    page: str


def render(door: Door) -> str:
    """The nginx configuration of ``door``."""
    answers = [
        _Answer(
            status=status,
            nginx_code=NGINX_CODES.get(status, status),
            problem=nginx_string(problem_body(status)),
            page=nginx_string(page_body(status)),
        )
        for status in DOOR_STATUSES
    ]
    return _template().render(
        door=door, answers=answers, run_as=door.run_as, mode=door.mode, modules_dir=MODULES_DIR
    )


@cache
def _template() -> jinja2.Template:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE.parent),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # nginx configuration, not HTML: the pages in it are escaped by pages.py.
        autoescape=False,  # noqa: S701
    )
    return environment.get_template(TEMPLATE.name)


def compose_door(settings: Settings | None = None) -> Door:
    """The door of docker-compose.yml: the services by their compose names, the console
    also on 443 with the certificate an operator mounts in deploy/proxy/tls."""
    settings = settings or Settings()
    upstreams = {name: f"http://{name}:{port}" for name, port in PUBLIC_PORTS.items()}
    return Door(
        sites=sites(upstreams, PUBLIC_PORTS, settings, tls_ports={"console": 443}),
        # The door's image is Debian's nginx: its pid path, and its `www-data` user, who owns
        # its temp paths.
        pid_path="/run/nginx.pid",
        run_as="www-data",
        error_log="stderr",
        access_log="off",
        resolver="127.0.0.11",  # Docker's own DNS on every compose network
        tls=Tls("/etc/pantau/tls/fullchain.pem", "/etc/pantau/tls/privkey.pem"),
        mode="docker-compose",
    )


# In Kubernetes the door runs as a user of its own (not root) on a read-only root
# filesystem: TLS on a port above 1024 (the Service publishes it as 443), its pid file and
# temporary files on the writable /tmp volume.
KUBERNETES_TLS_PORT: Final = 8443


def kubernetes_door(settings: Settings | None = None) -> Door:
    """The door of deploy/kubernetes: the services by their Service names (resolved once at
    start: a Service keeps its cluster address for its whole life), the console also over
    TLS with the certificate of the Secret an operator mounts."""
    settings = settings or Settings()
    upstreams = {name: f"http://{name}:{port}" for name, port in PUBLIC_PORTS.items()}
    return Door(
        sites=sites(upstreams, PUBLIC_PORTS, settings, tls_ports={"console": KUBERNETES_TLS_PORT}),
        pid_path="/tmp/nginx.pid",  # noqa: S108 - the pod's own emptyDir, not a shared /tmp
        temp_dir="/tmp",  # noqa: S108
        run_as=None,
        error_log="stderr",
        access_log="off",
        static_upstreams=True,
        tls=Tls("/etc/pantau/tls/tls.crt", "/etc/pantau/tls/tls.key"),
        mode="Kubernetes",
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--compose", action="store_true", help="the docker-compose door")
    which.add_argument("--kubernetes", action="store_true", help="the Kubernetes door")
    args = parser.parse_args(argv)
    print(render(kubernetes_door() if args.kubernetes else compose_door()), end="")


if __name__ == "__main__":
    main()
