"""The local mode: every server and service of the suite as plain processes on one machine.

Starts what is missing (mongod from its wheel as a one-node replica set whose data survives
restarts, RabbitMQ, an SMTP server that keeps mails as files), then each HTTP service under
gunicorn and each worker, exactly as production starts them, and a real Prometheus scraping
all of them when Debian's package is installed. Ctrl-C stops it all cleanly.

The documented ports belong to the front door (Debian's nginx, rendered from
``deploy/proxy`` as in docker-compose); the gunicorn apps listen on internal ports of the
loopback, where the door, the other services and Prometheus reach them directly.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

import click
import requests
import yaml

from services.cli.infra import (
    InfraError,
    MongoServer,
    ensure_nginx,
    ensure_rabbitmq,
    free_port,
    port_open,
    prometheus_binaries,
    wait_for,
)
from services.cli.mailbox import MailSink
from services.cli.proxy import local_door, prepare
from shared.broker.addresses import first_url
from shared.settings import get_settings

# The ports people and systems use: the front door's.
HTTP_SERVICES = {"console": 8000, "intake": 8001, "triage": 8002, "notify": 8003}
# Where the gunicorn apps listen behind it (the loopback only).
APP_PORTS = {"console": 18000, "intake": 18001, "triage": 18002, "notify": 18003}
WORKER_METRICS = {"intake": 9101, "triage": 9102, "notify": 9103}
PROMETHEUS_PORT = 9090
# The alert rules operators deploy; the local Prometheus evaluates the very same file.
ALERT_RULES = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "alerts.yml"


@dataclass
class Child:
    """One supervised process."""

    name: str
    cmd: list[str]
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    started_at: float = 0.0
    log_file: object = field(default=None, repr=False)

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - lives as long as the child
        self.log_file = log
        self.process = subprocess.Popen(
            self.cmd, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started_at = time.monotonic()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL: the crash a fault test needs (no chance to finish the message in hand)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def wait(self, timeout: float) -> None:
        """Wait for the process to end after stop(); kill it if it will not."""
        if self.process is None:
            return
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


class LocalSuite:
    """Starts, watches and stops the local suite."""

    def __init__(self, home: str = ".pantau", allow_install: bool = True) -> None:
        self.home = Path(home).resolve()
        self.allow_install = allow_install
        self.settings = get_settings()
        self.children: list[Child] = []
        self.mongo: MongoServer | None = None
        self.mail: MailSink | None = None
        self.stop_event = threading.Event()

    # --- start ------------------------------------------------------------------------------

    def start_infrastructure(self) -> None:
        mongo = urlsplit(self.settings.mongo_url.replace("mongodb://", "http://", 1))
        host, port = mongo.hostname or "127.0.0.1", mongo.port or 27017
        if port_open(host, port):
            click.echo(f"  MongoDB      already running on {host}:{port}")
        else:
            click.echo(
                f"  MongoDB      starting mongod on {host}:{port} (data in {self.home}/mongo)"
            )
            self.mongo = MongoServer(
                self.home / "mongo", port, log_path=self.home / "logs/mongod.log"
            )
            (self.home / "logs").mkdir(parents=True, exist_ok=True)
            self.mongo.start()
        amqp = urlsplit(first_url(self.settings.amqp_url))
        ensure_rabbitmq(
            amqp.hostname or "127.0.0.1",
            amqp.port or 5672,
            allow_install=self.allow_install,
            say=lambda line: click.echo(f"  RabbitMQ     {line}"),
        )
        click.echo(f"  RabbitMQ     running on {amqp.hostname}:{amqp.port or 5672}")
        smtp_host, smtp_port = self.settings.smtp_host, self.settings.smtp_port
        if port_open(smtp_host, smtp_port):
            click.echo(f"  SMTP         already running on {smtp_host}:{smtp_port}")
        else:
            self.mail = MailSink(smtp_host, smtp_port, self.home / "mail")
            self.mail.start()
            click.echo(
                f"  SMTP         listening on {smtp_host}:{smtp_port}, "
                f"mails kept in {self.home}/mail/new"
            )

    def _vault_key(self) -> str:
        """The local vault key: made once, kept beside the data it protects."""
        from services.intake.access.vault import new_key

        return self._secret("vault.key", new_key)

    def _receipt_key(self) -> str:
        """The key intake seals receipts' contacts with and notify opens them with."""
        from services.intake.access.vault import new_key

        return self._secret("receipt.key", new_key)

    def _secret(self, name: str, make: Callable[[], str]) -> str:
        """A secret of the local mode: made once, kept (readable by this user only) beside the
        data it protects, so restarts keep sessions and keys working."""
        path = self.home / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(make())
            path.chmod(0o600)
        return path.read_text().strip()

    def _console_keys(self) -> dict[str, str]:
        """The console's two service keys (role console: signs people in; role public: files
        citizens' reports), made once and reused while they still work."""
        from services.intake.access.keys import authenticate, create_key
        from services.intake.bootstrap import bootstrap, ensure_indexes

        bootstrap(self.settings)
        ensure_indexes()
        found: dict[str, str] = {}
        for role in ("console", "public"):
            path = self.home / f"{role}.key"
            if path.exists() and authenticate(path.read_text().strip()) is None:
                path.unlink()  # revoked, or the database was reset

            def make(role: str = role) -> str:
                return create_key(name=f"Pantau {role} (local)", region="12", role=role)[0]

            found[role] = self._secret(f"{role}.key", make)
        return found

    def _env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.setdefault("PANTAU_VAULT_KEY", self._vault_key())
        env.setdefault("PANTAU_RECEIPT_KEY", self._receipt_key())
        env.setdefault("PANTAU_MONGO_URL", self.settings.mongo_url)
        env.setdefault("PANTAU_AMQP_URL", self.settings.amqp_url)
        keys = self._console_keys()
        env.setdefault("PANTAU_CONSOLE_KEY", keys["console"])
        env.setdefault("PANTAU_PUBLIC_KEY", keys["public"])
        env.setdefault("PANTAU_CONSOLE_SECRET", self._secret("console.secret", _random_secret))
        # The local mode speaks plain http on 127.0.0.1: cookies marked Secure would never be
        # sent back. Said here, explicitly; every deployment keeps the default (true).
        env.setdefault("PANTAU_CONSOLE_COOKIE_SECURE", "false")
        env.update(extra)
        return env

    def start_services(self) -> None:
        internal = {
            f"PANTAU_{name.upper()}_URL": f"http://127.0.0.1:{port}"
            for name, port in APP_PORTS.items()
            if name != "console"  # the console's URL is the one people open: the door's
        }
        # Every request reaches the apps through the door: its X-Forwarded-For names the
        # client, so per-address limits count citizens, not the door.
        env = self._env(PANTAU_TRUSTED_PROXIES="1", **internal)
        self.children = build_children(
            self.home, env, http_ports=APP_PORTS, metrics_ports=WORKER_METRICS
        )
        self.children.append(self._front_door())
        for child in self.children:
            child.start()
        wait_until_ready(self.children, HTTP_SERVICES, 90, worker_ports=WORKER_METRICS)

    def _front_door(self) -> Child:
        """nginx on the documented ports, in front of the apps."""
        ensure_nginx(
            allow_install=self.allow_install, say=lambda line: click.echo(f"  nginx        {line}")
        )
        home = self.home / "proxy"
        door = local_door(home, APP_PORTS, HTTP_SERVICES, self.settings)
        click.echo(f"  front door   nginx on ports 8000-8003 (configuration {home}/nginx.conf)")
        return Child(
            name="proxy",
            cmd=prepare(home, door),
            env=dict(os.environ),
            log_path=self.home / "logs" / "proxy.log",
        )

    def start_prometheus(self) -> str | None:
        """Start a real Prometheus scraping every process, if it is installed; its URL."""
        binaries = prometheus_binaries()
        if binaries is None:
            click.echo(
                "  Prometheus   not installed; `pantau infra prometheus` installs Debian's "
                "package, then the next start scrapes every process"
            )
            return None
        port = PROMETHEUS_PORT if not port_open("127.0.0.1", PROMETHEUS_PORT) else free_port()
        child = prometheus_child(
            binaries[0],
            self.home / "prometheus",
            port,
            prometheus_config(APP_PORTS, WORKER_METRICS, rule_files=_rule_files()),
            log_path=self.home / "logs" / "prometheus.log",
        )
        child.start()
        self.children.append(child)
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: _prometheus_ready(url, child), 60, "Prometheus to start")
        return url

    # --- watch and stop ---------------------------------------------------------------------

    def supervise(self) -> None:
        """Restart a crashed process (with a growing pause) until asked to stop."""
        while not self.stop_event.wait(1.0):
            for child in self.children:
                if child.alive():
                    continue
                pause = min(30, 2**child.restarts)
                if time.monotonic() - child.started_at < pause:
                    continue
                child.restarts += 1
                click.echo(f"  ! {child.name} exited; restarting (see {child.log_path})")
                child.start()

    def stop(self) -> None:
        click.echo("\nStopping...")
        for child in self.children:
            child.stop()
        deadline = time.monotonic() + 25
        for child in self.children:
            child.wait(max(0.1, deadline - time.monotonic()))
        if self.mail is not None:
            self.mail.stop()
        if self.mongo is not None:
            self.mongo.stop()
        click.echo("Stopped. Data stays in " + str(self.home))

    def run(self, demo: bool = False) -> None:
        def _signal(signum: int, _frame: FrameType | None) -> None:
            self.stop_event.set()

        signal.signal(signal.SIGTERM, _signal)
        signal.signal(signal.SIGINT, _signal)
        click.echo("Starting Pantau locally")
        try:
            self.start_infrastructure()
            self.start_services()
            prometheus_url = self.start_prometheus()
            key = _demo_key()
            click.echo("")
            click.echo("Pantau is running:")
            console = f"http://127.0.0.1:{HTTP_SERVICES['console']}"
            click.echo(f"  console  {console}   (officers, supervisors, operators: sign in)")
            click.echo(f"  public   {console}/lapor   (citizens report)  {console}/lacak   (track)")
            click.echo(
                f"  public   {console}/lapor/12.06   (the report form for one regency; "
                "any code the deployment serves)"
            )
            for service, port in HTTP_SERVICES.items():
                if service == "console":
                    continue
                click.echo(
                    f"  {service:<8} http://127.0.0.1:{port}   (metrics /metrics, health /readyz)"
                )
            for service, port in WORKER_METRICS.items():
                click.echo(
                    f"  {service}-worker http://127.0.0.1:{port}"
                    "   (metrics /metrics, health /readyz)"
                )
            if prometheus_url:
                click.echo(f"  prometheus {prometheus_url}   (alerts {prometheus_url}/alerts)")
            click.echo("  status   .venv/bin/pantau status")
            click.echo(f"  logs     {self.home}/logs")
            click.echo(f"  mails    {self.home}/mail/new")
            click.echo("")
            click.echo("Demo API key (submitter, Kabupaten Karo 12.06):")
            click.echo(f"  {key}")
            click.echo("")
            if demo:
                from services.cli.demo import run_demo, sign_in_links

                first = run_demo("http://127.0.0.1:8001", str(self.home / "mail"))
                sign_in_links(first, console)
            click.echo("Press Ctrl-C to stop.")
            self.supervise()
        finally:
            self.stop()


