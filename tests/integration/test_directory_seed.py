"""A fresh directory is seeded from the roster file's officers, once, on the real MongoDB:
through the ordinary create (each announced), never over entries already there, and by one
worker when several start together."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
import yaml

from services.intake.bootstrap import bootstrap, ensure_indexes
from services.intake.directory import officers as directory
from services.intake.directory.models import OfficerEntry
from services.intake.directory.schema import OfficerCreate
from services.intake.directory.seeding import (
    LEASE,
    MARKER_ID,
    markers,
    roster_officers,
    roster_text,
    seed_from_roster,
    seeder,
)
from shared.contracts import OfficerChanged, decode
from shared.settings import Settings
from tests.support.concurrency import at_once

SHIPPED = roster_text()
SHIPPED_IDS = sorted(str(entry["officer_id"]) for _, entry in roster_officers(SHIPPED))


@pytest.fixture
def intake(settings: Settings) -> Settings:
    bootstrap(settings)
    ensure_indexes()
    return settings


def stored_ids() -> list[str]:
    return sorted(str(d["_id"]) for d in OfficerEntry._get_collection().find({}, {"_id": 1}))


def announced(officer_id: str) -> list[OfficerChanged]:
    doc = OfficerEntry._get_collection().find_one({"_id": officer_id})
    assert doc is not None
    found = []
    for item in doc.get("outbox", []):
        _, event = decode(item["body"].encode())
        assert isinstance(event, OfficerChanged)
        found.append(event)
    return found


def test_the_shipped_roster_lists_the_demo_officers() -> None:
    assert "karo-bkpsdm-1" in SHIPPED_IDS
    assert "karo-supervisor" in SHIPPED_IDS
    assert len(SHIPPED_IDS) == len(set(SHIPPED_IDS)) >= 10


@pytest.mark.usefixtures("intake")
def test_an_empty_directory_gets_every_roster_officer_each_announced(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)  # the worker logs at INFO: its lines must be writable
    result = seed_from_roster(SHIPPED)
    assert result.state == "seeded"
    assert result.created == len(SHIPPED_IDS)
    assert stored_ids() == SHIPPED_IDS
    supervisor = directory.get("karo-supervisor")
    assert supervisor is not None
    assert supervisor["role"] == "supervisor"
    assert supervisor["region"] == "12.06"
    assert supervisor["email"] == "herman.karokaro@karo.example"
    assert supervisor["phone"] == "+6281260000005"
    assert supervisor["version"] == 1
    english = directory.get("kutim-bkpsdm-1")
    assert english is not None
    assert english["language"] == "en"
    assert english["timezone"] == "Asia/Makassar"
    [event] = announced("karo-supervisor")
    assert event.email == "herman.karokaro@karo.example"
    assert event.version == 1
    assert directory.find_by_email("RINA.TARIGAN@karo.example") is not None  # can sign in
    assert any(r.getMessage() == "directory seeded from the roster file" for r in caplog.records)


@pytest.mark.usefixtures("intake")
def test_seeding_again_changes_nothing() -> None:
    assert seed_from_roster(SHIPPED).state == "seeded"
    before = list(OfficerEntry._get_collection().find({}).sort("_id", 1))
    assert seed_from_roster(SHIPPED).state == "already"
    assert list(OfficerEntry._get_collection().find({}).sort("_id", 1)) == before


@pytest.mark.usefixtures("intake")
def test_a_directory_that_has_entries_is_never_touched() -> None:
    own = OfficerCreate(
        officer_id="karo-own-1", region="12.06", unit="BKPSDM", name="Sri Br Sembiring"
    )
    directory.create(own, actor=directory.actor_of("test"))
    assert seed_from_roster(SHIPPED).state == "already"
    assert stored_ids() == ["karo-own-1"]
    # And it stays untouched even once emptied: the seed happens once per directory.
    OfficerEntry._get_collection().delete_many({})
    assert seed_from_roster(SHIPPED).state == "already"
    assert stored_ids() == []


@pytest.mark.usefixtures("intake")
def test_workers_starting_together_seed_once() -> None:
    def start(n: int) -> str:
        return seed_from_roster(SHIPPED, owner=f"worker-{n}").state

    results = at_once(*(partial(start, n) for n in range(4)))
    assert results.count("seeded") == 1
    assert stored_ids() == SHIPPED_IDS
    assert all(len(announced(officer_id)) == 1 for officer_id in SHIPPED_IDS)


@pytest.mark.usefixtures("intake")
def test_a_seed_cut_short_is_finished_by_the_next_worker_after_its_lease() -> None:
    now = datetime.now(UTC)
    first = OfficerCreate(
        officer_id="karo-kominfo-1",
        region="12.06",
        unit="DISKOMINFO",
        name="Rina Br Tarigan",
        email="rina.tarigan@karo.example",
    )
    directory.create(first, actor=directory.actor_of("roster file"))
    markers().insert_one(
        {"_id": MARKER_ID, "state": "seeding", "owner": "dead", "lease_until": now + LEASE}
    )
    assert seed_from_roster(SHIPPED, now=now).state == "busy"  # its worker may still be at it
    assert stored_ids() == ["karo-kominfo-1"]
    later = seed_from_roster(SHIPPED, now=now + LEASE + timedelta(seconds=1))
    assert later.state == "seeded"
    assert stored_ids() == SHIPPED_IDS
    assert len(announced("karo-kominfo-1")) == 1  # the one already there was left alone


@pytest.mark.usefixtures("intake")
def test_an_officer_the_directory_refuses_is_skipped_and_the_rest_seeded() -> None:
    roster = {
        "version": "t",
        "regions": {
            "12.06": {
                "officers": [
                    {"id": "karo-a-1", "name": "A", "unit": "BKPSDM", "available": False},
                    {"id": "Not A Slug", "name": "B", "unit": "BKPSDM"},
                    {"id": "karo-c-1", "name": "C", "unit": "NO_SUCH_UNIT"},
                ]
            }
        },
    }
    result = seed_from_roster(yaml.safe_dump(roster))
    assert (result.state, result.created, result.skipped) == ("seeded", 1, 2)
    assert stored_ids() == ["karo-a-1"]


def test_the_worker_task_seeds_from_the_configured_file(intake: Settings, tmp_path: Path) -> None:
    path = tmp_path / "roster.yaml"
    path.write_text(
        yaml.safe_dump(
            {"regions": {"17.71": {"officers": [{"id": "bkl-x-1", "name": "X", "unit": "BKPSDM"}]}}}
        ),
        encoding="utf-8",
    )
    task = seeder(str(path))
    stop = threading.Event()
    thread = threading.Thread(target=task, args=(stop,))
    thread.start()
    thread.join(30)
    assert not thread.is_alive()
    assert stored_ids() == ["bkl-x-1"]
    marker = markers().find_one({"_id": MARKER_ID})
    assert marker is not None
    assert marker["state"] == "done"


def test_a_missing_roster_file_leaves_the_directory_alone(intake: Settings, tmp_path: Path) -> None:
    task = seeder(str(tmp_path / "nowhere.yaml"))
    task(threading.Event())
    assert stored_ids() == []
    assert markers().find_one({"_id": MARKER_ID}) is None
