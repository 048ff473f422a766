"""The candidate search's query against the domain's own rules, on a real database.

The database leaves out what matching could never link (a report from the same template
about someone else, a text-only look-alike outside the window), so that a monitoring burst
does not fill the candidate limit with them; this holds the query equal to the domain's
``blocking_keys`` and ``needs_text`` over many accused and times.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.cli.infra import MongoServer
from services.triage.bootstrap import bootstrap, ensure_indexes
from services.triage.deps import TriageDeps, build
from services.triage.domain.dedup import (
    DedupConfig,
    DedupFacts,
    blocking_keys,
    facts_from,
    link_keys,
    needs_text,
)
from services.triage.domain.text_signature import text_keys
from services.triage.storage.dedup_facts import (
    backfill_person_fields,
    candidate_searches,
    facts_doc,
    find_candidates,
)
from shared.settings import Settings
from tests.unit.triage.builders import database_only_settings

Document = dict[str, Any]
AT = datetime(2024, 11, 8, 10, 0, tzinfo=UTC)
TEMPLATE = "ASN ikut kampanye paslon nomor 2 di Desa Sijuk bersama warga, foto terlampir."
# Names that contain each other, share a word, or share nothing.
NAMES = [
    "Aji Rahmat",
    "Aji Rahmat Hidayat",
    "Drs. Aji Rahmat, M.Si",
    "Rahmat",
    "Hidayat Aji",
    "Siti Aminah",
    "Siti",
    "Budi Santoso",
]
NIPS = ["198609262015051001", "197001011990031002", "198812312019022003"]
AGENCIES = [None, "Dinas Pendidikan", "Disdik Kab. Belitung", "Camat"]
POSTS = ["https://www.facebook.com/share/p/1AbC/", "https://www.instagram.com/p/XyZ1/"]


@pytest.fixture
def db_settings(mongo_server: MongoServer) -> Iterator[Settings]:
    yield from database_only_settings(mongo_server.url)


@pytest.fixture
def triage(db_settings: Settings) -> TriageDeps:
    bootstrap(db_settings)
    ensure_indexes()
    return build(db_settings)


def random_facts(rng: random.Random, case_id: str) -> DedupFacts:
    people = [
        (rng.choice(NAMES), rng.choice([None, None, *NIPS]), rng.choice(AGENCIES))
        for _ in range(rng.choice([0, 1, 1, 1, 2]))
    ]
    days = rng.choice([0, 1, 29, 30, 31, 45, -30, -31])
    return facts_from(
        case_id,
        rng.choice(["19.05", "19.05", "19.02"]),
        AT + timedelta(days=days, minutes=rng.randrange(60)),
        "Laporan" if rng.random() < 0.8 else "Lain",
        TEMPLATE if rng.random() < 0.8 else "Baliho calon bupati dipasang di kantor camat.",
        [rng.choice(POSTS)] if rng.random() < 0.2 else [],
        people,
    )


def expected(new: DedupFacts, stored: list[DedupFacts], config: DedupConfig) -> set[str]:
    """What the domain says the search must find: a shared link key, or a shared text key
    with texts that matching compares."""
    words = text_keys(new.signature)
    links = link_keys(new)
    found = set()
    for other in stored:
        if other.case_id == new.case_id or other.province != new.province:
            continue
        theirs = blocking_keys(other)
        if links & theirs or (words & theirs and needs_text(new, other, config)):
            found.add(other.case_id)
    return found


def test_the_query_finds_exactly_what_matching_could_link(triage: TriageDeps) -> None:
    rng = random.Random(20261203)
    stored = [random_facts(rng, f"S{i:03d}") for i in range(160)]
    triage.facts.insert_many([facts_doc(f, None) for f in stored])
    config = DedupConfig()
    left_out = 0
    for n in range(120):
        new = random_facts(rng, f"N{n:03d}")
        found = {c.facts.case_id for c in find_candidates(triage.facts, new, config=config)}
        assert found == expected(new, stored, config), new
        left_out += sum(
            1
            for other in stored
            if other.province == new.province and blocking_keys(other) & blocking_keys(new)
        ) - len(found)
    # The generator makes many same-template reports about other people: the query must
    # have had something to leave out, or this test would say nothing.
    assert left_out > 500


def test_a_template_burst_about_others_does_not_hide_an_earlier_duplicate(
    triage: TriageDeps,
) -> None:
    """250 later reports from one template about other people, then one about the first
    person: the first report is still found (the limit is 200 candidates)."""
    first = facts_from("FIRST", "19.05", AT, "Laporan", TEMPLATE, [], [("Aji Rahmat", None, None)])
    burst = [
        facts_from(
            f"B{i:03d}",
            "19.05",
            AT + timedelta(minutes=1 + i),
            "Laporan",
            TEMPLATE,
            [],
            [(f"Pegawai {i:03d} Nomor", None, None)],
        )
        for i in range(250)
    ]
    triage.facts.insert_many([facts_doc(f, None) for f in [first, *burst]])
    new = facts_from(
        "NEW",
        "19.05",
        AT + timedelta(hours=6),
        "Laporan",
        TEMPLATE,
        [],
        [("Aji Rahmat", None, None)],
    )
    found = [c.facts.case_id for c in find_candidates(triage.facts, new)]
    assert found == ["FIRST"]


def _examined(triage: TriageDeps, new: DedupFacts) -> int:
    """How many stored reports the database read to answer the candidate search."""
    plans = [
        triage.facts.find(search.query).hint(search.index).explain()
        for search in candidate_searches(new, DedupConfig().window)
    ]
    return sum(int(plan["executionStats"]["totalDocsExamined"]) for plan in plans)


def test_the_search_for_a_named_report_reads_no_report_about_someone_else(
    triage: TriageDeps,
) -> None:
    """The database itself leaves a template burst about other people unread (it used to
    read every report of the province in the window and drop them one by one)."""
    burst = [
        facts_from(
            f"B{i:03d}",
            "19.05",
            AT + timedelta(minutes=i),
            "Laporan",
            TEMPLATE,
            [],
            [(f"Pegawai {i:03d}x Nomor", None, "Camat")],
        )
        for i in range(300)
    ]
    unnamed = facts_from("U", "19.05", AT, "Laporan", TEMPLATE, [], [])
    same = facts_from("S", "19.05", AT, "Laporan", TEMPLATE, [], [("Aji Rahmat", None, None)])
    triage.facts.insert_many([facts_doc(f, None) for f in [*burst, unnamed, same]])
    new = facts_from(
        "NEW", "19.05", AT + timedelta(hours=1), "Laporan", TEMPLATE, [], [("Aji", None, None)]
    )
    assert {c.facts.case_id for c in find_candidates(triage.facts, new)} == {"U", "S"}
    assert _examined(triage, new) <= 2
    # A report naming nobody is compared with every look-alike: that search stays wide.
    anyone = replace(new, accused_names=frozenset())
    assert len(find_candidates(triage.facts, anyone)) == 200


def test_recent_facts_stored_before_the_person_fields_are_found_after_the_back_fill(
    triage: TriageDeps,
) -> None:
    def written_before_the_fields(facts: DedupFacts) -> Document:
        doc = facts_doc(facts, None)
        del doc["person_keys"], doc["named"]
        return doc

    person = [("Aji Rahmat", None, None)]
    old = facts_from("OLD", "19.05", AT, "Laporan", TEMPLATE, [], person)
    unnamed = facts_from("OLD-U", "19.05", AT, "Laporan", TEMPLATE, [], [])
    elsewhere = facts_from("OLD-P", "64.02", AT, "Laporan", TEMPLATE, [], person)
    ancient = facts_from("ANCIENT", "19.05", AT - timedelta(days=400), "L", TEMPLATE, [], person)
    triage.facts.insert_many(
        [written_before_the_fields(f) for f in (old, unnamed, elsewhere, ancient)]
    )
    new = facts_from("NEW", "19.05", AT, "Laporan", TEMPLATE, [], person)
    assert find_candidates(triage.facts, new) == []
    since = AT - timedelta(days=60)
    assert backfill_person_fields(triage.facts, since, batch=1) == 3
    assert {c.facts.case_id for c in find_candidates(triage.facts, new)} == {"OLD", "OLD-U"}
    assert backfill_person_fields(triage.facts, since) == 0
    # Facts older than the search can reach are left as they are.
    assert triage.facts.count_documents({"named": {"$exists": False}}) == 1
