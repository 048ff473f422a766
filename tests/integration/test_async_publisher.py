"""The asynchronous confirming publisher on the real broker."""

from __future__ import annotations

import uuid

import pytest

from services.cli.infra import rabbitmqctl
from shared.broker.async_publisher import AsyncPublisher
from shared.broker.publisher import Outgoing, PublishError
from shared.contracts import CaseStatusChanged, encode, new_envelope
from shared.settings import Settings
from tests.support.broker import depth


def _messages(n: int) -> list[Outgoing]:
    out = []
    for i in range(n):
        envelope = new_envelope(
            CaseStatusChanged(case_id=f"c{i}", from_status="a", to_status="b", actor="x"),
            tenant="12.06",
            correlation_id="c",
        )
        out.append(Outgoing(str(envelope.id), envelope.type, encode(envelope)))
    return out


def test_batches_are_confirmed_and_land_in_the_queue(settings: Settings) -> None:
    publisher = AsyncPublisher(settings, name="test-async")
    try:
        for _ in range(4):
            publisher.publish(_messages(500))
    finally:
        publisher.close()
    assert depth(settings, "pantau.triage") == 2000


def test_closed_connection_fails_the_batch_then_reconnects(settings: Settings) -> None:
    publisher = AsyncPublisher(settings, name="test-async-faults")
    vhost = settings.amqp_url.rsplit("/", 1)[1].split("?")[0]
    try:
        publisher.publish(_messages(10))
        rabbitmqctl("close_all_connections", "--vhost", vhost, "test: maintenance")
        # The next batch either fails (the loop saw the close first) or goes through on a new
        # connection; either way nothing is reported confirmed that was not.
        published = 10
        for _ in range(3):
            try:
                publisher.publish(_messages(10))
                published += 10
                break
            except PublishError:
                continue
        assert published == 20
    finally:
        publisher.close()
    assert depth(settings, "pantau.triage") == 20


def test_broker_down_is_a_publish_error(settings: Settings) -> None:
    down = settings.model_copy(
        update={"amqp_url": f"amqp://guest:guest@127.0.0.1:1/{uuid.uuid4().hex}"}
    )
    publisher = AsyncPublisher(down, name="test-down")
    with pytest.raises(PublishError):
        publisher.publish(_messages(1))
    publisher.close()
