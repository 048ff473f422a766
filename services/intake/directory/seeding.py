"""A fresh directory starts with the roster file's officers, once.

Before the directory existed, the officers who get alerts were listed in triage's roster
file (``PANTAU_ROSTER_FILE``, or the shipped demo roster). So that each of them can be
invited to the console, the intake worker seeds an EMPTY directory from that file's
officers at start, each through the directory's ordinary create (so each is announced as
``officer.changed`` and triage and notify stay in step). A directory that has entries is
never touched: the people in it are managed there from then on.

Replicas starting together must not seed twice: the first to insert the seed marker seeds;
the others see the marker and leave. A seed cut short (its worker died) is finished by the
next worker to start once the marker's lease ran out, skipping the officers already there.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any, Final

import yaml
from pydantic import ValidationError
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError, PyMongoError

from services.intake.directory import officers
from services.intake.directory.schema import OfficerCreate

log = logging.getLogger(__name__)

Document = dict[str, Any]
MARKER_ID: Final = "roster"
# Longer than seeding a few hundred officers takes; a marker older than this was left by a
# worker that died mid-seed.
LEASE: Final = timedelta(minutes=2)
# The keys of a roster officer the directory keeps (``available`` is routing's own).
_KEYS: Final = {
    "id": "officer_id",
    "name": "name",
    "unit": "unit",
    "role": "role",
    "email": "email",
    "phone": "phone",
    "language": "language",
    "timezone": "timezone",
    "conflicts": "conflicts",
}


@dataclass(frozen=True)
class SeedResult:
    """What a start did: ``state`` is seeded, already (marker or entries found) or busy."""

    state: str
    created: int = 0
    skipped: int = 0


def markers() -> Collection[Document]:
    found: Collection[Document] = officers.collection().database["directory_seed"]
    return found


def roster_text(path: str = "") -> str:
    """The roster file's text: ``path``, or the demo roster shipped with triage."""
    if path:
        return Path(path).read_text(encoding="utf-8")
    return resources.files("services.triage").joinpath("roster.yaml").read_text("utf-8")


def roster_officers(text: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every region's officers in a roster file: (where in the file, the directory entry)."""
    data = yaml.safe_load(text) or {}
    regions = data.get("regions") if isinstance(data, Mapping) else None
    for code, region in (regions or {}).items():
        listed = region.get("officers") if isinstance(region, Mapping) else None
        for i, item in enumerate(listed or []):
            if not isinstance(item, Mapping):
                continue
            entry = {_KEYS[k]: v for k, v in item.items() if k in _KEYS and v is not None}
            yield f"regions.{code}.officers[{i}]", {"region": str(code), **entry}


def seed_from_roster(
    text: str, *, now: datetime | None = None, owner: str | None = None
) -> SeedResult:
    """Seed the directory from the roster ``text`` if it is empty and nobody else does."""
    moment = now or datetime.now(UTC)
    owner = owner or f"{socket.gethostname()}:{os.getpid()}"
    # Read the whole file before claiming anything: a broken file claims nothing.
    entries = list(roster_officers(text))
    marker = markers().find_one({"_id": MARKER_ID})
    if marker is not None and marker.get("state") == "done":
        return SeedResult("already")
    if marker is None:
        if officers.collection().find_one({}, {"_id": 1}) is not None:
            # Filled by hand (or by an older release): the people there are managed there.
            _mark_done(moment, owner, "the directory already had entries")
            return SeedResult("already")
        try:
            markers().insert_one(
                {
                    "_id": MARKER_ID,
                    "state": "seeding",
                    "owner": owner,
                    "lease_until": moment + LEASE,
                }
            )
        except DuplicateKeyError:
            return SeedResult("busy")
    else:
        # Another worker is seeding, or died doing it: take over only once its lease ran out.
        taken = markers().find_one_and_update(
            {"_id": MARKER_ID, "state": "seeding", "lease_until": {"$lt": moment}},
            {"$set": {"owner": owner, "lease_until": moment + LEASE}},
        )
        if taken is None:
            return SeedResult("busy")
    created, skipped = _create_all(entries, moment)
    _mark_done(moment, owner, f"{created} officer(s) from the roster file")
    log.info("directory seeded from the roster file", extra={"officers": created})
    return SeedResult("seeded", created, skipped)


def _create_all(entries: list[tuple[str, Mapping[str, Any]]], now: datetime) -> tuple[int, int]:
    actor = officers.actor_of("roster file", role="system")
    created = skipped = 0
    for where, raw in entries:
        try:
            data = OfficerCreate.model_validate(raw)
        except ValidationError as exc:
            skipped += 1
            log.warning("roster officer not seeded", extra={"where": where, "error": str(exc)})
            continue
        try:
            officers.create(data, actor=actor, correlation_id=f"seed-{data.officer_id}", now=now)
            created += 1
        except officers.DirectoryError as exc:
            # Already there (a seed cut short, finished now), or an address used twice.
            skipped += 1
            log.info("roster officer not seeded", extra={"where": where, "error": str(exc)})
    return created, skipped


def _mark_done(now: datetime, owner: str, detail: str) -> None:
    markers().update_one(
        {"_id": MARKER_ID},
        {
            "$set": {"state": "done", "done_at": now, "owner": owner, "detail": detail},
            "$unset": {"lease_until": ""},
        },
        upsert=True,
    )


def seed_on_start(roster_file: str) -> SeedResult:
    """Seed from the configured roster file; a missing or broken file is logged and leaves
    the directory as it is (it can always be filled by hand)."""
    try:
        text = roster_text(roster_file)
    except OSError as exc:
        log.warning("roster file unreadable; directory not seeded", extra={"error": str(exc)})
        return SeedResult("skipped")
    try:
        return seed_from_roster(text)
    except yaml.YAMLError as exc:
        log.warning("roster file is not YAML; directory not seeded", extra={"error": str(exc)})
        return SeedResult("skipped")


def seeder(roster_file: str, retry_s: float = 5.0) -> Callable[[threading.Event], None]:
    """The worker's background task: seed once the database answers, then end. A seed that
    finds another worker at it looks again after its lease, in case that worker died."""

    def directory_seed(stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                result = seed_on_start(roster_file)
            except PyMongoError:
                log.warning("directory seed waits for the database", exc_info=True)
                stop.wait(retry_s)
                continue
            if result.state != "busy":
                return
            stop.wait(LEASE.total_seconds() + 1)

    return directory_seed
