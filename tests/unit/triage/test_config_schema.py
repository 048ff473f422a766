"""Validating the configuration a regency may override: every problem named, nothing half
accepted."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from services.triage.config_schema import (
    ConfigInvalid,
    parse_calendar_payload,
    parse_roster_payload,
    parse_routing_payload,
    parse_rules_payload,
)
from services.triage.deps import defaults
from services.triage.domain.routing import Officer
from services.triage.roster import RosterError
from services.triage.rules_files import default_rules_text
from shared.settings import Settings

KARO = "12.06"
TABLE: dict[str, Any] = {
    "units": ["DISKOMINFO", "BKPSDM"],
    "default_unit": "BKPSDM",
    "by_category": {"HOAKS": "DISKOMINFO"},
}


def problems(exc: pytest.ExceptionInfo[ConfigInvalid]) -> str:
    return " | ".join(f"{p.field}: {p.message}" for p in exc.value.problems)


def test_a_valid_routing_table() -> None:
    table = parse_routing_payload(KARO, TABLE)
    assert table.unit_for("HOAKS") == "DISKOMINFO"
    assert table.unit_for("MEDSOS") == "BKPSDM"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"by_category": {"HOAKS": "HUMAS"}}, "HUMAS"),
        ({"default_unit": "SEKRETARIAT"}, "SEKRETARIAT"),
        ({"by_category": {"KORUPSI": "BKPSDM"}}, "KORUPSI"),
        ({"units": "BKPSDM"}, "'units' must be a list"),
        ({"units": []}, "daftar unit kosong"),
        ({"colour": "red"}, "colour: unknown key"),
    ],
)
def test_broken_routing_tables_are_refused(change: dict[str, Any], expected: str) -> None:
    with pytest.raises(ConfigInvalid) as caught:
        parse_routing_payload(KARO, {**TABLE, **change})
    assert expected in problems(caught)


def test_a_table_that_would_strand_an_officer_is_refused() -> None:
    officer = Officer("karo-insp-1", "Edi", KARO, "INSPEKTORAT", "officer", True)
    with pytest.raises(ConfigInvalid) as caught:
        parse_routing_payload(KARO, TABLE, [officer])
    assert "karo-insp-1" in problems(caught)


def test_roster_lists_every_problem_at_once() -> None:
    table = parse_routing_payload(KARO, TABLE)
    officers = [
        {"id": "a", "name": "Ani", "unit": "PROTOKOL"},
        {"id": "b", "name": "Budi", "unit": "BKPSDM", "role": "kepala"},
        {"id": "c", "name": "Citra", "unit": "BKPSDM", "available": "ya"},
        {"id": "d", "unit": "BKPSDM"},
        {"id": "e", "name": "Eka", "unit": "BKPSDM", "conflicts": "Budi"},
        {"id": "f", "name": "Fajar", "unit": "BKPSDM", "language": "fr"},
        {"id": "g", "name": "Gita", "unit": "BKPSDM", "pangkat": "III/a"},
    ]
    with pytest.raises(ConfigInvalid) as caught:
        parse_roster_payload(KARO, {"officers": officers}, table)
    text = problems(caught)
    for i, expected in enumerate(
        ["PROTOKOL", "role", "available", "missing name", "conflicts", "language", "pangkat"]
    ):
        assert f"officers[{i}]" in text
        assert expected in text


def test_roster_needs_a_routing_table() -> None:
    with pytest.raises(ConfigInvalid) as caught:
        parse_roster_payload("12.99", {"officers": []}, None)
    assert "no routing table" in problems(caught)


def test_valid_roster_keeps_contacts_and_zone() -> None:
    table = parse_routing_payload("64.08", TABLE)
    officers, contacts = parse_roster_payload(
        "64.08",
        {"officers": [{"id": "x", "name": "Lisa", "unit": "DISKOMINFO", "conflicts": ["Budi"]}]},
        table,
    )
    assert officers[0].conflicts == {"Budi"}
    assert contacts["x"].timezone == "Asia/Makassar"  # from the regency, WITA


def test_calendar_entries_are_sorted_and_checked() -> None:
    entries = parse_calendar_payload(
        {
            "entries": [
                {"kind": "holiday", "start": "2024-11-06", "label": "hari jadi"},
                {"start": "2024-12-26", "end": "2024-12-27"},
            ]
        }
    )
    assert [e.start for e in entries] == [date(2024, 11, 6), date(2024, 12, 26)]
    assert entries[1].kind == "collective_leave"
    assert parse_calendar_payload({"entries": []}) == ()


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        (
            [{"start": "2024-12-23", "end": "2024-12-27"}, {"start": "2024-12-27"}],
            "listed more than once",
        ),
        ([{"start": "2024-12-27", "end": "2024-12-23"}], "before it starts"),
        ([{"start": "27-12-2024"}], "YYYY-MM-DD"),
        ([{"start": "2024-12-25"}], "already a national holiday"),
        ([{"kind": "mudik", "start": "2024-12-27"}], "kind"),
        ([{"start": "2024-01-01", "end": "2024-06-30"}], "at most 60 days"),
    ],
)
def test_broken_calendars_are_refused(entries: list[dict[str, Any]], expected: str) -> None:
    with pytest.raises(ConfigInvalid) as caught:
        parse_calendar_payload({"entries": entries})
    assert expected in problems(caught)


def test_rules_are_parsed_with_the_shipped_parser() -> None:
    rules = parse_rules_payload({"text": default_rules_text()})
    assert rules.version
    with pytest.raises(ConfigInvalid) as caught:
        parse_rules_payload({"text": "version: 1\ncategories: [\n"})
    assert "not valid YAML" in problems(caught)
    with pytest.raises(ConfigInvalid) as caught:
        parse_rules_payload({"text": ""})
    assert "required" in problems(caught)
    with pytest.raises(ConfigInvalid) as caught:
        parse_rules_payload(["not", "an", "object"])
    assert "JSON object" in problems(caught)


def test_a_broken_roster_file_stops_the_start_with_every_reason(tmp_path: Path) -> None:
    path = tmp_path / "roster.yaml"
    path.write_text("version: x\nregions: {12.06: [unclosed\n", encoding="utf-8")
    with pytest.raises(RosterError) as caught:
        defaults(Settings(roster_file=str(path)))
    assert "not valid YAML" in str(caught.value)
    path.write_text(
        "version: x\nregions:\n  '12.06': {units: [A], default_unit: B}\n", encoding="utf-8"
    )
    with pytest.raises(RosterError) as caught:
        defaults(Settings(roster_file=str(path)))
    assert any("unit bawaan B" in p for p in caught.value.problems)
    assert any("province desk" in p for p in caught.value.problems)
