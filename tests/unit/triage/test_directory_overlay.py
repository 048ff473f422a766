"""The officer directory laid over a regency's roster (pure)."""

from __future__ import annotations

from typing import Any

from services.triage.directory_overlay import overlay
from services.triage.domain.routing import Officer, RoutingTable, route
from shared.contracts import Recipient

KARO = "12.06"
TABLE = RoutingTable(KARO, frozenset({"BKPSDM", "DISKOMINFO"}), {"MEDSOS": "BKPSDM"}, "BKPSDM")
JONI = Officer("karo-bkpsdm-1", "Joni Sitepu", KARO, "BKPSDM", "officer", True, frozenset())
MARIA = Officer(
    "karo-bkpsdm-2", "Maria Br Ginting", KARO, "BKPSDM", "officer", False, frozenset({"Budi"})
)
CONTACTS = {
    o.officer_id: Recipient(officer_id=o.officer_id, name=o.name, email=f"{o.officer_id}@x.example")
    for o in (JONI, MARIA)
}
DESK = Recipient(officer_id="sumut-desk", name="Satgas Sumut", email="desk@sumut.example")


def entry(officer_id: str, **changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "_id": officer_id,
        "region": KARO,
        "unit": "BKPSDM",
        "role": "officer",
        "name": "Nama Baru",
        "email": "baru@karo.example",
        "phone": "+6281260000009",
        "language": "en",
        "timezone": "Asia/Jakarta",
        "conflicts": [],
        "active": True,
        "version": 2,
    }
    doc.update(changes)
    return doc


def apply(*entries: dict[str, Any]) -> Any:
    return overlay(KARO, TABLE, (JONI, MARIA), CONTACTS, DESK, entries)


def test_an_entry_overrides_the_roster_officer_and_keeps_their_availability() -> None:
    result = apply(entry("karo-bkpsdm-2", name="Maria Ginting", conflicts=["Rudi Ginting"]))
    maria = next(o for o in result.officers if o.officer_id == "karo-bkpsdm-2")
    assert maria.name == "Maria Ginting"
    assert maria.available is False  # leave is triage's business
    assert maria.conflicts == frozenset({"Budi", "Rudi Ginting"})
    assert result.contacts["karo-bkpsdm-2"].language == "en"
    assert result.contacts["karo-bkpsdm-2"].phone == "+6281260000009"


def test_a_new_entry_joins_the_roster() -> None:
    result = apply(entry("karo-bkpsdm-9"))
    assert [o.officer_id for o in result.officers] == [
        "karo-bkpsdm-1",
        "karo-bkpsdm-2",
        "karo-bkpsdm-9",
    ]
    assert result.contacts["karo-bkpsdm-9"].email == "baru@karo.example"


def test_a_deactivated_or_moved_officer_is_no_longer_routed_to_but_stays_reachable() -> None:
    result = apply(entry("karo-bkpsdm-1", active=False), entry("karo-bkpsdm-2", region="17.71"))
    assert result.officers == ()
    assert result.contacts["karo-bkpsdm-1"].name == "Nama Baru"
    decision = route("MEDSOS", frozenset(), frozenset(), TABLE, result.officers)
    assert decision.officer_id is None
    assert decision.to_province


def test_a_unit_the_table_does_not_have_is_not_routed() -> None:
    result = apply(entry("karo-bkpsdm-1", unit="INSPEKTORAT"))
    assert [o.officer_id for o in result.officers] == ["karo-bkpsdm-2"]


def test_declared_conflicts_make_the_officer_step_back() -> None:
    result = apply(entry("karo-bkpsdm-1", conflicts=["Drs. Rudi Ginting, M.Si"]))
    decision = route("MEDSOS", frozenset({"rudi ginting"}), frozenset(), TABLE, result.officers)
    assert [r.officer_id for r in decision.recusals] == ["karo-bkpsdm-1"]


def test_the_province_desk_takes_the_directorys_contact_when_active() -> None:
    assert (
        apply(
            entry("sumut-desk", region="12", unit="PROVINSI", email="baru@sumut.example")
        ).province_desk.email
        == "baru@sumut.example"
    )
    assert apply(entry("sumut-desk", region="12", active=False)).province_desk == DESK
