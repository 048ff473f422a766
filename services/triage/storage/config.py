"""Each regency's configuration in force: shipped defaults, overridden through the API.

Shipped files (the taxonomy YAML and the roster YAML) are the defaults. An override is stored
as a new numbered version of one kind (``rules``, ``routing``, ``roster``, ``calendar``) of
one regency, after the same validation the files get; older versions stay for history. A
small head document per regency names the versions in force, so a process checks with one
primary-key read whether its cached configuration is still current and reloads only what
changed: a change takes effect in every worker and web process without a restart. A worker
follows the heads with a change stream and skips even that read while nothing changes
(``shared.followed``).

A stored version that cannot be loaded (it was valid when stored, but the code has changed
since) is logged and skipped: the last good configuration keeps working.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from pymongo import DESCENDING
from pymongo.client_session import ClientSession
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from services.triage.config_schema import (
    KINDS,
    ConfigInvalid,
    ConfigKind,
    ConfigProblem,
    parse_calendar_payload,
    parse_roster_payload,
    parse_routing_payload,
    parse_rules_payload,
)
from services.triage.directory_overlay import overlay
from services.triage.domain.calendar import CalendarEntry, WorkingCalendar, build_calendar
from services.triage.domain.routing import Officer, RoutingTable
from services.triage.domain.rules import Rules
from services.triage.roster import Roster
from services.triage.storage.transactions import in_transaction
from shared.contracts import Recipient
from shared.followed import FollowedDocuments
from shared.regions import province_of, timezone_for

log = logging.getLogger(__name__)

Document = dict[str, Any]

_CALENDAR_CACHE_LIMIT = 256


@dataclass(frozen=True)
class Defaults:
    """What the project ships: the rules file and the roster file."""

    rules: Rules
    rules_text: str
    roster: Roster


@dataclass(frozen=True)
class TenantConfig:
    """The configuration one regency's cases are triaged with."""

    tenant: str
    rules: Rules
    table: RoutingTable | None
    officers: tuple[Officer, ...]
    contacts: Mapping[str, Recipient]
    province_desk: Recipient | None
    calendar_entries: tuple[CalendarEntry, ...]
    versions: Mapping[str, int]  # per kind; 0 is the shipped default

    def contact(self, officer_id: str | None) -> Recipient | None:
        """The contact of one of the regency's officers, or of the province desk."""
        if not officer_id:
            return None
        if self.province_desk is not None and officer_id == self.province_desk.officer_id:
            return self.province_desk
        return self.contacts.get(officer_id)

    def supervisor(self) -> Recipient | None:
        """Who receives escalations at breach: the regency's supervisor, else the province."""
        for officer in self.officers:
            if officer.role == "supervisor" and officer.available:
                return self.contacts.get(officer.officer_id)
        for officer in self.officers:
            if officer.role == "supervisor":
                return self.contacts.get(officer.officer_id)
        return self.province_desk

    def version_record(self) -> dict[str, Any]:
        """What a decision stores to say which configuration produced it."""
        return {"rules_version": self.rules.version, **dict(self.versions)}


@dataclass
class _Parts:
    versions: dict[str, int]
    rules: Rules
    table: RoutingTable | None
    officers: tuple[Officer, ...]
    contacts: dict[str, Recipient]
    calendar: tuple[CalendarEntry, ...]
    broken: set[tuple[str, int]] = field(default_factory=set)


