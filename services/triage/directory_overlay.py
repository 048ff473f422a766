"""Intake's officer directory laid over a regency's roster: pure, no database.

The roster (YAML defaults, API overrides) says who routing may choose; a directory entry
is the officer's own, newer word on who they are. For an officer the directory knows:

- active and in this regency: name, unit, role and contact data come from the directory (a
  new id joins the roster); the roster's ``available`` (leave, set through triage's API)
  stays;
- deactivated, or now working in another region: no longer routed to here. Their contact
  data is kept, so reminders about cases they still hold name them correctly (notify drops
  alerts to a deactivated officer);
- conflicts are the union of both lists: a conflict of interest declared anywhere must make
  the officer step back, and a roster entry the directory does not know of cannot be
  silently undone by it;
- a unit the regency's routing table does not have: contact kept, not routed (no case
  could reach them there anyway).

The province desk takes the directory's contact data when an active entry has its id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, get_args

from services.triage.domain.routing import Officer, Role, RoutingTable
from shared.contracts import Recipient

_ROLES = get_args(Role)


@dataclass(frozen=True)
class Overlaid:
    officers: tuple[Officer, ...]
    contacts: dict[str, Recipient]
    province_desk: Recipient | None


def contact_of(entry: Mapping[str, Any]) -> Recipient:
    return Recipient(
        officer_id=str(entry["_id"]),
        name=str(entry["name"]),
        email=entry.get("email"),
        phone=entry.get("phone"),
        language=entry.get("language") or "id",
        timezone=entry.get("timezone") or "Asia/Jakarta",
    )


def overlay(
    tenant: str,
    table: RoutingTable | None,
    officers: Iterable[Officer],
    contacts: Mapping[str, Recipient],
    province_desk: Recipient | None,
    entries: Iterable[Mapping[str, Any]],
) -> Overlaid:
    """The regency's officers and contacts with the directory ``entries`` applied."""
    by_id = {o.officer_id: o for o in officers}
    order = list(by_id)
    found = dict(contacts)
    desk = province_desk
    for entry in entries:
        officer_id = str(entry["_id"])
        contact = contact_of(entry)
        active = bool(entry.get("active", True))
        if desk is not None and officer_id == desk.officer_id:
            if active:
                desk = contact
            continue
        existing = by_id.get(officer_id)
        if existing is not None or entry.get("region") == tenant:
            found[officer_id] = contact
        routable = (
            active
            and entry.get("region") == tenant
            and entry.get("role") in _ROLES
            and (table is None or entry.get("unit") in table.units)
        )
        if not routable:
            by_id.pop(officer_id, None)
            continue
        declared = frozenset(str(c) for c in entry.get("conflicts") or ())
        by_id[officer_id] = Officer(
            officer_id=officer_id,
            name=contact.name,
            tenant=tenant,
            unit=str(entry["unit"]),
            role=entry["role"],
            available=existing.available if existing is not None else True,
            conflicts=(existing.conflicts if existing is not None else frozenset()) | declared,
        )
        if officer_id not in order:
            order.append(officer_id)
    return Overlaid(
        officers=tuple(by_id[i] for i in order if i in by_id),
        contacts=found,
        province_desk=desk,
    )
