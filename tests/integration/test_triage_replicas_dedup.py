"""Two triage replicas filing copies of one report at the same moment still find the copy.

Each replica files its cases in a snapshot transaction: without anything that orders them, two
replicas that both search before either commits read snapshots without the other's copy and
both file it as new (two officers alerted, no link). The tests hold each replica at the point
where its search is done and its facts not yet written, until the other has reached it too or
a moment has passed: the interleaving that a burst spread over replicas makes likely.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from typing import Any, cast

import pytest
from prometheus_client import REGISTRY
from pymongo.collection import Collection

from services.cli.infra import MongoServer
from services.triage.deps import TriageDeps
from services.triage.handlers import handle_case_updated
from services.triage.new_cases import handle_new_cases
from shared.contracts import CaseUpdated
from shared.settings import Settings
from tests.support.concurrency import at_once
from tests.support.triage_listened import listened_triage
from tests.unit.triage.builders import (
    KARO,
    KUTAI_KARTANEGARA,
    KUTAI_TIMUR,
    accused,
    database_only_settings,
    envelope_of,
    submitted,
)

Document = dict[str, Any]
BENGKULU = "17.71"  # a regency of another province, for the replicas' warming cases
# Long enough for the other replica to reach the meeting point when nothing holds it back; a
# replica held back by the other's filing misses the meeting, and this one goes on alone.
MEETING_S = 5.0


class _MeetBeforeWriting:
    """A facts collection whose writes first wait for the other replica's (once)."""

    def __init__(
        self, collection: Collection[Document], meeting: threading.Barrier, met: list[bool]
    ) -> None:
        self._collection = collection
        self._meeting = meeting
        self._met = met

    def replace_one(self, *args: Any, **kwargs: Any) -> Any:
        try:
            self._meeting.wait(MEETING_S)
            self._met.append(True)
        except threading.BrokenBarrierError:
            self._met.append(False)  # the other replica is held back: go on alone
        return self._collection.replace_one(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._collection, name)


@pytest.fixture
def db_settings(mongo_server: MongoServer) -> Iterator[Settings]:
    yield from database_only_settings(mongo_server.url)


@pytest.fixture
def replicas(db_settings: Settings) -> Iterator[tuple[TriageDeps, TriageDeps]]:
    """Two triage replicas over one database, each with its own client and caches, warmed
    by a case of their own in a regency the tests do not use (the model, the configuration
    and the loads are read then, not while a test's replicas race)."""
    built = [listened_triage(db_settings) for _ in range(2)]
    for n, (triage, _) in enumerate(built):
        warm = submitted(
            tracking_code=f"W{n}RM-3XPA-9D2F-KT6W",
            title="Rapat koordinasi dinas kesehatan",
            description=f"Rapat rutin nomor {n} di kantor dinas membahas jadwal imunisasi.",
            people=[accused(name=f"Pegawai Pemanasan {n}", nip=f"19800101201001100{n}")],
            evidence_urls=[],
        )
        assert handle_new_cases([(envelope_of(warm, BENGKULU), warm)], triage) == [None]
    yield built[0][0], built[1][0]
    for _, client in built:
        client.close()


def _meeting(
    replicas: tuple[TriageDeps, TriageDeps],
) -> tuple[TriageDeps, TriageDeps, list[bool]]:
    """The replicas with facts that meet before writing, and whether each write met."""
    meeting, met = threading.Barrier(2), list[bool]()
    one, two = (
        dataclasses.replace(
            r, facts=cast(Collection[Document], _MeetBeforeWriting(r.facts, meeting, met))
        )
        for r in replicas
    )
    return one, two, met


def _filings_run_again() -> float:
    return REGISTRY.get_sample_value("pantau_triage_filings_run_again_total") or 0.0


def _duplicate_of(triage: TriageDeps, case_id: str) -> str | None:
    found = _state(triage, case_id)["duplicate_of"]
    return None if found is None else str(found)


def _assigned(triage: TriageDeps, case_id: str) -> bool:
    return _state(triage, case_id)["assignment"] is not None


def _state(triage: TriageDeps, case_id: str) -> Document:
    state = triage.cases.find_one({"_id": case_id})
    assert state is not None
    return state


