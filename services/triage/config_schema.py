"""The configuration a regency may override, as plain data, and its validation.

Four kinds, each replaced as a whole: ``rules`` (taxonomy, lexicon and weights, as YAML
text), ``routing`` (category → unit table), ``roster`` (officers of the regency) and
``calendar`` (collective-leave days and extra local holidays). A payload is parsed into the
objects the triage uses or refused with every problem found; nothing half-valid is kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, cast, get_args

from services.triage.domain.calendar import (
    CalendarEntry,
    EntryKind,
    validate_calendar_entries,
)
from services.triage.domain.routing import Officer, RoutingTable
from services.triage.domain.rules import Rules, RulesError
from services.triage.roster import parse_officers, parse_routing_table
from services.triage.rules_files import load_rules_text
from shared.contracts import Recipient

ConfigKind = Literal["rules", "routing", "roster", "calendar"]
KINDS: tuple[ConfigKind, ...] = get_args(ConfigKind)

# Enough for a lexicon several times the shipped one, small enough to parse in a request.
MAX_RULES_CHARS = 500_000
MAX_CALENDAR_ENTRIES = 400
MAX_ENTRY_DAYS = 60
MAX_OFFICERS = 500
_ENTRY_KINDS = get_args(EntryKind)


@dataclass(frozen=True)
class ConfigProblem:
    """One reason a configuration was refused; ``field`` points into the payload."""

    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class ConfigInvalid(ValueError):
    """A configuration payload was refused; ``problems`` names every reason found."""

    def __init__(self, kind: str, problems: Sequence[ConfigProblem]) -> None:
        super().__init__(f"{kind}: " + "; ".join(f"{p.field}: {p.message}" for p in problems))
        self.kind = kind
        self.problems = list(problems)


def _mapping(kind: str, data: object) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise ConfigInvalid(kind, [ConfigProblem("(body)", "must be a JSON object")])
    return data


def parse_rules_payload(data: object) -> Rules:
    """``{"text": "<YAML rules>"}`` → compiled rules, or the parser's exact complaint."""
    body = _mapping("rules", data)
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ConfigInvalid("rules", [ConfigProblem("text", "the rules YAML text is required")])
    if len(text) > MAX_RULES_CHARS:
        raise ConfigInvalid(
            "rules", [ConfigProblem("text", f"at most {MAX_RULES_CHARS} characters")]
        )
    unknown = sorted(k for k in body if k != "text")
    if unknown:
        raise ConfigInvalid("rules", [ConfigProblem(k, "unknown key") for k in unknown])
    try:
        return load_rules_text(text)
    except RulesError as exc:
        raise ConfigInvalid("rules", [ConfigProblem(f"text: {exc.path}", exc.problem)]) from exc
    except RecursionError as exc:  # YAML nested thousands deep: no rules file looks like that
        raise ConfigInvalid("rules", [ConfigProblem("text", "nested too deeply")]) from exc


def parse_routing_payload(
    tenant: str, data: object, officers: Sequence[Officer] = ()
) -> RoutingTable:
    """A routing table; also refused when an officer of the regency works in a unit the new
    table no longer has (their cases could never reach them)."""
    body = _mapping("routing", data)
    table, problems = parse_routing_table(tenant, body)
    found = [ConfigProblem("routing", p) for p in problems]
    unknown = sorted(k for k in body if k not in ("units", "default_unit", "by_category"))
    found += [ConfigProblem(k, "unknown key") for k in unknown]
    for officer in officers:
        if table.units and officer.unit not in table.units:
            found.append(
                ConfigProblem(
                    "units",
                    f"officer {officer.officer_id} works in unit {officer.unit}, "
                    "which this table no longer has; move them first",
                )
            )
    if found:
        raise ConfigInvalid("routing", found)
    return table