def wait_until_ready(
    children: list[Child],
    http_ports: dict[str, int],
    timeout: float,
    *,
    worker_ports: Mapping[str, int] | None = None,
) -> None:
    """Wait for every HTTP app's (and worker's, if given) /readyz; fail at once, with its
    log, if a process dies."""
    ports = [*http_ports.values(), *(worker_ports or {}).values()]

    def check() -> bool:
        for child in children:
            if not child.alive():
                tail = child.log_path.read_text(errors="replace")[-2000:]
                raise InfraError(f"{child.name} exited while starting; its log ends:\n{tail}")
        return all(http_ready(port) for port in ports)

    wait_for(check, timeout, "every service to become ready")


def http_ready(port: int) -> bool:
    """Whether the HTTP service on ``port`` answers /readyz with 200."""
    try:
        return requests.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def build_children(
    home: Path,
    env: dict[str, str],
    *,
    http_ports: dict[str, int],
    metrics_ports: dict[str, int],
    replica_ports: Mapping[str, Sequence[int]] | None = None,
    replica_metrics_ports: Mapping[str, Sequence[int]] | None = None,
) -> list[Child]:
    """The processes of the suite, started the way production starts them: each HTTP app
    under gunicorn (multiprocess metrics in its own folder), each worker on its own.
    ``replica_ports`` and ``replica_metrics_ports`` add more replicas of an HTTP app or of a
    worker (a replicated deployment's), named ``<name>-2``, ``<name>-3``..."""
    python = sys.executable
    children: list[Child] = []

    def http(service: str, port: int, suffix: str) -> Child:
        return Child(
            name=f"{service}-http{suffix}",
            cmd=[python, "-m", "gunicorn", "-c", f"python:services.{service}.gunicorn_conf"],
            env={
                **env,
                "PANTAU_BIND": f"127.0.0.1:{port}",
                "PROMETHEUS_MULTIPROC_DIR": str(home / "metrics" / f"{service}{suffix}"),
            },
            log_path=home / "logs" / f"{service}-http{suffix}.log",
        )

    def worker(service: str, port: int, suffix: str) -> Child:
        return Child(
            name=f"{service}-worker{suffix}",
            cmd=[python, "-m", f"services.{service}.worker"],
            env={**env, "PANTAU_METRICS_PORT": str(port)},
            log_path=home / "logs" / f"{service}-worker{suffix}.log",
        )

    for service, port in http_ports.items():
        children.append(http(service, port, ""))
        for n, more in enumerate((replica_ports or {}).get(service, ()), start=2):
            children.append(http(service, more, f"-{n}"))
    for service, port in metrics_ports.items():
        children.append(worker(service, port, ""))
        for n, more in enumerate((replica_metrics_ports or {}).get(service, ()), start=2):
            children.append(worker(service, more, f"-{n}"))
    return children