class ConfigStore:
    """Reads and writes the per-regency configuration; safe to share between threads."""

    def __init__(
        self,
        versions: Collection[Document],
        heads: Collection[Document],
        defaults: Defaults,
        directory: Collection[Document] | None = None,
    ) -> None:
        self.versions = versions
        self.heads = heads
        self.defaults = defaults
        # Triage's copy of intake's officer directory (directory_sync), laid over the roster.
        self.directory = directory
        # Follows the heads when a worker runs its stream (``head_cache.run``); else reads.
        # The worker asks it before each batch (``catch_up``) rather than have it wait in
        # the database, where a waiting stream costs a look at every write.
        self.head_cache = FollowedDocuments(heads, waits=False)
        self._stamps: dict[str, int] = {}
        self._parts: dict[str, _Parts] = {}
        self._configs: dict[str, TenantConfig] = {}
        self._rules_by_text: dict[str, Rules] = {}
        self._calendars: dict[tuple[str, int, int, int], WorkingCalendar] = {}
        # Guards the caches only; coordination between processes is the database's job.
        self._lock = threading.Lock()

    # --- reading ---------------------------------------------------------------------------

    def current(self, tenant: str) -> TenantConfig:
        """The configuration in force for ``tenant`` (a cheap head read when nothing changed)."""
        head = self.head_cache.read(tenant) or {}
        wanted: dict[str, int] = {kind: int(head.get(kind, 0)) for kind in KINDS}
        stamp = int(head.get("directory", 0))
        with self._lock:
            cached = self._configs.get(tenant)
            parts = self._parts.get(tenant)
            fresh = self._stamps.get(tenant) == stamp
        if cached is not None and parts is not None and parts.versions == wanted and fresh:
            return cached
        parts = self._load(tenant, parts, wanted)
        config = self._with_directory(self._assemble(tenant, parts))
        with self._lock:
            self._parts[tenant] = parts
            self._configs[tenant] = config
            self._stamps[tenant] = stamp
        return config

    def calendar(self, config: TenantConfig, *moments: datetime) -> WorkingCalendar:
        """The regency's working calendar for the years around ``moments`` (cached)."""
        years = [m.astimezone(UTC).year for m in moments] or [datetime.now(UTC).year]
        first, last = min(years) - 1, max(years) + 1
        key = (config.tenant, config.versions.get("calendar", 0), first, last)
        with self._lock:
            found = self._calendars.get(key)
        if found is not None:
            return found
        span = range(first, last + 1)
        entries = config.calendar_entries
        leave = [d for e in entries if e.kind == "collective_leave" for d in e.days()]
        extra = [d for e in entries if e.kind == "holiday" for d in e.days()]
        calendar = build_calendar(
            timezone_for(config.tenant),
            span,
            [d for d in leave if d.year in span],
            [d for d in extra if d.year in span],
        )
        with self._lock:
            if len(self._calendars) >= _CALENDAR_CACHE_LIMIT:
                self._calendars.clear()
            self._calendars[key] = calendar
        return calendar

    def history(self, tenant: str, kind: ConfigKind, limit: int = 50) -> list[Document]:
        """Stored versions of one kind, newest first (without their data)."""
        cursor = (
            self.versions.find({"tenant": tenant, "kind": kind}, {"data": 0, "outbox": 0})
            .sort("version", DESCENDING)
            .limit(limit)
        )
        return list(cursor)

    def rules_text(self, config: TenantConfig) -> str:
        """The YAML text of the rules in force for a regency."""
        version = config.versions.get("rules", 0)
        if version:
            doc = self.versions.find_one(
                {"tenant": config.tenant, "kind": "rules", "version": version}, {"data": 1}
            )
            data = (doc or {}).get("data")
            if isinstance(data, Mapping) and isinstance(data.get("text"), str):
                return str(data["text"])
        return self.defaults.rules_text

    # --- writing ---------------------------------------------------------------------------

    def validate(self, tenant: str, kind: ConfigKind, payload: object) -> str | None:
        """Raise :class:`ConfigInvalid` with every problem if ``payload`` cannot be used;
        for rules, return their version."""
        config = self.current(tenant)
        if kind == "rules":
            rules = parse_rules_payload(payload)
            self._check_rules_version(tenant, rules, payload)
            return rules.version
        if kind == "routing":
            parse_routing_payload(tenant, payload, config.officers)
        elif kind == "roster":
            parse_roster_payload(tenant, payload, config.table)
        else:
            parse_calendar_payload(payload)
        return None

    def save(
        self,
        tenant: str,
        kind: ConfigKind,
        payload: object | None,
        *,
        by: str,
        reason: str,
        now: datetime | None = None,
        record: Mapping[str, Any] | None = None,
    ) -> TenantConfig:
        """Validate and store ``payload`` as the next version of ``kind`` (``None``: go back
        to the shipped default); returns the configuration now in force. ``record`` adds
        fields to the stored version (the evaluation a rules version was activated with).

        Invalid payloads raise :class:`ConfigInvalid` and change nothing.
        """
        moment = now or datetime.now(UTC)
        rules_version = self.validate(tenant, kind, payload) if payload is not None else None

        def write(session: ClientSession) -> int:
            head = self.heads.find_one({"_id": tenant}, session=session) or {}
            version = int(head.get(kind, 0)) + 1
            self.versions.insert_one(
                {
                    "tenant": tenant,
                    "kind": kind,
                    "version": version,
                    "data": payload,
                    "rules_version": rules_version,
                    "by": by,
                    "reason": reason,
                    "created_at": moment,
                    **(record or {}),
                },
                session=session,
            )
            self.heads.update_one(
                {"_id": tenant},
                {"$set": {kind: version, "updated_at": moment}},
                upsert=True,
                session=session,
            )
            return version

        for _ in range(3):
            try:
                in_transaction(self.versions.database.client, write)
                break
            except DuplicateKeyError:
                continue  # another writer took that number; take the next one
        else:
            raise ConfigInvalid(kind, [ConfigProblem("(body)", "changed concurrently; retry")])
        self.head_cache.forget(tenant)
        return self.current(tenant)

    # --- internals -------------------------------------------------------------------------

    def _default_parts(self, tenant: str) -> _Parts:
        roster = self.defaults.roster
        officers = tuple(o for o in roster.officers if o.tenant == tenant)
        leave = roster.collective_leave.get(tenant, frozenset())
        return _Parts(
            versions=dict.fromkeys(KINDS, 0),
            rules=self.defaults.rules,
            table=roster.tables.get(tenant),
            officers=officers,
            contacts={o.officer_id: roster.contacts[o.officer_id] for o in officers},
            calendar=tuple(
                CalendarEntry("collective_leave", d, None, "cuti bersama") for d in sorted(leave)
            ),
        )

    def _load(self, tenant: str, cached: _Parts | None, wanted: Mapping[str, int]) -> _Parts:
        base = self._default_parts(tenant)
        parts = replace(cached) if cached is not None else base
        parts.versions = dict(parts.versions)
        parts.broken = set(parts.broken)
        # Routing before roster: officers are checked against the table in force.
        for kind in ("rules", "routing", "roster", "calendar"):
            version = wanted[kind]
            if parts.versions.get(kind) == version or (kind, version) in parts.broken:
                continue
            if version == 0:
                self._apply(parts, tenant, kind, None, base)
                parts.versions[kind] = 0
                continue
            doc = self.versions.find_one({"tenant": tenant, "kind": kind, "version": version})
            try:
                if doc is None:
                    raise LookupError(f"version {version} of {kind} is missing")
                self._apply(parts, tenant, kind, doc.get("data"), base)
            except (ConfigInvalid, LookupError, ValueError):
                log.exception(
                    "stored configuration cannot be loaded; keeping the last good one",
                    extra={"tenant": tenant, "kind": kind, "version": version},
                )
                parts.broken.add((kind, version))
                continue
            parts.versions[kind] = version
        return parts

    def _apply(self, parts: _Parts, tenant: str, kind: str, data: object, base: _Parts) -> None:
        if kind == "rules":
            parts.rules = base.rules if data is None else self._rules(data)
        elif kind == "routing":
            parts.table = base.table if data is None else parse_routing_payload(tenant, data)
        elif kind == "roster":
            if data is None:
                parts.officers, parts.contacts = base.officers, dict(base.contacts)
            else:
                parts.officers, parts.contacts = parse_roster_payload(tenant, data, parts.table)
        elif kind == "calendar":
            parts.calendar = base.calendar if data is None else parse_calendar_payload(data)

    def _rules(self, data: object) -> Rules:
        text = data.get("text") if isinstance(data, Mapping) else None
        digest = hashlib.sha256(str(text).encode()).hexdigest()
        with self._lock:
            found = self._rules_by_text.get(digest)
        if found is None:
            found = parse_rules_payload(data)
            with self._lock:
                self._rules_by_text[digest] = found
        return found

    def _assemble(self, tenant: str, parts: _Parts) -> TenantConfig:
        return TenantConfig(
            tenant=tenant,
            rules=parts.rules,
            table=parts.table,
            officers=parts.officers,
            contacts=MappingProxyType(dict(parts.contacts)),
            province_desk=self.defaults.roster.province_desks.get(province_of(tenant)),
            calendar_entries=parts.calendar,
            versions=MappingProxyType(dict(parts.versions)),
        )

    def _with_directory(self, config: TenantConfig) -> TenantConfig:
        """``config`` with the officer directory's entries laid over its roster."""
        if self.directory is None:
            return config
        ids = [o.officer_id for o in config.officers]
        if config.province_desk is not None:
            ids.append(config.province_desk.officer_id)
        entries = list(
            self.directory.find({"$or": [{"region": config.tenant}, {"_id": {"$in": ids}}]})
        )
        if not entries:
            return config
        result = overlay(
            config.tenant,
            config.table,
            config.officers,
            config.contacts,
            config.province_desk,
            entries,
        )
        return replace(
            config,
            officers=result.officers,
            contacts=MappingProxyType(result.contacts),
            province_desk=result.province_desk,
        )

    def _check_rules_version(self, tenant: str, rules: Rules, payload: object) -> None:
        """A rules version names one text: decisions record it, so it must not be reused."""
        text = payload.get("text") if isinstance(payload, Mapping) else None
        clash = rules.version == self.defaults.rules.version and text != self.defaults.rules_text
        if not clash:
            for doc in self.versions.find(
                {"tenant": tenant, "kind": "rules", "rules_version": rules.version}, {"data": 1}
            ):
                if (doc.get("data") or {}).get("text") != text:
                    clash = True
                    break
        if clash:
            raise ConfigInvalid(
                "rules",
                [
                    ConfigProblem(
                        "text: version",
                        f"version {rules.version!r} already names other rules; give the "
                        "changed rules a new version",
                    )
                ],
            )
