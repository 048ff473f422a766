"""New cases handed over together are filed in one transaction, each seeing the ones before
it, with the outcome of each as if filed alone; a batch that cannot be filed whole is filed
case by case."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from services.cli.infra import MongoServer
from services.triage.deps import TriageDeps
from services.triage.handlers import worker_table
from services.triage.new_cases import handle_case_submitted, handle_new_cases
from services.triage.storage.filing_guards import COLLECTION as GUARDS
from shared.broker.consumer import PermanentError
from shared.contracts import CaseSubmitted, Envelope, Event
from shared.settings import Settings
from tests.support.commands import CommandCounter
from tests.support.triage_listened import listened_triage
from tests.unit.triage.builders import (
    KARO,
    KUTAI_TIMUR,
    accused,
    database_only_settings,
    envelope_of,
    submitted,
)

Document = dict[str, Any]


@pytest.fixture
def db_settings(mongo_server: MongoServer) -> Iterator[Settings]:
    yield from database_only_settings(mongo_server.url)


@pytest.fixture
def counted(db_settings: Settings) -> Iterator[tuple[TriageDeps, CommandCounter]]:
    """Triage whose commits are counted."""
    commits = CommandCounter(None, name="commitTransaction")
    triage, client = listened_triage(db_settings, commits)
    yield triage, commits
    client.close()


def _case(n: int, tenant: str = KARO) -> tuple[Envelope, Event]:
    # One template about different people: none is a duplicate of another.
    person = accused(name=f"Pegawai Nomor{n} Karo", nip=f"19860926201505{n:04d}")
    event = submitted(people=[person])
    return envelope_of(event, tenant), event


def _state(triage: TriageDeps, case_id: str) -> Document:
    state = triage.cases.find_one({"_id": case_id})
    assert state is not None
    return state


def _officer(triage: TriageDeps, item: tuple[Envelope, Event]) -> str | None:
    assignment = _state(triage, str(getattr(item[1], "case_id", "")))["assignment"]
    return None if assignment is None else str(assignment["officer_id"])


def test_a_batch_is_one_commit_and_counts_its_own_assignments(
    counted: tuple[TriageDeps, CommandCounter],
) -> None:
    triage, commits = counted
    items = [_case(n) for n in range(6)]
    assert handle_new_cases(items, triage) == [None] * 6
    assert commits.count == 1
    assert triage.decisions.count_documents({}) == 6
    # The officers' loads counted each case of the batch before the next was routed.
    spread = Counter(_officer(triage, item) for item in items)
    assert len(spread) == 2
    assert max(spread.values()) - min(spread.values()) <= 1
    assert triage.loads.current(KARO) == triage.open_load(KARO) == dict(spread)


def test_a_batch_of_several_regencies_is_one_commit_after_their_guards(
    counted: tuple[TriageDeps, CommandCounter],
) -> None:
    """A single worker never meets another replica: one commit for the whole batch, after
    one write to the guards of its regencies."""
    triage, commits = counted
    items = [_case(0), _case(1, KUTAI_TIMUR), _case(2), _case(3, KUTAI_TIMUR)]
    assert handle_new_cases(items, triage) == [None] * 4
    assert commits.count == 1
    guards = triage.facts.database[GUARDS]
    assert {d["_id"]: d["filings"] for d in guards.find()} == {KARO: 1, KUTAI_TIMUR: 1}
    assert None not in {_officer(triage, item) for item in items}


def test_a_report_sent_twice_in_one_batch_is_a_duplicate_of_the_first_copy(
    counted: tuple[TriageDeps, CommandCounter],
) -> None:
    triage, _ = counted
    first = submitted()
    copy = submitted(tracking_code="P3XV-7KQM-2D9F-HT4W")
    assert handle_new_cases([(envelope_of(first), first), (envelope_of(copy), copy)], triage) == [
        None,
        None,
    ]
    assert _state(triage, copy.case_id)["duplicate_of"] == first.case_id
    assert _state(triage, copy.case_id)["assignment"] is None
    # The first copy shows the second, as when they come one by one.
    assert [link["case_id"] for link in _state(triage, first.case_id)["links"]] == [copy.case_id]


def test_a_batch_files_what_the_cases_filed_one_by_one_would(
    counted: tuple[TriageDeps, CommandCounter],
) -> None:
    triage, _ = counted
    items = [_case(n) for n in range(3)] + [_case(9, KUTAI_TIMUR)]
    first, copy = submitted(), submitted()
    items += [(envelope_of(first), first), (envelope_of(copy), copy)]
    fields = {"_id": 0, "case_id": 1, "category": 1, "priority": 1, "duplicate_of": 1}
    fields |= {"assignee_id": 1, "due_at": 1, "sanction_level": 1, "routing_reasons": 1}

    def filed() -> tuple[list[Document], list[str | None]]:
        decisions = list(triage.decisions.find({}, fields).sort("case_id"))
        return decisions, [_officer(triage, item) for item in items]

    assert handle_new_cases(items, triage) == [None] * len(items)
    batched = filed()
    for collection in (triage.decisions, triage.cases, triage.facts):
        collection.delete_many({})
    triage.loads.forget()
    for envelope, event in items:
        assert isinstance(event, CaseSubmitted)
        assert handle_case_submitted(envelope, event, triage)
    assert filed() == batched
    assert batched[1][-1] is None  # the copy, a duplicate: the comparison covers one


def test_a_batch_with_a_redelivered_case_is_filed_case_by_case(
    counted: tuple[TriageDeps, CommandCounter],
) -> None:
    triage, commits = counted
    known = _case(1)
    assert handle_new_cases([known], triage) == [None]
    items = [_case(2), known, _case(3)]
    assert handle_new_cases(items, triage) == [None, None, None]
    # One decision per case: the redelivery changed nothing, the others were filed.
    assert triage.decisions.count_documents({}) == 3
    assert triage.decisions.count_documents({"source_event_id": str(known[0].id)}) == 1
    # The batch's transaction failed whole; then each new case had its own.
    assert commits.count == 1 + 2


def test_a_case_of_an_unknown_region_is_parked_and_the_rest_filed(
    counted: tuple[TriageDeps, CommandCounter],
) -> None:
    triage, _ = counted
    items = [_case(1), _case(2, "99.99"), _case(3)]
    errors = handle_new_cases(items, triage)
    assert errors[0] is None
    assert isinstance(errors[1], PermanentError)
    assert errors[2] is None
    assert triage.decisions.count_documents({}) == 2


def test_the_worker_table_files_new_cases_through_the_batch(
    counted: tuple[TriageDeps, CommandCounter],
) -> None:
    triage, commits = counted
    _, batch = worker_table(triage)
    assert list(batch.handle([_case(1), _case(2)])) == [None, None]
    assert commits.count == 1
    assert triage.cases.count_documents({}) == 2
