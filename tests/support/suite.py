"""The whole suite as real processes (three gunicorn apps and three workers, and the console
when asked) and handles to poke it, for the end-to-end, fault, console and browser tests."""

from __future__ import annotations

import contextlib
import os
import secrets
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import mongoengine
import requests

from services.cli.infra import add_vhost, free_port
from services.cli.localmode import Child, build_children, wait_until_ready
from services.cli.mailbox import MailSink
from services.intake.access.invitations import issue_link
from services.intake.access.keys import create_key
from services.intake.access.vault import new_key
from services.intake.bootstrap import bootstrap, ensure_indexes
from services.intake.directory import officers
from services.intake.directory.schema import OfficerCreate
from shared.settings import Settings
from tests.support.vhosts import FINISHED


@dataclass
class Suite:
    """A running suite and handles to poke it."""

    settings: Settings
    urls: dict[str, str]
    children: dict[str, Child]
    mail: MailSink
    home: Path
    # Each worker's health port (/metrics, /healthz, /readyz), by service.
    worker_urls: dict[str, str] = field(default_factory=dict)
    # Further replicas' addresses (a replicated suite's), by process name ("intake-2", ...).
    replica_urls: dict[str, str] = field(default_factory=dict)
    replica_worker_urls: dict[str, str] = field(default_factory=dict)

    def every_url(self) -> list[str]:
        """Every process's health address: each HTTP app and worker, replicas included."""
        return [
            *self.urls.values(),
            *self.replica_urls.values(),
            *self.worker_urls.values(),
            *self.replica_worker_urls.values(),
        ]

    def intake_urls(self) -> list[str]:
        """Every intake replica's address, the first one first."""
        return [self.urls["intake"], *(u for n, u in self.replica_urls.items() if "intake" in n)]

    def key(
        self, region: str = "12.06", role: str = "submitter", officer_id: str | None = None
    ) -> str:
        return create_key(
            name=f"e2e {region} {role}", region=region, role=role, officer_id=officer_id
        )[0]

    def person(
        self,
        officer_id: str,
        *,
        region: str = "12.06",
        role: str = "officer",
        unit: str = "BKPSDM",
        name: str | None = None,
        language: str = "id",
    ) -> dict[str, Any]:
        """A directory entry (created if it is not there yet) with an e-mail address."""
        existing = officers.get(officer_id)
        if existing is not None:
            return existing
        data = OfficerCreate.model_validate(
            {
                "officer_id": officer_id,
                "region": region,
                "unit": unit,
                "role": role,
                "name": name or officer_id.replace("-", " ").title(),
                "email": f"{officer_id}@pantau.example",
                "language": language,
            }
        )
        return officers.create(data, actor={"name": "tests"})

    def invitation(self, officer_id: str) -> str:
        """A one-time invitation link for a directory entry, as the CLI prints it."""
        officer = officers.get(officer_id)
        assert officer is not None, officer_id
        return issue_link(
            officer,
            "invitation",
            issued_by={"name": "tests"},
            console_url=self.urls["console"],
            now=datetime.now(UTC),
            send=False,
        )

    def submit(self, key: str, payload: dict[str, Any]) -> dict[str, Any]:
        answer = requests.post(
            f"{self.urls['intake']}/v1/cases",
            json=payload,
            headers={"Authorization": f"Bearer {key}"},
            timeout=10,
        )
        assert answer.status_code in (200, 201), answer.text
        body: dict[str, Any] = answer.json()
        return body

    def case(self, key: str, case_id: str) -> dict[str, Any]:
        answer = requests.get(
            f"{self.urls['intake']}/v1/cases/{case_id}",
            headers={"Authorization": f"Bearer {key}"},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    def restart(self, name: str) -> None:
        child = self.children[name]
        child.start()

    def log(self, name: str) -> str:
        return self.children[name].log_path.read_text(errors="replace")


@contextlib.contextmanager
def running_suite(
    mongo_url: str,
    home: Path,
    *,
    amqp_url: str | None = None,
    env_overrides: Mapping[str, str] | None = None,
    console: bool = False,
    replicas: int = 1,
) -> Iterator[Suite]:
    """Start the whole suite against the MongoDB at ``mongo_url`` in a fresh vhost; stop it
    on exit. Fault tests that must stop their database pass a mongod of their own; those that
    must hang or cut the broker pass ``amqp_url`` (a private node, or a proxy in front of the
    shared one), and then own that vhost's life themselves. ``env_overrides`` replaces some
    of the suite's PANTAU_* settings (e.g. retry delays a long outage must not exhaust).
    ``console`` also starts the console, with its own service keys, on plain http.
    ``replicas`` runs that many of every HTTP app and worker, as a replicated deployment does."""
    vhost: str | None = None
    if amqp_url is None:
        vhost = f"pantau-e2e-{uuid.uuid4().hex[:10]}"
        add_vhost(vhost, retiring=FINISHED)
        FINISHED.clear()
        amqp_url = f"amqp://guest:guest@127.0.0.1:5672/{vhost}?heartbeat=30"
    mail = MailSink("127.0.0.1", free_port(), home / "mail")
    mail.start()
    http_ports = {svc: free_port() for svc in ("intake", "triage", "notify")}
    metrics_ports = {svc: free_port() for svc in ("intake", "triage", "notify")}
    if console:
        http_ports["console"] = free_port()
    env_settings = {
        "PANTAU_MONGO_URL": mongo_url,
        "PANTAU_DB_PREFIX": f"e2e{uuid.uuid4().hex[:8]}",
        "PANTAU_AMQP_URL": amqp_url,
        "PANTAU_SMTP_PORT": str(mail.port),
        "PANTAU_RETRY_DELAYS_MS": "300,1000",
        # Triage and notify check API keys with this suite's intake.
        "PANTAU_INTAKE_URL": f"http://127.0.0.1:{http_ports['intake']}",
        "PANTAU_TRIAGE_URL": f"http://127.0.0.1:{http_ports['triage']}",
        "PANTAU_NOTIFY_URL": f"http://127.0.0.1:{http_ports['notify']}",
        "PANTAU_WEB_WORKERS": "2",
        "PANTAU_VAULT_KEY": new_key(),
        "PANTAU_RECEIPT_KEY": new_key(),
    }
    settings = Settings(
        mongo_url=env_settings["PANTAU_MONGO_URL"],
        db_prefix=env_settings["PANTAU_DB_PREFIX"],
        amqp_url=env_settings["PANTAU_AMQP_URL"],
    )
    bootstrap(settings)
    ensure_indexes()
    if console:
        env_settings.update(
            {
                "PANTAU_CONSOLE_URL": f"http://127.0.0.1:{http_ports['console']}",
                "PANTAU_CONSOLE_KEY": create_key(name="console", region="12", role="console")[0],
                "PANTAU_PUBLIC_KEY": create_key(name="public", region="12", role="public")[0],
                "PANTAU_CONSOLE_SECRET": secrets.token_urlsafe(32),
                # The tests speak plain http to 127.0.0.1, as the local mode does.
                "PANTAU_CONSOLE_COOKIE_SECURE": "false",
            }
        )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PANTAU_")}
    env_settings.update(env_overrides or {})
    env.update(env_settings)
    more = range(2, replicas + 1)
    replica_ports = {svc: [free_port() for _ in more] for svc in http_ports}
    replica_metrics_ports = {svc: [free_port() for _ in more] for svc in metrics_ports}
    children = build_children(
        home,
        env,
        http_ports=http_ports,
        metrics_ports=metrics_ports,
        replica_ports=replica_ports,
        replica_metrics_ports=replica_metrics_ports,
    )
    replica_urls = {
        f"{svc}-{n}": f"http://127.0.0.1:{port}"
        for svc, ports in replica_ports.items()
        for n, port in zip(more, ports, strict=True)
    }
    replica_worker_urls = {
        f"{svc}-worker-{n}": f"http://127.0.0.1:{port}"
        for svc, ports in replica_metrics_ports.items()
        for n, port in zip(more, ports, strict=True)
    }
    for child in children:
        child.start()
    try:
        every_port = [*http_ports.values(), *(p for ps in replica_ports.values() for p in ps)]
        wait_until_ready(children, {str(port): port for port in every_port}, 90)
        yield Suite(
            settings=settings,
            urls={svc: f"http://127.0.0.1:{port}" for svc, port in http_ports.items()},
            children={c.name: c for c in children},
            mail=mail,
            home=home,
            worker_urls={svc: f"http://127.0.0.1:{port}" for svc, port in metrics_ports.items()},
            replica_urls=replica_urls,
            replica_worker_urls=replica_worker_urls,
        )
    finally:
        for child in children:
            child.stop()
        for child in children:
            child.wait(20)
        mail.stop()
        mongoengine.disconnect(alias="intake")
        if vhost is not None:
            FINISHED.append(vhost)  # deleted when the next vhost is created
