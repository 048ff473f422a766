"""Copies of one report filed at the same moment, through a deployment that runs two of every
process, are one case and its duplicates: one officer alerted, whichever triage replica took
which copy.

A monitoring system and a citizen, or two offices, often file the same post within the same
second; each copy reaches intake's replicas and then either of triage's workers. The copies
of each report are sent together from threads of their own, to both intake replicas.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
from pymongo import MongoClient

from services.cli.infra import MongoServer, wait_for
from tests.support.builders import plain_text
from tests.support.concurrency import at_once
from tests.support.pipeline_checker import Submitted, distinct_cases, submit
from tests.support.suite import Suite, running_suite

pytestmark = pytest.mark.e2e

REPORTS = 15  # three a regency, over four provinces
COPIES = 2


@pytest.fixture(scope="module")
def replicated(
    mongo_server: MongoServer, broker: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Suite]:
    with running_suite(mongo_server.url, tmp_path_factory.mktemp("suite"), replicas=2) as suite:
        yield suite


def _file_copies_at_once(suite: Suite, key: str, payload: dict[str, Any]) -> list[Submitted]:
    urls = suite.intake_urls()
    return at_once(
        *(partial(submit, suite, key, payload, base=urls[i % len(urls)]) for i in range(COPIES))
    )


def _states(suite: Suite, case_ids: list[str]) -> dict[str, dict[str, Any]]:
    client: MongoClient[dict[str, Any]] = MongoClient(suite.settings.mongo_url)
    try:
        states = client[suite.settings.database_name("triage")]["case_states"]
        return {d["_id"]: d for d in states.find({"_id": {"$in": case_ids}})}
    finally:
        client.close()


def test_copies_filed_at_once_across_replicas_alert_one_officer_per_report(
    replicated: Suite,
) -> None:
    suite = replicated
    cases = distinct_cases(REPORTS, tag=uuid.uuid4().hex[:6])
    keys = {region: suite.key(region) for region in {r for r, _ in cases}}
    reports = [_file_copies_at_once(suite, keys[r], payload) for r, payload in cases]
    case_ids = [c.case_id for copies in reports for c in copies]

    wait_for(lambda: len(_states(suite, case_ids)) == len(case_ids), 90, "every copy triaged")
    states = _states(suite, case_ids)
    for copies in reports:
        ids = {c.case_id for c in copies}
        originals = [i for i in ids if states[i]["duplicate_of"] is None]
        # One copy stands and is assigned; the others are its duplicates, not assigned.
        assert len(originals) == 1, [(i, states[i]["duplicate_of"]) for i in ids]
        assert all(states[i]["duplicate_of"] == originals[0] for i in ids - set(originals))
        assert [i for i in ids if states[i]["assignment"] is not None] == originals

    def alerts() -> dict[str, int]:
        texts = [plain_text(m) for m in suite.mail.messages]
        found = {}
        for copies in reports:
            found[copies[0].case_id] = sum(
                1 for text in texts for c in copies if c.tracking_code in text
            )
        return found

    wait_for(lambda: all(n >= 1 for n in alerts().values()), 60, "an alert for every report")
    assert set(alerts().values()) == {1}  # one officer alerted once per report
