"""The faults of a three-member MongoDB replica set, while offices file.

The suite is given the set's connection string (all three members), as a deployment is. Each
test files cases from a background thread as an office system does (an Idempotency-Key,
retrying on 503 and lost connections) and, meanwhile, does one thing a replica set does in
production: the primary steps down for maintenance, the primary dies with writes in flight
(an election), a secondary is lost and comes back. Intake may answer 503 while no primary
can confirm a write, never a 500 and never a 201 for a case it could lose; every case it
accepted must cross the pipeline exactly once, and the suite must be back to normal within
the bound.
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
import requests
from pymongo import MongoClient

from services.cli.infra import wait_for
from tests.support.mongo_replica_set import MongoReplicaSet
from tests.support.pipeline_checker import (
    REGENCIES,
    Submitted,
    await_pipeline,
    case_stream,
    submit,
    submit_all,
)
from tests.support.recovery import expect_back_to_normal, measure_recovery
from tests.support.suite import Suite, running_suite

pytestmark = pytest.mark.e2e

FILE_EVERY_S = 0.5
# Offices file before the fault, during it and after, for this long in all.
LOAD_S = 14.0
FAULT_AFTER_S = 3.0


@pytest.fixture(scope="module")
def replica_set(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MongoReplicaSet]:
    started = MongoReplicaSet(tmp_path_factory.mktemp("replica-set"))
    started.start()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def suite_on_replica_set(
    replica_set: MongoReplicaSet, broker: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Suite]:
    # Two of every HTTP app and worker, as a replicated deployment runs them.
    with running_suite(replica_set.url, tmp_path_factory.mktemp("suite"), replicas=2) as suite:
        yield suite


class _Offices(threading.Thread):
    """Files a case every ``FILE_EVERY_S`` for ``LOAD_S`` seconds, as office systems do."""

    def __init__(self, suite: Suite, keys: dict[str, str]) -> None:
        super().__init__(daemon=True)
        self.suite = suite
        self.keys = keys
        self.pool = case_stream(f"rs{uuid.uuid4().hex[:4]}")
        self.filed: list[Submitted] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        until = time.monotonic() + LOAD_S
        replicas = itertools.cycle(self.suite.intake_urls())
        try:
            while time.monotonic() < until:
                region, payload = next(self.pool)
                self.filed.append(
                    submit(self.suite, self.keys[region], payload, base=next(replicas))
                )
                time.sleep(FILE_EVERY_S)
        except BaseException as exc:
            self.error = exc


def _under_load(
    suite: Suite, replica_set: MongoReplicaSet, fault: Callable[[], Callable[[], None]], name: str
) -> None:
    """Run ``fault`` a few seconds into a load; it returns how to end it (or a no-op)."""
    keys = {region: suite.key(region) for region in REGENCIES}
    pool = case_stream(f"rw{uuid.uuid4().hex[:4]}")
    warm = await_pipeline(
        suite, submit_all(suite, [(keys[r], p) for r, p in (next(pool) for _ in range(5))])
    )
    assert warm.lost == 0, warm.summary()

    offices = _Offices(suite, keys)
    offices.start()
    time.sleep(FAULT_AFTER_S)
    started = time.monotonic()
    end = fault()
    # A primary again: the fault is over for the clients; then the lost member comes back.
    replica_set.primary()
    elected = time.monotonic() - started
    end()
    ended = time.monotonic()
    offices.join(LOAD_S + 120)
    assert offices.error is None, repr(offices.error)
    wait_for(replica_set.healthy, 60, "every member back in the set")

    recovery = measure_recovery(suite, offices.filed, ended, fault=name)
    print(f"{name}: writable again {elected:.1f}s after the fault; {len(offices.filed)} filed")
    print(recovery.summary())
    expect_back_to_normal(suite, offices.filed, recovery)


def _nothing() -> None:
    return


def test_the_primary_stepping_down_loses_and_doubles_nothing(
    suite_on_replica_set: Suite, replica_set: MongoReplicaSet
) -> None:
    def step_down() -> Callable[[], None]:
        old = replica_set.step_down(seconds=5)
        assert replica_set.primary() is not old
        return _nothing

    _under_load(suite_on_replica_set, replica_set, step_down, "the primary stepped down")


def test_the_primary_killed_with_writes_in_flight_loses_and_doubles_nothing(
    suite_on_replica_set: Suite, replica_set: MongoReplicaSet
) -> None:
    def kill_primary() -> Callable[[], None]:
        old = replica_set.primary()
        old.kill()
        return lambda: old.start()

    _under_load(suite_on_replica_set, replica_set, kill_primary, "the primary killed")


def test_a_secondary_lost_and_brought_back_loses_and_doubles_nothing(
    suite_on_replica_set: Suite, replica_set: MongoReplicaSet
) -> None:
    def lose_secondary() -> Callable[[], None]:
        lost = replica_set.secondary()
        lost.stop()

        def back() -> None:
            # Offices go on filing on two members (still a majority) for a while.
            time.sleep(5)
            lost.start()

        return back

    _under_load(suite_on_replica_set, replica_set, lose_secondary, "a secondary lost")


def test_a_write_no_majority_can_confirm_is_a_503_and_the_retry_files_it_once(
    suite_on_replica_set: Suite, replica_set: MongoReplicaSet
) -> None:
    suite = suite_on_replica_set
    region, payload = next(case_stream(f"nm{uuid.uuid4().hex[:4]}"))
    key = suite.key(region)
    headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": uuid.uuid4().hex}
    url = f"{suite.urls['intake']}/v1/cases"

    primary = replica_set.primary()
    lost = [member for member in replica_set.members if member is not primary]
    for member in lost:
        member.kill()
    try:
        started = time.monotonic()
        answer = requests.post(url, json=payload, headers=headers, timeout=60)
        took = time.monotonic() - started
        print(f"with one member of three: {answer.status_code} after {took:.1f}s")
        assert answer.status_code == 503, answer.text
        assert answer.headers["Retry-After"] == "5"
        assert answer.headers["Content-Type"].startswith("application/problem+json")
    finally:
        for member in lost:
            member.start()
    wait_for(replica_set.healthy, 90, "every member back in the set")

    # The office system retries the same request, as Retry-After asks (a 409 says the first
    # attempt's claim is still held: it is taken over once stale, with the same case ids).
    deadline = time.monotonic() + 120
    retries = 0
    while True:
        answer = requests.post(url, json=payload, headers=headers, timeout=30)
        if answer.status_code in (200, 201) or time.monotonic() > deadline:
            break
        assert answer.status_code in (409, 503), answer.text
        retries += 1
        time.sleep(float(answer.headers.get("Retry-After", "1")))
    print(f"filed after {retries} more retries: {answer.status_code}")
    assert answer.status_code in (200, 201), answer.text
    filed = answer.json()
    case = Submitted(key, filed["id"], filed["tracking_code"], time.monotonic())
    report = await_pipeline(suite, [case], timeout=90, settle=3)
    print(report.summary())
    assert report.lost == 0, report.summary()
    assert report.duplicated == 0, report.summary()
    # One case for the request, however many times it was sent.
    client: MongoClient[dict[str, object]] = MongoClient(suite.settings.mongo_url)
    try:
        cases = client[suite.settings.database_name("intake")]["cases"]
        assert cases.count_documents({"description": payload["description"]}) == 1
    finally:
        client.close()
