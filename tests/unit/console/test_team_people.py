"""The people pages' rules: search, sign-in state, what a form changes, what a colleague
changed, the roles and regions a manager may give, and device names."""

from __future__ import annotations

from typing import Any

from services.console.team.people import (
    Difference,
    account_state,
    changes,
    differences,
    regions_for,
    roles_given_by,
    search,
    snapshot,
)
from services.console.web.devices import device, device_label, raw_name

ENTRY: dict[str, Any] = {
    "officer_id": "karo-bkpsdm-4",
    "name": "Rehulina Br Sembiring",
    "region": "12.06",
    "unit": "BKPSDM",
    "role": "officer",
    "email": "rehulina@karo.example",
    "phone": "+6281260000009",
    "language": "id",
    "active": True,
}


def test_search_finds_every_word_in_name_id_or_address_whatever_the_case() -> None:
    other = {**ENTRY, "officer_id": "karo-x", "name": "Andi", "email": None}
    assert search([other, ENTRY], "sembiring REHU") == [ENTRY]
    assert search([other, ENTRY], "bkpsdm-4") == [ENTRY]
    assert [e["name"] for e in search([ENTRY, other], "  ")] == ["Andi", "Rehulina Br Sembiring"]


def test_account_states() -> None:
    assert account_state(None) == "none"
    assert account_state({"password_set": True, "second_factor": True}) == "second_factor"
    assert account_state({"password_set": True, "second_factor": False}) == "account"
    assert account_state({"invitation": {"state": "pending"}}) == "invited"
    assert account_state({"invitation": {"state": "expired"}}) == "invitation_expired"
    assert account_state({"invitation": None}) == "none"


def test_a_form_changes_only_what_differs_and_an_emptied_address_is_removed() -> None:
    typed = {**snapshot(ENTRY), "name": " Rehulina Sembiring ", "phone": "", "unit": ""}
    assert changes(snapshot(ENTRY), typed) == {"name": "Rehulina Sembiring", "phone": None}
    assert changes(snapshot(ENTRY), snapshot(ENTRY)) == {}


def test_what_a_colleague_changed_meanwhile_including_a_deactivation() -> None:
    now = snapshot({**ENTRY, "unit": "INSPEKTORAT", "active": False})
    assert differences(snapshot(ENTRY), now) == [
        Difference("unit", "BKPSDM", "INSPEKTORAT"),
        Difference("active", True, False),
    ]


def test_supervisors_give_regency_roles_operators_every_role() -> None:
    assert roles_given_by("supervisor") == ("officer", "supervisor")
    assert roles_given_by("operator") == ("officer", "supervisor", "operator", "auditor")
    assert roles_given_by("auditor") == ()


def test_a_supervisor_places_people_in_their_regency_a_province_anywhere_in_it() -> None:
    assert regions_for("12.06") == ("12.06",)
    province = regions_for("12")
    assert province[0] == "12"
    assert "12.06" in province
    assert all(r.startswith("12.") for r in province[1:])


def test_devices_are_named_as_people_say_them() -> None:
    android = (
        "Mozilla/5.0 (Linux; Android 14; SM-A155F) AppleWebKit/537.36 Chrome/131.0 "
        "Mobile Safari/537.36"
    )
    edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0 Safari/537.36 Edg/131.0"
    iphone = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Version/17.5 Mobile Safari/604.1"
    )
    assert device(android) == ("Chrome", "Android")
    assert device(edge) == ("Edge", "Windows")
    assert device(iphone) == ("Safari", "iPhone")
    assert device("python-requests/2.32.3") == (None, None)
    assert raw_name("python-requests/2.32.3") == "python-requests/2.32.3"
    assert device(None) == (None, None)
    assert device_label(android) == "Chrome di Android"
    assert device_label("python-requests/2.32.3") == "python-requests/2.32.3"
    assert device_label(None) == "Perangkat tak dikenal"
