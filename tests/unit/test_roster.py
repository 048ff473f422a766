"""The roster file: the shipped one is valid, a broken one is refused with every reason."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from services.triage.roster import RosterError, load_roster, parse_roster


def _shipped() -> dict[str, Any]:
    from importlib import resources

    data: dict[str, Any] = yaml.safe_load(
        resources.files("services.triage").joinpath("roster.yaml").read_text("utf-8")
    )
    return data


def test_shipped_roster_covers_the_demo_regencies() -> None:
    roster = load_roster()
    assert set(roster.tables) == {"12.06", "17.71", "19.02", "64.02", "64.08"}
    assert roster.contacts["kutim-bkpsdm-1"].timezone == "Asia/Makassar"
    assert roster.contacts["karo-bkpsdm-1"].timezone == "Asia/Jakarta"  # from the region
    assert roster.supervisor_of("12.06") is not None
    assert set(roster.province_desks) == {"12", "17", "19", "64"}


def test_broken_roster_lists_every_problem() -> None:
    data = copy.deepcopy(_shipped())
    data["regions"]["12.06"]["by_category"]["HOAKS"] = "HUMAS"
    data["regions"]["12.06"]["officers"][0]["unit"] = "PROTOKOL"
    data["regions"]["1206"] = data["regions"].pop("17.71")
    del data["provinces"]["64"]
    with pytest.raises(RosterError) as caught:
        parse_roster(data)
    text = " | ".join(caught.value.problems)
    assert "HOAKS" in text
    assert "HUMAS" in text
    assert "PROTOKOL" in text
    assert "1206" in text
    assert "province desk" in text


def test_not_a_mapping_is_refused() -> None:
    with pytest.raises(RosterError):
        parse_roster(["not", "a", "roster"])