def prometheus_config(
    http_ports: Mapping[str, int],
    worker_ports: Mapping[str, int],
    *,
    rule_files: Sequence[str] = (),
    interval: str = "5s",
    host: str = "127.0.0.1",
) -> dict[str, Any]:
    """A Prometheus configuration scraping every local process, with the job names of
    ``deploy/prometheus/prometheus.yml`` so the dashboard's and the alerts' queries apply."""

    def job(name: str, ports: Mapping[str, int]) -> dict[str, Any]:
        return {
            "job_name": name,
            "metrics_path": "/metrics",
            "static_configs": [
                {"targets": [f"{host}:{port}"], "labels": {"pantau_service": service}}
                for service, port in ports.items()
            ],
        }

    return {
        "global": {"scrape_interval": interval, "evaluation_interval": interval},
        "rule_files": list(rule_files),
        "scrape_configs": [job("pantau-http", http_ports), job("pantau-worker", worker_ports)],
    }


def prometheus_child(
    binary: str, home: Path, port: int, config: Mapping[str, Any], *, log_path: Path
) -> Child:
    """A Prometheus process for ``config``, keeping its data under ``home``."""
    home.mkdir(parents=True, exist_ok=True)
    config_file = home / "prometheus.yml"
    config_file.write_text(yaml.safe_dump(dict(config), sort_keys=False))
    return Child(
        name="prometheus",
        cmd=[
            binary,
            f"--config.file={config_file}",
            f"--storage.tsdb.path={home / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--storage.tsdb.retention.time=15d",
        ],
        env=dict(os.environ),
        log_path=log_path,
    )


def _rule_files() -> list[str]:
    return [str(ALERT_RULES)] if ALERT_RULES.exists() else []


def _prometheus_ready(url: str, child: Child) -> bool:
    if not child.alive():
        tail = child.log_path.read_text(errors="replace")[-2000:]
        raise InfraError(f"Prometheus exited while starting; its log ends:\n{tail}")
    try:
        return requests.get(f"{url}/-/ready", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _random_secret() -> str:
    return secrets.token_urlsafe(48)


def _demo_key() -> str:
    from services.intake.access.keys import create_key
    from services.intake.bootstrap import bootstrap, ensure_indexes

    bootstrap(get_settings())
    ensure_indexes()
    token, _ = create_key(name="Diskominfo Karo (demo)", region="12.06", role="submitter")
    return token


__all__ = ["InfraError", "LocalSuite"]
