"""The broker drops every connection of the suite while offices keep filing cases.

CONNECTION_FORCED is what clients see when RabbitMQ restarts a node or an operator closes
connections; the relay and the workers must reconnect on their own and the outbox and the
idempotent consumers must make the net effect exact: every case once, every alert once.
"""

from __future__ import annotations

import pytest

from services.cli.infra import rabbitmqctl
from tests.faults.conftest import vhost_of
from tests.support.pipeline_checker import check_pipeline, distinct_cases
from tests.support.suite import Suite

pytestmark = pytest.mark.e2e


def test_forced_connection_close_during_load_loses_and_doubles_nothing(suite: Suite) -> None:
    vhost = vhost_of(suite.settings.amqp_url)
    cases = distinct_cases(16, tag="conn")

    def close_connections(i: int) -> None:
        # Three times during the load: before anything is relayed, mid-stream, and at the
        # end, so relay, triage and notify are each caught with work in flight.
        if i in (1, 7, 13):
            rabbitmqctl("close_all_connections", "--vhost", vhost, "pantau fault test")

    report = check_pipeline(suite, cases, timeout=120, during=close_connections)
    print(report.summary())
    assert report.lost == 0, report.summary()
    # No worker was SIGKILLed, so not even the SMTP window applies: exactly once.
    assert report.duplicated == 0, report.summary()
    assert all(child.alive() for child in suite.children.values())
    # Proof the fault landed: both consuming workers saw their connection go and came back.
    for worker in ("triage-worker", "notify-worker"):
        assert "broker connection lost; reconnecting" in suite.log(worker), worker
