"""Fixtures over real servers: a mongod per test session, a fresh RabbitMQ vhost per test.

Nothing here is faked: MongoDB is the real mongod from the PyPI wheel, RabbitMQ the real
broker (started if it is installed but not running), SMTP a real aiosmtpd server.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import mongoengine
import pytest
from pydantic import SecretStr
from pymongo import MongoClient

from services.cli.infra import (
    MongoServer,
    add_vhost,
    delete_vhosts,
    ensure_rabbitmq,
    free_port,
)
from services.cli.mailbox import MailSink
from services.intake.access.vault import new_key
from shared.settings import Settings
from tests.support.vhosts import FINISHED


@pytest.fixture(scope="session")
def mongo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MongoServer]:
    server = MongoServer(tmp_path_factory.mktemp("mongo"), free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def broker() -> Iterator[None]:
    ensure_rabbitmq(allow_install=False)
    yield
    delete_vhosts(FINISHED)


@pytest.fixture
def vhost(broker: None) -> Iterator[str]:
    """A fresh virtual host: this test sees no other test's queues or messages."""
    name = f"pantau-test-{uuid.uuid4().hex[:12]}"
    add_vhost(name, retiring=FINISHED)
    FINISHED.clear()
    yield name
    FINISHED.append(name)


@pytest.fixture
def settings(mongo_server: MongoServer, vhost: str) -> Iterator[Settings]:
    """Settings for one test: its own databases and its own vhost."""
    prefix = f"t{uuid.uuid4().hex[:10]}"
    s = Settings(
        mongo_url=mongo_server.url,
        db_prefix=prefix,
        amqp_url=f"amqp://guest:guest@127.0.0.1:5672/{vhost}?heartbeat=30",
        retry_delays_ms="200,400",
        max_attempts=3,
        vault_key=SecretStr(new_key()),
        receipt_key=SecretStr(new_key()),
    )
    yield s
    client: MongoClient[dict[str, object]] = MongoClient(mongo_server.url)
    for service in ("intake", "triage", "notify"):
        client.drop_database(s.database_name(service))
    client.close()
    for alias in ("intake", "triage", "notify"):
        mongoengine.disconnect(alias=alias)


@pytest.fixture
def mail_sink(tmp_path: Path) -> Iterator[MailSink]:
    sink = MailSink("127.0.0.1", free_port(), tmp_path / "mail")
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(autouse=True)
def _no_ambient_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests configure through fixtures, never through the developer's environment."""
    for key in list(os.environ):
        if key.startswith("PANTAU_"):
            monkeypatch.delenv(key)
