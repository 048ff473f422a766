"""Fault tests run the whole suite as real processes, one fresh suite per test file, so a
fault one file injects can never leak into the next file's counts."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import unquote, urlsplit

import pytest

from services.cli.infra import MongoServer, free_port
from tests.e2e.conftest import suite
from tests.support.rabbit_node import RabbitNode
from tests.support.suite import Suite, running_suite

__all__ = ["suite", "vhost_of"]


def vhost_of(amqp_url: str) -> str:
    """The virtual host an AMQP URL names (its path, percent-decoded)."""
    return unquote(urlsplit(amqp_url).path.lstrip("/")) or "/"


@pytest.fixture(scope="module")
def own_mongo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MongoServer]:
    """A mongod only this module uses: stopping the session's one would break other tests."""
    server = MongoServer(tmp_path_factory.mktemp("own-mongo"), free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def suite_own_db(
    own_mongo: MongoServer, broker: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Suite]:
    """The whole suite on ``own_mongo``, so the test may stop and restart the database."""
    with running_suite(own_mongo.url, tmp_path_factory.mktemp("suite")) as started:
        yield started


@pytest.fixture(scope="module")
def private_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RabbitNode]:
    """A RabbitMQ node of this module's own, for faults that stop or freeze the whole broker
    (the shared one serves every other test)."""
    node = RabbitNode(tmp_path_factory.mktemp("rabbit-node"))
    node.start()
    yield node
    node.stop()
