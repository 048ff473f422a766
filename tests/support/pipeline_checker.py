"""Proof that every submitted case crossed the whole pipeline exactly once.

A fault test submits realistic cases, does something nasty to the running suite, and asks this
harness whether each case was stored once, triaged once, alerted once per recipient and has a
complete timeline. Losses and duplicates are counted rather than asserted one by one, so a
failing run says how bad it was, not just where it first went wrong.
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import requests
from pymongo import MongoClient

from tests.support.builders import case_payload, plain_text
from tests.support.suite import Suite

# The timeline kinds every alerted case must reach, in the order the pipeline adds them.
TIMELINE = ("submitted", "triaged", "assigned", "notified")

# Regencies with a routing table and roster in the bootstrap data, with places inside them, so
# triage assigns (and notify alerts) every case.
REGENCIES: dict[str, tuple[str, ...]] = {
    "12.06": ("Kabanjahe", "Berastagi", "Tigapanah", "Simpang Empat", "Munte"),
    "17.71": ("Ratu Samban", "Gading Cempaka", "Teluk Segara", "Selebar", "Kampung Melayu"),
    "19.02": ("Tanjung Pandan", "Membalong", "Sijuk", "Badau", "Selat Nasik"),
    "64.02": ("Tenggarong", "Loa Kulu", "Samboja", "Muara Badak", "Sebulu"),
    "64.08": ("Sangatta", "Bengalon", "Kaliorang", "Muara Wahau", "Telen"),
}


@dataclass
class Submitted:
    """One case intake accepted: who filed it and what it answered."""

    key: str
    case_id: str
    tracking_code: str
    accepted_at: float
    # A key that reads the case whole: a submitter's own key reads only the reporter's view.
    reader: str = ""

    @property
    def full_reader(self) -> str:
        return self.reader or self.key


@dataclass
class CaseOutcome:
    """What the pipeline did with one case, as observed at the end."""

    submitted: Submitted
    stored: int = 0  # cases in intake's database with this tracking code
    readable: bool = False  # GET /v1/cases/{id} answered 200
    timeline: Counter[str] = field(default_factory=Counter)
    mails: Counter[str] = field(default_factory=Counter)  # per X-Pantau-Notification key
    completed_after: float | None = None  # seconds from acceptance to a complete pipeline

    @property
    def complete(self) -> bool:
        return (
            self.readable
            and self.stored >= 1
            and all(self.timeline[k] >= 1 for k in TIMELINE)
            and bool(self.mails)
        )

    @property
    def duplicated(self) -> bool:
        return (
            self.stored > 1
            or any(self.timeline[k] > 1 for k in ("submitted", "triaged", "assigned"))
            # One "notified" entry per alert sent; more than alerts means a double effect.
            or self.timeline["notified"] > len(self.mails)
            or any(n > 1 for n in self.mails.values())
        )


@dataclass
class Report:
    """Counts over all cases; ``summary()`` is what a fault test prints."""

    outcomes: list[CaseOutcome]
    late_after: float

    @property
    def lost(self) -> int:
        return sum(1 for o in self.outcomes if not o.complete)

    @property
    def duplicated(self) -> int:
        return sum(1 for o in self.outcomes if o.duplicated)

    @property
    def late(self) -> int:
        """Completed, but only after ``late_after`` seconds (reported, never asserted)."""
        return sum(
            1
            for o in self.outcomes
            if o.completed_after is not None and o.completed_after > self.late_after
        )

    @property
    def mails(self) -> int:
        return sum(sum(o.mails.values()) for o in self.outcomes)

    def problems(self) -> list[str]:
        """One line per case that is lost or doubled, naming what is missing or repeated."""
        lines = []
        for o in self.outcomes:
            if o.complete and not o.duplicated:
                continue
            lines.append(
                f"{o.submitted.tracking_code} ({o.submitted.case_id}): stored={o.stored} "
                f"readable={o.readable} timeline={dict(o.timeline)} mails={dict(o.mails)}"
            )
        return lines

    def summary(self) -> str:
        head = (
            f"pipeline: {len(self.outcomes)} cases, lost={self.lost}, "
            f"duplicated={self.duplicated}, late={self.late} (>{self.late_after:.0f}s), "
            f"mails={self.mails}"
        )
        return "\n".join([head, *self.problems()])


def distinct_cases(n: int, *, tag: str | None = None) -> list[tuple[str, dict[str, Any]]]:
    """``n`` different events spread over the regencies, as (region, payload) pairs.

    Each case has its own place, accused and evidence URL: the same report filed twice is
    rightly one duplicate cluster and one alert, which is not what a loss test wants.
    """
    tag = tag or uuid.uuid4().hex[:6]
    regions = list(REGENCIES)
    cases = []
    for i in range(n):
        region = regions[i % len(regions)]
        places = REGENCIES[region]
        place = places[(i // len(regions)) % len(places)]
        person = f"Pegawai {place} {tag}{i:02d}"
        cases.append(
            (
                region,
                case_payload(
                    title=f"Kepala seksi di {place} mengajak pegawai memilih paslon ({i})",
                    description=(
                        f"Dalam rapat kantor kecamatan {place} tanggal {1 + i % 27} November, "
                        f"seorang kepala seksi bernama {person} mengarahkan seluruh staf agar "
                        "mencoblos nomor urut 1 dan membagikan stiker paslon."
                    ),
                    location={"text": place, "district": place},
                    accused=[{"name": person, "employment_type": "PPPK"}],
                    evidence_urls=[f"https://www.instagram.com/p/{tag}{i:03d}/"],
                ),
            )
        )
    return cases


def case_stream(tag: str, batch: int = 100) -> Iterator[tuple[str, dict[str, Any]]]:
    """Distinct cases without end, for a load whose length is time, not a count."""
    for n in itertools.count():
        yield from distinct_cases(batch, tag=f"{tag}b{n}-")


def submit(
    suite: Suite,
    key: str,
    payload: dict[str, Any],
    *,
    retry_for: float = 60.0,
    base: str | None = None,
) -> Submitted:
    """File one case as an office system would: with an Idempotency-Key, retrying on 503 and
    on lost connections, so a retry can never create a second case. ``base`` names an intake
    replica (the suite's first by default)."""
    headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": uuid.uuid4().hex}
    deadline = time.monotonic() + retry_for
    last = ""
    while True:
        try:
            url = f"{base or suite.urls['intake']}/v1/cases"
            answer = requests.post(url, json=payload, headers=headers, timeout=15)
            if answer.status_code in (200, 201):
                body = answer.json()
                return Submitted(key, body["id"], body["tracking_code"], time.monotonic())
            last = f"{answer.status_code} {answer.text[:300]}"
            if answer.status_code != 503:
                raise AssertionError(f"intake refused a valid case: {last}")
        except requests.RequestException as exc:
            last = repr(exc)
        if time.monotonic() > deadline:
            raise AssertionError(f"intake did not accept a case within {retry_for}s: {last}")
        time.sleep(0.5)


def submit_once(
    suite: Suite, key: str, payload: dict[str, Any], *, timeout: float, base: str | None = None
) -> tuple[Submitted, float]:
    """File one case with no retry at all (a retry could hide a refusal or a stall): the
    answer must be a 201 within ``timeout`` seconds. Returns the case and how long it took."""
    started = time.monotonic()
    answer = requests.post(
        f"{base or suite.urls['intake']}/v1/cases",
        json=payload,
        headers={"Authorization": f"Bearer {key}", "Idempotency-Key": uuid.uuid4().hex},
        timeout=timeout,
    )
    took = time.monotonic() - started
    assert answer.status_code == 201, f"{answer.status_code} {answer.text[:300]}"
    body = answer.json()
    return Submitted(key, body["id"], body["tracking_code"], started), took


def submit_all(
    suite: Suite,
    cases: Sequence[tuple[str, dict[str, Any]]],
    *,
    during: Callable[[int], None] | None = None,
) -> list[Submitted]:
    """Submit every case; ``cases`` pairs a region (a key is made for it) or an existing API
    key with a payload. ``during(i)`` runs after the i-th submission (the fault's hook)."""
    keys: dict[str, str] = {}
    readers: dict[str, str] = {}
    done = []
    for i, (who, payload) in enumerate(cases):
        reader = ""
        if who in REGENCIES:
            reader = readers.setdefault(who, suite.key(who, "supervisor"))
            who = keys.setdefault(who, suite.key(who))
        done.append(replace(submit(suite, who, payload), reader=reader))
        if during is not None:
            during(i)
    return done


# A filer's key -> a key that reads its cases whole; keys are unique per suite, so one map
# serves every suite of the run.
_READERS: dict[str, str] = {}


def _reader(suite: Suite, key: str) -> str:
    """A supervisor's key of the region ``key`` files for: the filer's own key reads only
    what the reporter sees, without the timeline the checker counts."""
    readers = _READERS
    if key not in readers:
        answer = requests.get(
            f"{suite.urls['intake']}/v1/auth/whoami",
            headers={"Authorization": f"Bearer {key}"},
            timeout=10,
        )
        answer.raise_for_status()
        who = answer.json()
        readers[key] = key if who["role"] != "submitter" else suite.key(who["region"], "supervisor")
    return readers[key]


def observe(suite: Suite, submitted: Sequence[Submitted]) -> list[CaseOutcome]:
    """What the pipeline has done with each case right now."""
    client: MongoClient[dict[str, Any]] = MongoClient(
        suite.settings.mongo_url, serverSelectionTimeoutMS=5000
    )
    try:
        cases = client[suite.settings.database_name("intake")]["cases"]
        stored = Counter(
            doc["tracking_code"]
            for doc in cases.find(
                {"tracking_code": {"$in": [s.tracking_code for s in submitted]}},
                {"tracking_code": 1},
            )
        )
    finally:
        client.close()
    messages = [(m["X-Pantau-Notification"], plain_text(m)) for m in suite.mail.messages]
    outcomes = []
    for s in submitted:
        outcome = CaseOutcome(s, stored=stored[s.tracking_code])
        answer = requests.get(
            f"{suite.urls['intake']}/v1/cases/{s.case_id}",
            headers={"Authorization": f"Bearer {s.reader or _reader(suite, s.key)}"},
            timeout=10,
        )
        if answer.status_code == 200:
            outcome.readable = True
            outcome.timeline = Counter(e["kind"] for e in answer.json().get("timeline", []))
        outcome.mails = Counter(key for key, text in messages if s.tracking_code in text)
        outcomes.append(outcome)
    return outcomes


def await_pipeline(
    suite: Suite,
    submitted: Sequence[Submitted],
    timeout: float = 90.0,
    *,
    settle: float = 3.0,
    late_after: float | None = None,
) -> Report:
    """Wait until every case is complete (or ``timeout``), then wait ``settle`` more seconds
    so a late duplicate still has its chance to show up, and report."""
    deadline = time.monotonic() + timeout
    completed: dict[str, float] = {}
    while True:
        outcomes = observe(suite, submitted)
        now = time.monotonic()
        for o in outcomes:
            if o.complete and o.submitted.case_id not in completed:
                completed[o.submitted.case_id] = now - o.submitted.accepted_at
        if len(completed) == len(submitted) or now > deadline:
            break
        time.sleep(0.5)
    time.sleep(settle)
    outcomes = observe(suite, submitted)
    for o in outcomes:
        o.completed_after = completed.get(o.submitted.case_id)
    return Report(outcomes, late_after if late_after is not None else timeout / 2)


def check_pipeline(
    suite: Suite,
    cases: Sequence[tuple[str, dict[str, Any]]],
    timeout: float = 90.0,
    *,
    during: Callable[[int], None] | None = None,
) -> Report:
    """Submit ``cases`` (running ``during`` between submissions) and report on all of them."""
    return await_pipeline(suite, submit_all(suite, cases, during=during), timeout)
