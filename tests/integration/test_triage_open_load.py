"""New cases are routed on a copy of their regency's open loads: read once for a burst,
kept exact for what the worker assigns, read again after any other change it makes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from services.cli.infra import MongoServer
from services.triage.deps import TriageDeps
from services.triage.handlers import handle_status_changed
from services.triage.new_cases import handle_case_submitted
from services.triage.storage.models import CaseState
from services.triage.storage.open_load import MAX_AGE_SECONDS, RecentLoads
from shared.contracts import CaseSubmitted
from shared.settings import Settings
from tests.support.commands import CommandCounter
from tests.support.triage_listened import listened_triage
from tests.unit.triage.builders import (
    KARO,
    accused,
    database_only_settings,
    envelope_of,
    status_change,
    submitted,
)

Document = dict[str, Any]


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def db_settings(mongo_server: MongoServer) -> Iterator[Settings]:
    yield from database_only_settings(mongo_server.url)


@pytest.fixture
def counted(db_settings: Settings) -> Iterator[tuple[TriageDeps, CommandCounter, Ticks]]:
    """Triage whose case states are read through a client that counts the aggregations, and
    whose copy of the loads ages only when the test says."""
    aggregations = CommandCounter(CaseState._get_collection_name(), name="aggregate")
    triage, client = listened_triage(db_settings, aggregations)
    ticks = Ticks()
    triage.loads = RecentLoads(triage.open_load, clock=ticks)
    yield triage, aggregations, ticks
    client.close()


def _case(n: int) -> CaseSubmitted:
    # One template about different people: none is a duplicate of another.
    person = accused(name=f"Pegawai Nomor{n} Karo", nip=f"19860926201505{n:04d}")
    return submitted(people=[person])


def _file(triage: TriageDeps, event: CaseSubmitted) -> str:
    assert handle_case_submitted(envelope_of(event), event, triage)
    state = triage.cases.find_one({"_id": event.case_id})
    assert state is not None
    assert state["assignment"] is not None
    return str(state["assignment"]["officer_id"])


def test_a_burst_reads_its_regencys_loads_once_and_spreads_its_cases_as_the_counts_say(
    counted: tuple[TriageDeps, CommandCounter, Ticks],
) -> None:
    triage, aggregations, _ = counted
    officers = [_file(triage, _case(n)) for n in range(8)]
    assert aggregations.count == 1
    # Each case went to the least-loaded officer as the database counts them: the copy
    # followed every assignment.
    spread = Counter(officers)
    assert len(spread) > 1
    assert max(spread.values()) - min(spread.values()) <= 1
    assert triage.loads.current(KARO) == triage.open_load(KARO) == dict(spread)


def test_the_copy_is_read_again_once_it_is_old(
    counted: tuple[TriageDeps, CommandCounter, Ticks],
) -> None:
    triage, aggregations, ticks = counted
    _file(triage, _case(1))
    ticks.now += MAX_AGE_SECONDS / 2
    _file(triage, _case(2))
    assert aggregations.count == 1
    ticks.now += MAX_AGE_SECONDS
    _file(triage, _case(3))
    assert aggregations.count == 2


def test_a_closed_case_frees_its_officer_for_the_next_new_case_at_once(
    counted: tuple[TriageDeps, CommandCounter, Ticks],
) -> None:
    triage, aggregations, _ = counted
    cases = [_case(n) for n in range(4)]
    officers = [_file(triage, event) for event in cases]
    loads = triage.open_load(KARO)
    # Close every case of the busiest officer: the next case must go to them.
    busiest = max(loads, key=lambda o: (loads[o], o))
    for event, officer in zip(cases, officers, strict=True):
        if officer == busiest:
            close = status_change(event.case_id, "rejected", from_status="verified")
            assert handle_status_changed(envelope_of(close, at=triage.clock()), close, triage)
    before = aggregations.count
    assert _file(triage, _case(9)) == busiest
    assert aggregations.count == before + 1
