"""Routing tables, officers, province desks and collective leave, validated.

The shipped YAML roster (or ``PANTAU_ROSTER_FILE``) holds the defaults of every regency; the
API stores per-regency overrides of the same shapes, checked by the same parsers. An invalid
roster is refused as a whole with every problem named, so the running one stays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import ValidationError

from services.triage.domain.routing import Officer, Role, RoutingTable, validate_routing_table
from shared.contracts import Recipient
from shared.regions import parse_region_code, province_of, timezone_for

_ROLES = get_args(Role)
_OFFICER_KEYS = frozenset(
    {"id", "name", "unit", "role", "available", "conflicts", "email", "phone", "language"}
    | {"timezone"}
)


class RosterError(ValueError):
    """The roster cannot be used; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Roster:
    """Everything routing needs, per regency, plus where cases go when nobody can take them."""

    version: str
    tables: dict[str, RoutingTable]
    officers: tuple[Officer, ...]
    contacts: dict[str, Recipient]
    province_desks: dict[str, Recipient]
    collective_leave: dict[str, frozenset[date]]

    def supervisor_of(self, tenant: str) -> Recipient | None:
        """The supervisor of a regency, for escalations."""
        for officer in self.officers:
            if officer.tenant == tenant and officer.role == "supervisor":
                return self.contacts[officer.officer_id]
        return None


# --- pieces shared by the roster file and the API ------------------------------------------


def _text_list(value: object) -> list[str] | None:
    if not isinstance(value, list | tuple) or not all(
        isinstance(v, str) and v.strip() for v in value
    ):
        return None
    return [v.strip() for v in value]


def parse_routing_table(
    tenant: str, raw: object, where: str = ""
) -> tuple[RoutingTable, list[str]]:
    """A regency's routing table from plain data, with every problem (empty when usable)."""
    prefix = f"{where}: " if where else ""
    if not isinstance(raw, Mapping):
        return RoutingTable(tenant, frozenset(), {}, ""), [
            f"{prefix}the routing table must be a mapping with units, default_unit, by_category"
        ]
    problems: list[str] = []
    units = _text_list(raw.get("units") or [])
    if units is None:
        problems.append(f"{prefix}'units' must be a list of unit names")
        units = []
    if len(set(units)) != len(units):
        problems.append(f"{prefix}'units' names a unit twice")
    by_category_raw = raw.get("by_category") or {}
    by_category: dict[str, str] = {}
    if not isinstance(by_category_raw, Mapping):
        problems.append(f"{prefix}'by_category' must map category codes to units")
    else:
        for category, unit in by_category_raw.items():
            if not isinstance(unit, str) or not unit.strip():
                problems.append(f"{prefix}by_category.{category}: the unit must be a name")
                continue
            by_category[str(category)] = unit.strip()
    default_unit = raw.get("default_unit") or ""
    if not isinstance(default_unit, str):
        problems.append(f"{prefix}'default_unit' must be a unit name")
        default_unit = ""
    table = RoutingTable(tenant, frozenset(units), by_category, default_unit.strip())
    problems += [f"{prefix}{p}" for p in validate_routing_table(table)]
    return table, problems


def parse_officers(
    tenant: str, raw: object, units: frozenset[str] | None, where: str = ""
) -> tuple[list[Officer], dict[str, Recipient], list[str]]:
    """A regency's officers from plain data, checked against the units of its routing table
    (``None``: the regency has no table, so no unit can be checked)."""
    prefix = f"{where}." if where else ""
    if not isinstance(raw, list | tuple):
        return [], {}, [f"{prefix}officers: must be a list"]
    problems: list[str] = []
    officers: list[Officer] = []
    contacts: dict[str, Recipient] = {}
    default_tz = timezone_for(tenant).key
    for i, item in enumerate(raw):
        at = f"{prefix}officers[{i}]"
        if not isinstance(item, Mapping):
            problems.append(f"{at}: must be a mapping with id, name and unit")
            continue
        unknown = sorted(str(k) for k in item if k not in _OFFICER_KEYS)
        if unknown:
            problems.append(f"{at}: unknown key {', '.join(unknown)}")
        missing = [k for k in ("id", "name", "unit") if not item.get(k)]
        if missing:
            problems.append(f"{at}: missing {', '.join(missing)}")
            continue
        role = item.get("role", "officer")
        if role not in _ROLES:
            problems.append(f"{at}: role must be one of {', '.join(_ROLES)}")
            continue
        conflicts = _text_list(item.get("conflicts") or [])
        if conflicts is None:
            problems.append(f"{at}: conflicts must be a list of names or NIPs")
            continue
        available = item.get("available", True)
        if not isinstance(available, bool):
            problems.append(f"{at}: available must be true or false")
            continue
        try:
            contact = Recipient(
                officer_id=str(item["id"]),
                name=str(item["name"]),
                email=item.get("email"),
                phone=item.get("phone"),
                language=item.get("language", "id"),
                timezone=item.get("timezone", default_tz),
            )
        except ValidationError as exc:
            details = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
            problems.append(f"{at}: {details}")
            continue
        officer = Officer(
            officer_id=contact.officer_id,
            name=contact.name,
            tenant=tenant,
            unit=str(item["unit"]),
            role=role,
            available=available,
            conflicts=frozenset(conflicts),
        )
        if units is not None and officer.unit not in units:
            problems.append(f"{at}: unit {officer.unit} is not in the routing table's units")
        if officer.officer_id in contacts:
            problems.append(f"{at}: id {officer.officer_id} used twice")
        contacts[officer.officer_id] = contact
        officers.append(officer)
    return officers, contacts, problems