def test_copies_filed_by_two_replicas_at_once_are_a_case_and_its_duplicate(
    replicas: tuple[TriageDeps, TriageDeps],
) -> None:
    one, two, met = _meeting(replicas)
    first = submitted()
    copy = submitted(tracking_code="P3XV-7KQM-2D9F-HT4W")
    run_again = _filings_run_again()
    results = at_once(
        lambda: handle_new_cases([(envelope_of(first), first)], one),
        lambda: handle_new_cases([(envelope_of(copy), copy)], two),
    )
    assert results == [[None], [None]]
    # Whichever committed second saw the other's copy: one case stands, assigned; the other
    # is its duplicate, not assigned (one alert, one officer).
    found = {_duplicate_of(replicas[0], first.case_id), _duplicate_of(replicas[0], copy.case_id)}
    assert found in ({None, first.case_id}, {None, copy.case_id})
    assigned = [_assigned(replicas[0], c.case_id) for c in (first, copy)]
    assert sorted(assigned) == [False, True]
    # The replica that came second waited for the first to commit, then searched again,
    # and the operators' counter says so.
    assert False in met
    assert _filings_run_again() > run_again


def test_replicas_filing_in_different_regencies_do_not_wait_for_each_other(
    replicas: tuple[TriageDeps, TriageDeps],
) -> None:
    one, two, met = _meeting(replicas)
    # Two regencies of one province (Kalimantan Timur).
    kukar, kutim = submitted(), submitted(tracking_code="P3XV-7KQM-2D9F-HT4W")
    results = at_once(
        lambda: handle_new_cases([(envelope_of(kukar, KUTAI_KARTANEGARA), kukar)], one),
        lambda: handle_new_cases([(envelope_of(kutim, KUTAI_TIMUR), kutim)], two),
    )
    assert results == [[None], [None]]
    assert met == [True, True]  # both searched before either wrote
    # A duplicate is of the same regency: each is filed as new and assigned.
    assert _duplicate_of(replicas[0], kukar.case_id) is None
    assert _duplicate_of(replicas[0], kutim.case_id) is None
    assert _assigned(replicas[0], kukar.case_id)
    assert _assigned(replicas[0], kutim.case_id)


def test_a_batch_meeting_another_replica_in_one_regency_files_the_others_meanwhile(
    replicas: tuple[TriageDeps, TriageDeps],
) -> None:
    """Replica one files a report of Karo and is held before writing; replica two's batch
    holds a copy of it and a case of Kutai Timur. The batch waits only for Karo: its Kutai
    Timur case is filed while replica one is still held (the two meet), then its copy once
    replica one has committed, as a duplicate."""
    one, two, met = _meeting(replicas)
    first = submitted()
    copy = submitted(tracking_code="P3XV-7KQM-2D9F-HT4W")
    other = submitted(
        tracking_code="H7QM-3XPA-9D2F-KT6W",
        people=[accused(name="Pegawai Lain Sekali", nip="198001012010011999")],
        evidence_urls=[],
    )
    batch = [(envelope_of(copy, KARO), copy), (envelope_of(other, KUTAI_TIMUR), other)]

    def second() -> list[Exception | None]:
        time.sleep(0.3)  # replica one first takes Karo's guard
        return handle_new_cases(batch, two)

    results = at_once(lambda: handle_new_cases([(envelope_of(first, KARO), first)], one), second)
    assert results == [[None], [None, None]]
    assert met[0] is True  # Kutai Timur's case met replica one, still held before writing
    assert _duplicate_of(replicas[0], copy.case_id) == first.case_id
    assert _duplicate_of(replicas[0], other.case_id) is None
    assert _assigned(replicas[0], other.case_id)


def test_an_edit_and_a_new_copy_filed_at_once_by_two_replicas_still_meet(
    replicas: tuple[TriageDeps, TriageDeps],
) -> None:
    """Re-triage after an edit searches too: an edit that makes a case the copy of a report
    filed at the same moment by the other replica is compared with it."""
    other = submitted(
        title="Rapat koordinasi dinas pendidikan",
        description="Rapat rutin di kantor dinas pada hari Senin membahas jadwal sekolah.",
        people=[accused(name="Pegawai Lain Sekali", nip="198001012010011999")],
        evidence_urls=[],
    )
    assert handle_new_cases([(envelope_of(other), other)], replicas[0]) == [None]
    new = submitted(tracking_code="P3XV-7KQM-2D9F-HT4W")
    edit = CaseUpdated(
        case_id=other.case_id,
        changed=["title", "description", "accused", "evidence_urls"],
        title=new.title,
        description=new.description,
        accused=new.accused,
        evidence_urls=new.evidence_urls,
    )
    one, two, met = _meeting(replicas)
    results = at_once(
        lambda: handle_case_updated(envelope_of(edit), edit, one),
        lambda: handle_new_cases([(envelope_of(new), new)], two),
    )
    assert results == [True, [None]]
    found = (_duplicate_of(replicas[0], other.case_id), _duplicate_of(replicas[0], new.case_id))
    assert found in ((new.case_id, None), (None, other.case_id))
    assert False in met
