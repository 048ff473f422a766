"""The suite's SMTP server is down for a minute while offices go on filing cases.

Notify cannot send: every alert fails as a passing fault, is recorded as a retry in the ledger
and goes back through the broker's retry queues with growing delays. When the server is back
on the same port (the same Maildir, the mails received before are kept), every alert filed
before and during the outage must be delivered exactly once, none parked, and the suite must
be back to normal within the recovery bound.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from services.cli.infra import port_open
from shared.broker.parking import ParkingQueue
from tests.support.pipeline_checker import (
    REGENCIES,
    Submitted,
    await_pipeline,
    case_stream,
    submit,
)
from tests.support.recovery import RECOVERY_BOUND_S, measure_recovery
from tests.support.suite import Suite, running_suite
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

OUTAGE_S = 60.0
# One case every few seconds while SMTP is down: alerts enter the retry path all along the
# outage, the first ones a whole minute before the server is back.
FILE_EVERY_S = 4.0

# The e2e suite retries after 300 ms and 1 s with 5 attempts: an alert gives up (is parked)
# about 3 s into an outage. A deployment's defaults (1 s, 5 s, 30 s, 120 s; 5 attempts) ride
# out about 2.5 minutes of a mail server's outage before parking, but an alert may then wait
# up to 2 minutes after the server is back, more than this test's recovery bound. So this
# suite retries the same way at a smaller scale: attempts every 5 s (after a first one at 1 s),
# giving up only after 20 attempts, 91 s of retrying (longer than the outage, with margin on
# a slow machine: a loaded broker only makes the delays longer), and a retried alert goes out
# within one 5 s delay once the server is back.
RETRY_ENV = {"PANTAU_RETRY_DELAYS_MS": "1000,5000", "PANTAU_MAX_ATTEMPTS": "20"}


@pytest.fixture(scope="module")
def suite_with_patient_retries(
    mongo_server: Any, broker: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Suite]:
    home = tmp_path_factory.mktemp("suite")
    with running_suite(mongo_server.url, home, env_overrides=RETRY_ENV) as started:
        yield started


def _notify_total(suite: Suite, name: str, **labels: str) -> float:
    """The notify worker's counter ``name`` summed over samples with ``labels``."""
    text = requests.get(f"{suite.worker_urls['notify']}/metrics", timeout=10).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items())
    )


def test_smtp_down_a_minute_every_alert_delivered_once_nothing_parked(
    suite_with_patient_retries: Suite,
) -> None:
    suite = suite_with_patient_retries
    sink = suite.mail
    keys = {region: suite.key(region) for region in REGENCIES}
    pool = case_stream(f"smtp{uuid.uuid4().hex[:4]}")

    def file() -> Submitted:
        region, payload = next(pool)
        return submit(suite, keys[region], payload)

    # Filed before the outage and delivered before it begins: the server is stopped at a
    # quiet moment. Stopped mid-conversation it could keep a mail whose 250 never reaches
    # notify, which then rightly sends it again; that is the SMTP window the kill tests allow,
    # not what this test is about.
    before = [file() for _ in range(4)]
    warm = await_pipeline(suite, before, timeout=90, settle=0)
    assert warm.lost == 0, warm.summary()
    parked_before = _notify_total(suite, "pantau_events_parked_total")
    retries_before = _notify_total(suite, "pantau_notifications_total", result="retry")
    mails_before = len(sink.messages)

    sink.stop()
    stopped_at = time.monotonic()
    assert not port_open("127.0.0.1", sink.port), "the SMTP server still listens"
    during: list[Submitted] = []
    try:
        while time.monotonic() - stopped_at < OUTAGE_S - FILE_EVERY_S:
            during.append(file())
            time.sleep(FILE_EVERY_S)
        # Proof the outage mattered: notify tried, failed and sent the alerts to be retried.
        eventually(
            lambda: (
                _notify_total(suite, "pantau_notifications_total", result="retry") > retries_before
            ),
            timeout=30,
        )
        time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - stopped_at)))
    finally:
        # Same port, same Maildir, the messages received before kept (MailSink.start after
        # stop serves the same keeper again).
        sink.start()
    ended = time.monotonic()
    print(f"SMTP down {ended - stopped_at:.1f}s; {len(during)} cases filed meanwhile")
    assert len(sink.messages) == mails_before, "a mail arrived while the server was down"

    after = [file() for _ in range(2)]
    recovery = measure_recovery(suite, during + after, ended, fault="a 60s SMTP outage")
    print(recovery.summary())

    submitted = before + during + after
    report = await_pipeline(suite, submitted, timeout=60, settle=3)
    print(report.summary())
    retried = _notify_total(suite, "pantau_notifications_total", result="retry") - retries_before
    print(f"{retried:.0f} failed sends retried through the broker")
    assert report.lost == 0, report.summary()
    # No process was killed and the server was stopped between two mails: exactly once.
    assert report.duplicated == 0, report.summary()
    assert recovery.within_bound, f"{recovery.summary()} > {RECOVERY_BOUND_S:.0f}s"
    # Nothing gave up: no message parked, the parking queue empty.
    assert _notify_total(suite, "pantau_events_parked_total") == parked_before
    assert _notify_total(suite, "pantau_notifications_total", result="parked") == 0
    assert ParkingQueue(suite.settings, "notify").depth() == 0
    # The restarted server kept writing to the same Maildir: one file per mail received.
    assert len(list((suite.home / "mail" / "new").iterdir())) == len(sink.messages)
    for name, child in suite.children.items():
        assert child.alive(), suite.log(name)[-2000:]
