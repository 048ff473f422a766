"""The officer directory's validation and the pure parts of the directory."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from services.intake.directory.officers import as_recipient, officer_event, region_filter
from services.intake.directory.schema import (
    MAX_CONFLICTS,
    ChangeRefused,
    OfficerCreate,
    OfficerPatch,
    apply_changes,
)
from shared.field_errors import field_errors


def new(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "officer_id": "karo-bkpsdm-3",
        "region": "12.06",
        "unit": "BKPSDM",
        "role": "officer",
        "name": "  Rehulina Br Sembiring ",
        "email": "Rehulina@KARO.example",
        "phone": "0812-6000-0009",
    }
    body.update(changes)
    return body


def errors_of(
    model: type[OfficerCreate] | type[OfficerPatch], body: dict[str, Any]
) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)
    return {e["field"]: e["code"] for e in field_errors(caught.value)}


def test_a_new_entry_is_normalised_and_takes_its_regions_time_zone() -> None:
    entry = OfficerCreate.model_validate(new()).entry()
    assert entry == {
        "region": "12.06",
        "unit": "BKPSDM",
        "role": "officer",
        "name": "Rehulina Br Sembiring",
        "email": "Rehulina@karo.example",
        "phone": "+6281260000009",
        "language": "id",
        "timezone": "Asia/Jakarta",
        "conflicts": [],
        "active": True,
    }
    kutim = OfficerCreate.model_validate(new(region="64.08", phone=None)).entry()
    assert kutim["timezone"] == "Asia/Makassar"
    assert kutim["phone"] is None


def test_every_bad_field_is_named() -> None:
    errors = errors_of(
        OfficerCreate,
        new(
            officer_id="Karo BKPSDM",
            region="1206",
            unit="bkpsdm",
            role="boss",
            name="",
            email="not-an-address",
            phone="021 555 1234",
            language="fr",
            timezone="Europe/Paris",
            conflicts=["x" * 201],
            extra="no",
        ),
    )
    assert errors == {
        "officer_id": "string_pattern_mismatch",
        "region": "region",
        "unit": "literal_error",
        "role": "literal_error",
        "name": "string_too_short",
        "email": "email_invalid",
        "phone": "phone_not_mobile",
        "language": "literal_error",
        "timezone": "literal_error",
        "conflicts[0]": "string_too_long",
        "extra": "extra_forbidden",
    }


def test_conflicts_are_bounded_and_deduplicated() -> None:
    too_many = [f"Orang {i}" for i in range(MAX_CONFLICTS + 1)]
    assert errors_of(OfficerCreate, new(conflicts=too_many)) == {"conflicts": "too_long"}
    entry = OfficerCreate.model_validate(
        new(conflicts=[" Rudi Ginting ", "Rudi Ginting", "198609262015051001"])
    ).entry()
    assert entry["conflicts"] == ["Rudi Ginting", "198609262015051001"]


def test_the_province_unit_belongs_to_a_province() -> None:
    assert errors_of(OfficerCreate, new(unit="PROVINSI")) == {"unit": "unit_region"}
    assert OfficerCreate.model_validate(new(region="12", unit="PROVINSI")).unit == "PROVINSI"


def test_a_change_needs_the_version_and_may_not_null_required_fields() -> None:
    assert errors_of(OfficerPatch, {"name": "X"}) == {"version": "missing"}
    assert errors_of(OfficerPatch, {"version": 0}) == {"version": "greater_than_equal"}
    assert errors_of(OfficerPatch, {"version": 1, "name": None, "unit": None}) == {
        "name": "null",
        "unit": "null",
    }
    patch = OfficerPatch.model_validate({"version": 3, "email": None, "phone": "+62 812 6000 0001"})
    assert patch.changes() == {"email": None, "phone": "+6281260000001"}


CURRENT: dict[str, Any] = {
    "_id": "karo-bkpsdm-3",
    "region": "12.06",
    "unit": "BKPSDM",
    "role": "officer",
    "name": "Rehulina",
    "email": "r@karo.example",
    "phone": None,
    "language": "id",
    "timezone": "Asia/Jakarta",
    "conflicts": ["Rudi Ginting"],
    "active": True,
    "version": 2,
}


def test_moving_region_moves_a_derived_time_zone_but_keeps_a_chosen_one() -> None:
    moved = apply_changes(CURRENT, {"region": "64.02"})
    assert moved["timezone"] == "Asia/Makassar"
    chosen = apply_changes({**CURRENT, "timezone": "Asia/Jayapura"}, {"region": "64.02"})
    assert chosen["timezone"] == "Asia/Jayapura"
    both = apply_changes(CURRENT, {"region": "64.02", "timezone": "Asia/Jakarta"})
    assert both["timezone"] == "Asia/Jakarta"


def test_a_change_that_puts_the_province_unit_in_a_regency_is_refused() -> None:
    with pytest.raises(ChangeRefused) as caught:
        apply_changes({**CURRENT, "region": "12", "unit": "PROVINSI"}, {"region": "12.06"})
    assert caught.value.field == "region"


def test_event_and_recipient_carry_the_entry() -> None:
    event = officer_event(CURRENT)
    assert event.officer_id == "karo-bkpsdm-3"
    assert event.version == 2
    assert event.conflicts == ["Rudi Ginting"]
    recipient = as_recipient(CURRENT)
    assert recipient.officer_id == "karo-bkpsdm-3"
    assert recipient.email == "r@karo.example"
    assert recipient.timezone == "Asia/Jakarta"


def test_a_province_sees_itself_and_its_regencies_a_regency_only_itself() -> None:
    assert region_filter("12.06") == {"region": "12.06"}
    assert region_filter("12") == {"$or": [{"region": "12"}, {"region": {"$regex": "^12\\."}}]}
