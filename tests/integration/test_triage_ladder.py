"""The escalation ladder on the real database and broker: each step fires once, with
several schedulers racing and across restarts."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest

from services.cli.infra import MongoServer
from services.triage.bootstrap import bootstrap, ensure_indexes
from services.triage.deps import TriageDeps, build
from services.triage.handlers import handle_status_changed
from services.triage.ladder_scheduler import LadderScheduler
from services.triage.new_cases import handle_case_submitted
from shared.broker.publisher import Publisher
from shared.outbox import OutboxRelay
from shared.settings import Settings
from tests.support.broker import drain
from tests.support.concurrency import at_once
from tests.support.waiting import eventually
from tests.unit.triage.builders import (
    FakeClock,
    accused,
    database_only_settings,
    envelope_of,
    status_change,
    submitted,
)

# The case below is submitted Monday 4 Nov 2024 10:00 WIB and assigned at once; its
# verification stage (3 working days) ends Thursday 7 Nov 23:59:59 WIB = 16:59:59 UTC.
RESEND_1 = datetime(2024, 11, 4, 7, 30, tzinfo=UTC)
REASSIGN = datetime(2024, 11, 5, 3, 30, tzinfo=UTC)
REMINDER_24H = datetime(2024, 11, 6, 17, 30, tzinfo=UTC)
BREACH = datetime(2024, 11, 7, 17, 30, tzinfo=UTC)
PROVINCE = datetime(2024, 11, 8, 17, 30, tzinfo=UTC)
SCOPE = "lapor_verification@2024-11-07"


def new_deps(settings: Settings, clock: FakeClock) -> TriageDeps:
    """What one worker replica builds at start."""
    d = build(settings)
    d.clock = clock
    return d


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db_settings(mongo_server: MongoServer) -> Iterator[Settings]:
    yield from database_only_settings(mongo_server.url)


def first_replica(settings: Settings, clock: FakeClock) -> TriageDeps:
    bootstrap(settings)
    ensure_indexes()
    return new_deps(settings, clock)


@pytest.fixture
def triage(db_settings: Settings, clock: FakeClock) -> TriageDeps:
    return first_replica(db_settings, clock)


def submit(triage: TriageDeps, **changes: Any) -> str:
    event = submitted(at=triage.clock(), **changes)
    assert handle_case_submitted(envelope_of(event), event, triage)
    return event.case_id


def acknowledge(triage: TriageDeps, case_id: str) -> None:
    change = status_change(case_id, "in_review")
    assert handle_status_changed(envelope_of(change, at=triage.clock()), change, triage)


def fired(triage: TriageDeps, case_id: str) -> list[str]:
    steps = triage.steps.find({"case_id": case_id}).sort([("fired_at", 1), ("due_at", 1)])
    return [s["key"] for s in steps]


def step_events(triage: TriageDeps) -> list[dict[str, Any]]:
    return [
        json.loads(item["body"])
        for step in triage.steps.find().sort([("fired_at", 1), ("due_at", 1)])
        for item in step.get("outbox", [])
    ]


def test_the_ladder_climbs_one_rung_at_a_time(triage: TriageDeps, clock: FakeClock) -> None:
    case_id = submit(triage)
    ladder = LadderScheduler(triage)

    clock.now = RESEND_1
    assert ladder.run_once() == 1
    assert ladder.run_once() == 0  # nothing more is due: the case sleeps until the next rung
    acknowledge(triage, case_id)  # the officer confirms: no more resends or reassignment

    for moment in (REMINDER_24H, BREACH, PROVINCE):
        clock.now = moment
        ladder.run_once()
        ladder.run_once()
    assert fired(triage, case_id) == [
        "assignment:1:resend:1",
        f"{SCOPE}:reminder:24h",
        f"{SCOPE}:breach:supervisor",
        f"{SCOPE}:breach:province",
    ]
    events = step_events(triage)
    assert [e["type"] for e in events] == [
        "case.assigned",
        "case.escalated",
        "case.escalated",
        "case.escalated",
    ]
    resend, reminder, supervisor, province = (e["data"] for e in events)
    assert resend["assignee"]["officer_id"] == "karo-bkpsdm-1"
    assert "dikirim ulang (1)" in resend["reason"]
    assert reminder["recipient"]["officer_id"] == "karo-bkpsdm-1"
    assert supervisor["recipient"]["officer_id"] == "karo-supervisor"
    assert province["recipient"]["officer_id"] == "sumut-desk"
    # The reason names the stage in words: alerts and the timeline show it to officers.
    assert reminder["reason"] == "Pengingat: tenggat tahap verifikasi laporan tinggal 24 jam"
    assert supervisor["reason"] == (
        "Tenggat tahap verifikasi laporan terlewati; diteruskan ke atasan"
    )
    assert province["reason"] == (
        "Tenggat tahap verifikasi laporan terlewati dan kasus belum ditangani; "
        "diteruskan ke provinsi"
    )
    assert [reminder["step"], supervisor["step"], province["step"]] == [
        f"{SCOPE}:reminder:24h",
        f"{SCOPE}:breach:supervisor",
        f"{SCOPE}:breach:province",
    ]
    assert all(e["correlation_id"] == "corr-test" for e in events)
    state = triage.cases.find_one({"_id": case_id})
    assert state is not None
    assert state["next_wakeup"] is None  # every rung is spent


def test_an_unacknowledged_assignment_is_resent_then_reassigned(
    triage: TriageDeps, clock: FakeClock
) -> None:
    case_id = submit(triage)
    ladder = LadderScheduler(triage)
    for hours in (4.5, 8.5):
        clock.now = datetime(2024, 11, 4, 3, tzinfo=UTC) + timedelta(hours=hours)
        ladder.run_once()
    clock.now = REASSIGN
    ladder.run_once()
    assert fired(triage, case_id) == [
        "assignment:1:resend:1",
        "assignment:1:resend:2",
        "assignment:1:reassign",
    ]
    reassigned = step_events(triage)[-1]["data"]
    assert reassigned["assignee"]["officer_id"] == "karo-bkpsdm-2"
    assert "tidak dikonfirmasi" in reassigned["reason"]
    state = triage.cases.find_one({"_id": case_id})
    assert state is not None
    assert state["assignment"]["officer_id"] == "karo-bkpsdm-2"
    assert state["assignment"]["sequence"] == 2
    assert state["assignment"]["tried"] == ["karo-bkpsdm-1"]
    # The new officer is chased in turn, under keys of the new assignment.
    clock.now = REASSIGN + timedelta(hours=4.5)
    ladder.run_once()
    assert fired(triage, case_id)[-1] == "assignment:2:resend:1"


def test_closed_and_paused_cases_get_no_rungs(triage: TriageDeps, clock: FakeClock) -> None:
    closed = submit(triage)
    paused = submit(triage, evidence_urls=[], people=[accused(name="Siti", nip=None)])
    for case_id, status in ((closed, "withdrawn"), (paused, "awaiting_info")):
        change = status_change(case_id, status)
        handle_status_changed(envelope_of(change, at=clock()), change, triage)
    clock.now = PROVINCE
    assert LadderScheduler(triage).run_once() == 0
    assert triage.steps.count_documents({}) == 0


def test_replicas_racing_fire_each_step_once(settings: Settings, clock: FakeClock) -> None:
    triage = first_replica(settings, clock)
    cases = [
        submit(
            triage,
            evidence_urls=[f"https://x.com/akun{i}/status/{1000 + i}"],
            people=[accused(name=f"Pegawai Nomor {i}", nip=None, agency=f"Dinas {i}")],
            description=f"Laporan ke-{i}: staf membagikan unggahan paslon di grup WA kantor {i}.",
        )
        for i in range(6)
    ]
    for case_id in cases:
        acknowledge(triage, case_id)
    clock.now = BREACH
    # Four replicas, each built as a worker builds it, all waking at the same instant.
    replicas = [LadderScheduler(new_deps(settings, clock)) for _ in range(4)]

    def replica(scheduler: LadderScheduler) -> None:
        for _ in range(3):
            scheduler.run_once()

    at_once(*(partial(replica, r) for r in replicas))
    keys = Counter((s["case_id"], s["key"]) for s in triage.steps.find())
    assert set(keys.values()) == {1}
    assert sorted(keys) == sorted((c, f"{SCOPE}:breach:supervisor") for c in cases)

    # And on the wire: exactly one escalation per case reaches notify.
    stop = threading.Event()
    relay = OutboxRelay("triage", [triage.steps], Publisher(settings, name="test-relay"))
    thread = threading.Thread(target=relay.run, args=(stop,), daemon=True)
    thread.start()
    try:
        eventually(lambda: triage.steps.count_documents({"outbox_pending": True}) == 0, timeout=20)
    finally:
        stop.set()
        thread.join(15)
    published = [json.loads(body) for _, body in drain(settings, "pantau.notify")]
    escalations = Counter(m["data"]["case_id"] for m in published if m["type"] == "case.escalated")
    assert escalations == Counter(dict.fromkeys(cases, 1))


def test_a_restarted_worker_picks_the_ladder_up_where_it_stood(
    db_settings: Settings, triage: TriageDeps, clock: FakeClock
) -> None:
    case_id = submit(triage)
    acknowledge(triage, case_id)
    clock.now = REMINDER_24H

    def start_replica() -> tuple[threading.Event, threading.Thread]:
        stop = threading.Event()
        scheduler = LadderScheduler(new_deps(db_settings, clock), interval=0.05)
        thread = threading.Thread(target=scheduler.run, args=(stop,), daemon=True)
        thread.start()
        return stop, thread

    stop, thread = start_replica()
    eventually(lambda: fired(triage, case_id) == [f"{SCOPE}:reminder:24h"], timeout=15)
    # The worker goes down in the middle of the ladder...
    stop.set()
    thread.join(15)
    assert not thread.is_alive()
    # ...and while it is down the deadline passes. A new worker starts from the stored state.
    clock.now = BREACH
    stop, thread = start_replica()
    try:
        eventually(lambda: len(fired(triage, case_id)) == 2, timeout=15)
        clock.now = PROVINCE
        eventually(lambda: len(fired(triage, case_id)) == 3, timeout=15)
    finally:
        stop.set()
        thread.join(15)
    assert fired(triage, case_id) == [
        f"{SCOPE}:reminder:24h",
        f"{SCOPE}:breach:supervisor",
        f"{SCOPE}:breach:province",
    ]
    # Nothing was fired twice, and the 2-hour reminder the downtime overtook is not sent late.
    assert triage.steps.count_documents({"case_id": case_id}) == 3


def test_a_late_reply_after_the_breach_spares_the_province(
    triage: TriageDeps, clock: FakeClock
) -> None:
    case_id = submit(triage)
    acknowledge(triage, case_id)
    ladder = LadderScheduler(triage)
    clock.now = BREACH
    ladder.run_once()
    # The officer works on the case after the supervisor was told.
    change = status_change(case_id, "in_progress", from_status="in_review")
    handle_status_changed(envelope_of(change, at=clock()), change, triage)
    clock.now = PROVINCE
    ladder.run_once()
    assert f"{SCOPE}:breach:province" not in fired(triage, case_id)


class CrashingScheduler(LadderScheduler):
    """A scheduler whose process dies after recording its first step of a round."""

    def _fire(self, *args: Any, **kwargs: Any) -> Any:
        if self.deps.steps.count_documents({}) or getattr(self, "fired_once", False):
            raise SystemExit("worker killed mid-round")
        self.fired_once = True
        return super()._fire(*args, **kwargs)


def test_a_worker_dying_mid_round_leaves_no_half_fired_ladder(
    triage: TriageDeps, clock: FakeClock
) -> None:
    case_id = submit(triage)
    acknowledge(triage, case_id)
    # Down for the whole breach: the supervisor and the province escalations are both due.
    clock.now = PROVINCE
    with pytest.raises(SystemExit):
        CrashingScheduler(triage).advance(case_id, clock())
    # The transaction never committed: nothing fired, nothing announced, still due.
    assert triage.steps.count_documents({}) == 0
    state = triage.cases.find_one({"_id": case_id})
    assert state is not None
    assert state["fired_steps"] == []
    assert LadderScheduler(triage).run_once() == 1
    assert fired(triage, case_id) == [f"{SCOPE}:breach:supervisor", f"{SCOPE}:breach:province"]
