"""MongoDB goes away and comes back while offices keep filing cases.

While the database is down intake cannot store anything, so it must say so the way HTTP
clients understand (503 with Retry-After, never a 500 that reads as "your request is wrong"
and is not retried), /readyz must take the app out of the load balancer, and every case
accepted before the outage or after the recovery must still cross the whole pipeline once.
"""

from __future__ import annotations

import pytest
import requests

from services.cli.infra import MongoServer
from tests.support.pipeline_checker import await_pipeline, distinct_cases, submit_all
from tests.support.suite import Suite
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e


def test_intake_answers_503_while_mongodb_is_down_and_loses_nothing(
    suite_own_db: Suite, own_mongo: MongoServer
) -> None:
    suite = suite_own_db
    cases = distinct_cases(12, tag="mdb")
    key = suite.key("12.06")
    before = submit_all(suite, cases[:6])

    own_mongo.stop()
    try:
        answer = requests.post(
            f"{suite.urls['intake']}/v1/cases",
            json=cases[6][1],
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )
        assert answer.status_code == 503, answer.text
        assert answer.headers.get("Retry-After") == "5"
        assert answer.headers["Content-Type"].startswith("application/problem+json")
        ready = requests.get(f"{suite.urls['intake']}/readyz", timeout=10)
        assert ready.status_code == 503
        assert ready.json()["checks"]["mongodb"] == "failing"
    finally:
        # Same data folder and port: the replica set and everything stored come back.
        own_mongo.start()

    # Recovery is automatic: the apps and workers reconnect without a restart.
    eventually(
        lambda: requests.get(f"{suite.urls['intake']}/readyz", timeout=10).status_code == 200,
        timeout=60,
    )
    after = submit_all(suite, cases[6:])
    report = await_pipeline(suite, [*before, *after], timeout=120)
    print(report.summary())
    assert report.lost == 0, report.summary()
    assert report.duplicated == 0, report.summary()
    # Every process rides out the outage without a restart: no app factory touches the
    # database at boot, so a gunicorn worker (re)starting during the outage still comes up.
    for name in suite.children:
        assert suite.children[name].alive(), suite.log(name)[-2000:]