def parse_roster_payload(
    tenant: str, data: object, table: RoutingTable | None
) -> tuple[tuple[Officer, ...], dict[str, Recipient]]:
    """The officers of a regency, each in a unit of its routing table."""
    body = _mapping("roster", data)
    raw = body.get("officers")
    problems: list[ConfigProblem] = []
    if isinstance(raw, list) and len(raw) > MAX_OFFICERS:
        problems.append(ConfigProblem("officers", f"at most {MAX_OFFICERS} officers"))
    if table is None:
        problems.append(
            ConfigProblem("officers", f"{tenant} has no routing table yet; set one first")
        )
    officers, contacts, found = parse_officers(
        tenant, raw if raw is not None else [], table.units if table else None
    )
    problems += [_split(p) for p in found]
    unknown = sorted(k for k in body if k != "officers")
    problems += [ConfigProblem(k, "unknown key") for k in unknown]
    if problems:
        raise ConfigInvalid("roster", problems)
    return tuple(officers), contacts


def _split(problem: str) -> ConfigProblem:
    where, sep, message = problem.partition(": ")
    return ConfigProblem(where, message) if sep else ConfigProblem("officers", problem)


def _date(value: object, path: str, problems: list[ConfigProblem]) -> date | None:
    if not isinstance(value, str):
        problems.append(ConfigProblem(path, "must be a date written YYYY-MM-DD"))
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(ConfigProblem(path, f"{value!r} is not a date written YYYY-MM-DD"))
        return None


def parse_calendar_payload(data: object) -> tuple[CalendarEntry, ...]:
    """Collective-leave days and extra holidays; overlaps, reversed ranges and days that are
    already national holidays are refused."""
    body = _mapping("calendar", data)
    raw = body.get("entries")
    if not isinstance(raw, list):
        raise ConfigInvalid("calendar", [ConfigProblem("entries", "must be a list")])
    if len(raw) > MAX_CALENDAR_ENTRIES:
        raise ConfigInvalid(
            "calendar", [ConfigProblem("entries", f"at most {MAX_CALENDAR_ENTRIES} entries")]
        )
    problems: list[ConfigProblem] = [
        ConfigProblem(k, "unknown key") for k in sorted(body) if k != "entries"
    ]
    entries: list[CalendarEntry] = []
    for i, item in enumerate(raw):
        at = f"entries[{i}]"
        if not isinstance(item, Mapping):
            problems.append(ConfigProblem(at, "must be an object with kind and start"))
            continue
        extra = sorted(str(k) for k in item if k not in ("kind", "start", "end", "label"))
        if extra:
            problems += [ConfigProblem(f"{at}.{k}", "unknown key") for k in extra]
            continue
        kind = item.get("kind", "collective_leave")
        if kind not in _ENTRY_KINDS:
            problems.append(
                ConfigProblem(f"{at}.kind", f"must be one of {', '.join(_ENTRY_KINDS)}")
            )
            continue
        start = _date(item.get("start"), f"{at}.start", problems)
        end = _date(item["end"], f"{at}.end", problems) if item.get("end") else None
        label = item.get("label", "")
        if not isinstance(label, str) or len(label) > 200:
            problems.append(ConfigProblem(f"{at}.label", "must be text of at most 200 characters"))
            continue
        if start is None or (item.get("end") and end is None):
            continue
        if end is not None and (end - start).days > MAX_ENTRY_DAYS:
            problems.append(ConfigProblem(at, f"a range may span at most {MAX_ENTRY_DAYS} days"))
            continue
        entries.append(CalendarEntry(cast(EntryKind, kind), start, end, label))
    if entries:
        # The years the entries name are the years checked; the worker's calendar covers the
        # years around each case, so no configured day is ever left out.
        years = {d.year for e in entries for d in (e.start, e.last)}
        problems += [ConfigProblem("entries", p) for p in validate_calendar_entries(entries, years)]
    if problems:
        raise ConfigInvalid("calendar", problems)
    return tuple(sorted(entries, key=lambda e: (e.start, e.kind)))


def calendar_as_list(entries: Sequence[CalendarEntry]) -> list[dict[str, Any]]:
    return [
        {
            "kind": e.kind,
            "start": e.start.isoformat(),
            "end": e.end.isoformat() if e.end else None,
            "label": e.label,
        }
        for e in entries
    ]
