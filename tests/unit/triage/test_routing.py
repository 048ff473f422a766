from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.triage.domain.routing import (
    Officer,
    RoutingTable,
    normalise_name,
    normalise_nip,
    normalise_person_key,
    route,
    validate_routing_table,
)
from shared.categories import CATEGORIES

KARO = "12.06"
NIP_ACCUSED = "19800514 200604 1 007"


def table(**changes: object) -> RoutingTable:
    base = RoutingTable(
        tenant=KARO,
        units=frozenset({"DISKOMINFO", "BKPSDM", "INSPEKTORAT", "BAWASLU_LIAISON"}),
        by_category={"HOAKS": "DISKOMINFO", "SARA": "DISKOMINFO", "MEDSOS": "BKPSDM"},
        default_unit="INSPEKTORAT",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def officer(officer_id: str, **changes: object) -> Officer:
    base = Officer(
        officer_id=officer_id,
        name=f"Petugas {officer_id}",
        tenant=KARO,
        unit="BKPSDM",
        role="officer",
        available=True,
        conflicts=frozenset(),
        open_cases=0,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# ------------------------------------------------------------------ names and NIPs


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Drs. H. Muh. Ridwan Hasibuan, S.Sos., M.Si", "muhammad ridwan hasibuan"),
        ("bapak  MUHAMMAD   Ridwan hasibuan", "muhammad ridwan hasibuan"),
        ("Hj.Siti Aminah S.Pd", "siti aminah"),
        ("Ibu Siti Aminah", "siti aminah"),
        ("Dr. Ir. Agus Salimun, M.T.", "agus salimun"),
        ("Rehulina br Sembiring", "rehulina sembiring"),
        ("Yuliana, S.Ak", "yuliana"),
        ("Ir. Yoga Pratama S.T", "yoga pratama"),
        ("José Ginting", "jose ginting"),
        # A bare initial or a short word without a dot may be part of the name.
        ("M. Yusuf", "m yusuf"),
        ("Ma Ling", "ma ling"),
        ("Pak", ""),
    ],
)
def test_normalise_name_drops_titles_honorifics_case_and_spacing(raw: str, expected: str) -> None:
    assert normalise_name(raw) == expected


@given(st.text())
def test_normalise_name_is_idempotent(raw: str) -> None:
    once = normalise_name(raw)
    assert normalise_name(once) == once


@given(
    st.lists(st.from_regex(r"[A-Z][a-z]{2,9}", fullmatch=True), min_size=1, max_size=4),
    st.sampled_from(["", "Drs. ", "H. ", "Hj. ", "Dr. ", "Bapak ", "Ibu "]),
    st.sampled_from(["", ", S.Sos", ", S.Kom., M.Si", " S.Pd", ", M.Si"]),
)
def test_titles_around_a_name_do_not_change_it(words: list[str], prefix: str, suffix: str) -> None:
    name = " ".join(words)
    assert normalise_name(f"{prefix}{name}{suffix}") == normalise_name(name)


def test_normalise_nip_accepts_spaces_and_rejects_other_shapes() -> None:
    assert normalise_nip("19860926 201505 1 001") == "198609262015051001"
    assert normalise_nip("198609262015051001") == "198609262015051001"
    assert normalise_nip("1986092620150510") is None
    assert normalise_nip("belum tahu") is None
    assert normalise_nip(None) is None


def test_person_key_tells_nips_from_names() -> None:
    assert normalise_person_key(NIP_ACCUSED) == "198005142006041007"
    assert normalise_person_key("Drs. Joko Sembiring") == "joko sembiring"


# ------------------------------------------------------------------ routing table


def test_a_consistent_table_has_no_errors() -> None:
    assert validate_routing_table(table()) == []


def test_validation_names_every_problem() -> None:
    bad = table(
        by_category={"HOAKS": "HUMAS", "KAMPANYE_HITAM": "BKPSDM"},
        default_unit="SEKDA",
    )
    errors = validate_routing_table(bad)
    assert len(errors) == 3
    assert any("SEKDA" in e for e in errors)
    assert any("HOAKS" in e and "HUMAS" in e for e in errors)
    assert any("KAMPANYE_HITAM" in e for e in errors)


def test_validation_reports_an_empty_table() -> None:
    errors = validate_routing_table(table(units=frozenset(), by_category={}, default_unit=""))
    assert "daftar unit kosong" in errors
    assert "unit bawaan belum diisi" in errors


def test_every_documented_category_is_accepted() -> None:
    full = table(by_category=dict.fromkeys(CATEGORIES, "BKPSDM"))
    assert validate_routing_table(full) == []
    assert len(CATEGORIES) == 12


def test_table_cannot_be_changed_through_the_mapping_it_was_built_from() -> None:
    mapping = {"HOAKS": "DISKOMINFO"}
    built = table(by_category=mapping)
    mapping["HOAKS"] = "BKPSDM"
    assert built.unit_for("HOAKS") == "DISKOMINFO"
    with pytest.raises(TypeError):
        built.by_category["HOAKS"] = "BKPSDM"  # type: ignore[index]


# ------------------------------------------------------------------ route