def table_as_dict(table: RoutingTable) -> dict[str, Any]:
    return {
        "units": sorted(table.units),
        "default_unit": table.default_unit,
        "by_category": dict(sorted(table.by_category.items())),
    }


def officer_as_dict(officer: Officer, contact: Recipient | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": officer.officer_id,
        "name": officer.name,
        "unit": officer.unit,
        "role": officer.role,
        "available": officer.available,
        "conflicts": sorted(officer.conflicts),
    }
    if contact is not None:
        out.update(
            email=contact.email,
            phone=contact.phone,
            language=contact.language,
            timezone=contact.timezone,
        )
    return out


def officers_as_list(
    officers: Sequence[Officer], contacts: Mapping[str, Recipient]
) -> list[dict[str, Any]]:
    return [officer_as_dict(o, contacts.get(o.officer_id)) for o in officers]


# --- the roster file -----------------------------------------------------------------------


def _recipient(raw: dict[str, Any], default_tz: str) -> Recipient:
    return Recipient(
        officer_id=str(raw["id"]),
        name=str(raw["name"]),
        email=raw.get("email"),
        phone=raw.get("phone"),
        language=raw.get("language", "id"),
        timezone=raw.get("timezone", default_tz),
    )


def parse_roster(data: Any) -> Roster:
    """Validate a roster mapping (as loaded from YAML)."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise RosterError(["the roster must be a mapping with 'version' and 'regions'"])
    version = str(data.get("version") or "")
    if not version:
        problems.append("'version' is missing")
    tables: dict[str, RoutingTable] = {}
    officers: list[Officer] = []
    contacts: dict[str, Recipient] = {}
    leave: dict[str, frozenset[date]] = {}
    for code, region in (data.get("regions") or {}).items():
        where = f"regions.{code}"
        try:
            tenant = parse_region_code(str(code)).code
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            continue
        if not isinstance(region, dict):
            problems.append(f"{where}: must be a mapping")
            continue
        table, table_problems = parse_routing_table(tenant, region, where)
        problems += table_problems
        tables[tenant] = table
        try:
            leave[tenant] = frozenset(
                date.fromisoformat(str(d)) for d in region.get("collective_leave") or ()
            )
        except ValueError as exc:
            problems.append(f"{where}.collective_leave: {exc}")
        found, found_contacts, officer_problems = parse_officers(
            tenant, region.get("officers") or [], table.units, where
        )
        problems += officer_problems
        for officer in found:
            if officer.officer_id in contacts:
                problems.append(f"{where}: officer id {officer.officer_id} used in two regions")
        officers += found
        contacts.update(found_contacts)
    desks: dict[str, Recipient] = {}
    for code, raw in (data.get("provinces") or {}).items():
        try:
            province = parse_region_code(str(code))
            desks[province.code] = _recipient(raw, timezone_for(province.code).key)
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"provinces.{code}: {exc}")
    for tenant in tables:
        if province_of(tenant) not in desks:
            problems.append(
                f"regions.{tenant}: no province desk for province {province_of(tenant)}"
            )
    if problems:
        raise RosterError(problems)
    return Roster(version, tables, tuple(officers), contacts, desks, leave)


def load_roster(path: str = "") -> Roster:
    """The roster at ``path``, or the one shipped with the project."""
    if path:
        text = Path(path).read_text(encoding="utf-8")
    else:
        text = resources.files("services.triage").joinpath("roster.yaml").read_text("utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RosterError([f"the roster is not valid YAML: {exc}"]) from exc
    return parse_roster(data)
