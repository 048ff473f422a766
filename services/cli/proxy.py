"""The front door on a machine without Docker: Debian's nginx in front of the gunicorn apps.

The local mode and the tests render the same template docker-compose uses
(``deploy/proxy``), with nginx on the public ports and the apps on internal ones.
"""

from __future__ import annotations

import os
import pwd
from collections.abc import Mapping
from pathlib import Path

from deploy.proxy.render import Door, render, sites
from services.cli.infra import InfraError, nginx_binary
from shared.settings import Settings


def local_door(
    home: Path,
    app_ports: Mapping[str, int],
    public_ports: Mapping[str, int],
    settings: Settings,
    *,
    header_timeout_s: int = 10,
    body_timeout_s: int = 10,
) -> Door:
    """The door of one machine: the loopback only, plain http, files under ``home``."""
    upstreams = {name: f"http://127.0.0.1:{port}" for name, port in app_ports.items()}
    return Door(
        sites=sites(upstreams, public_ports, settings),
        pid_path=str(home / "nginx.pid"),
        error_log=str(home / "error.log"),
        temp_dir=str(home / "temp"),
        listen_host="127.0.0.1:",
        header_timeout_s=header_timeout_s,
        body_timeout_s=body_timeout_s,
        # Started as root (a fresh machine, a CI box), nginx would run its workers as
        # `nobody`, who may not write request bodies under the local mode's folder.
        run_as=pwd.getpwuid(os.geteuid()).pw_name if os.geteuid() == 0 else None,
        mode="local mode",
    )


def prepare(home: Path, door: Door) -> list[str]:
    """Write ``door``'s configuration under ``home``; the command that runs nginx on it in
    the foreground (its supervisor stops it with SIGTERM)."""
    for folder in (home, home / "temp"):
        folder.mkdir(parents=True, exist_ok=True)
    config = home / "nginx.conf"
    config.write_text(render(door))
    binary = nginx_binary()
    if binary is None:
        raise InfraError("nginx is not installed: run `pantau infra proxy` (or `make proxy`).")
    return [binary, "-p", str(home), "-e", str(home / "error.log"), "-c", str(config),
            "-g", "daemon off;"]  # fmt: skip