def test_routes_to_the_category_unit_and_the_least_loaded_officer() -> None:
    roster = [
        officer("K-03", open_cases=4),
        officer("K-01", open_cases=2),
        officer("K-02", open_cases=7),
        officer("D-01", unit="DISKOMINFO", open_cases=0),
    ]
    decision = route("MEDSOS", frozenset(), frozenset(), table(), roster)
    assert decision.unit == "BKPSDM"
    assert decision.officer_id == "K-01"
    assert decision.to_province is False
    assert decision.recusals == ()
    assert any("MEDSOS" in r and "BKPSDM" in r for r in decision.reasons)
    chosen = "petugas Petugas K-01 dipilih: beban terendah (2 kasus terbuka) dari 3 yang tersedia"
    assert chosen in decision.reasons  # by name, as officers know each other


def test_equal_loads_are_broken_by_officer_id() -> None:
    roster = [officer("K-09", open_cases=1), officer("K-04", open_cases=1)]
    assert route("MEDSOS", frozenset(), frozenset(), table(), roster).officer_id == "K-04"


@given(st.permutations([officer(f"K-{i:02d}", open_cases=i % 3) for i in range(8)]))
def test_the_proposal_does_not_depend_on_roster_order(roster: list[Officer]) -> None:
    decision = route("MEDSOS", frozenset(), frozenset(), table(), roster)
    assert decision.officer_id == "K-00"


def test_unknown_or_missing_category_goes_to_the_default_unit() -> None:
    roster = [officer("I-01", unit="INSPEKTORAT")]
    for category in ("FASILITAS", None):
        decision = route(category, frozenset(), frozenset(), table(), roster)
        assert decision.unit == "INSPEKTORAT"
        assert decision.officer_id == "I-01"


def test_officers_of_other_regencies_and_unavailable_ones_are_not_chosen() -> None:
    roster = [
        officer("X-01", tenant="17.71", open_cases=0),
        officer("K-01", available=False, open_cases=0),
        officer("K-02", open_cases=9),
    ]
    assert route("MEDSOS", frozenset(), frozenset(), table(), roster).officer_id == "K-02"


def test_conflict_with_the_accused_by_nip_is_a_recusal() -> None:
    roster = [
        officer("K-01", open_cases=0, conflicts=frozenset({"198005142006041007"})),
        officer("K-02", open_cases=5),
    ]
    decision = route("MEDSOS", frozenset({NIP_ACCUSED}), frozenset(), table(), roster)
    assert decision.officer_id == "K-02"
    assert [r.officer_id for r in decision.recusals] == ["K-01"]
    assert "terlapor" in decision.recusals[0].reason


def test_conflict_by_name_matches_whatever_titles_are_written() -> None:
    roster = [
        officer("K-01", conflicts=frozenset({"Joko Sembiring"})),
        officer("K-02", open_cases=3),
    ]
    accused = frozenset({"Drs. JOKO  SEMBIRING, M.Si"})
    decision = route("MEDSOS", accused, frozenset(), table(), roster)
    assert decision.officer_id == "K-02"
    assert [r.officer_id for r in decision.recusals] == ["K-01"]


def test_conflict_with_a_candidate_is_a_recusal() -> None:
    roster = [
        officer("K-01", conflicts=frozenset({"H. Ahmad Yunan, S.E."})),
        officer("K-02", open_cases=3),
    ]
    decision = route("MEDSOS", frozenset(), frozenset({"Ahmad Yunan"}), table(), roster)
    assert decision.officer_id == "K-02"
    assert "pasangan calon" in decision.recusals[0].reason


def test_empty_names_never_count_as_a_conflict() -> None:
    roster = [officer("K-01", conflicts=frozenset({"Bapak", ""}))]
    decision = route("MEDSOS", frozenset({"Pak"}), frozenset({""}), table(), roster)
    assert decision.officer_id == "K-01"
    assert decision.recusals == ()


def test_everybody_conflicted_sends_the_case_to_the_province_with_every_recusal() -> None:
    roster = [
        officer("K-01", conflicts=frozenset({NIP_ACCUSED})),
        officer("K-02", conflicts=frozenset({"ahmad yunan"})),
        officer("K-03", available=False, conflicts=frozenset({NIP_ACCUSED})),
    ]
    decision = route(
        "MEDSOS", frozenset({NIP_ACCUSED}), frozenset({"Ahmad Yunan"}), table(), roster
    )
    assert decision.to_province is True
    assert decision.officer_id is None
    assert [r.officer_id for r in decision.recusals] == ["K-01", "K-02", "K-03"]
    assert "diteruskan ke provinsi" in decision.reasons


def test_nobody_available_sends_the_case_to_the_province() -> None:
    roster = [officer("K-01", available=False), officer("K-02", available=False)]
    decision = route("MEDSOS", frozenset(), frozenset(), table(), roster)
    assert decision.to_province is True
    assert decision.officer_id is None
    assert decision.recusals == ()


def test_a_unit_without_members_sends_the_case_to_the_province() -> None:
    decision = route("HOAKS", frozenset(), frozenset(), table(), [officer("K-01")])
    assert decision.unit == "DISKOMINFO"
    assert decision.to_province is True


def test_officers_go_before_supervisors_who_stand_in_when_needed() -> None:
    supervisor = officer("K-00", role="supervisor", open_cases=0)
    busy = officer("K-05", open_cases=12)
    assert route("MEDSOS", frozenset(), frozenset(), table(), [supervisor, busy]).officer_id == (
        "K-05"
    )
    decision = route("MEDSOS", frozenset(), frozenset(), table(), [supervisor])
    assert decision.officer_id == "K-00"
    assert decision.to_province is False
