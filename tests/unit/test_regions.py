from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.regions import (
    RegionCode,
    contains,
    parse_region_code,
    province_codes,
    province_of,
    region_name,
    same_province,
    timezone_for,
    timezone_label,
)

# The Kemendagri province numbers, written as the ranges the scheme is published in.
EXPECTED_PROVINCES = (
    [str(n) for n in range(11, 20)]
    + ["21"]
    + [str(n) for n in range(31, 37)]
    + [str(n) for n in range(51, 54)]
    + [str(n) for n in range(61, 66)]
    + [str(n) for n in range(71, 77)]
    + ["81", "82"]
    + [str(n) for n in range(91, 97)]
)
WITA_PROVINCES = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
WIT_PROVINCES = {"81", "82", "91", "92", "93", "94", "95", "96"}

provinces = st.sampled_from(EXPECTED_PROVINCES)
regency_numbers = st.integers(min_value=1, max_value=99).map(lambda n: f"{n:02d}")


def test_a_province_code_parses_as_a_province() -> None:
    region = parse_region_code("12")
    assert region == RegionCode("12")
    assert (region.code, region.province, region.is_province) == ("12", "12", True)


def test_a_regency_code_parses_with_its_province() -> None:
    region = parse_region_code("64.08")
    assert (region.code, region.province, region.is_province) == ("64.08", "64", False)
    assert str(region) == "64.08"


def test_region_code_cannot_be_built_with_an_invalid_code() -> None:
    with pytest.raises(ValueError, match="no province numbered 99"):
        RegionCode("99.01")


def test_bps_style_code_is_refused_with_the_kemendagri_form_suggested() -> None:
    with pytest.raises(ValueError, match=r"BPS.*12\.06"):
        parse_region_code("1206")


@pytest.mark.parametrize(
    "code",
    ["", "1", "123", "12.6", "12.006", "12-06", " 12.06", "12.06 ", "12.06.01", "12.", "ab", "١٢"],
)
def test_malformed_codes_are_refused(code: str) -> None:
    with pytest.raises(ValueError, match="not a Kemendagri province or regency code"):
        parse_region_code(code)


@pytest.mark.parametrize("code", ["00", "10", "20", "37", "54", "66", "77", "83", "97", "99.01"])
def test_unknown_province_numbers_are_refused(code: str) -> None:
    with pytest.raises(ValueError, match=f"no province numbered {code[:2]}"):
        parse_region_code(code)


def test_regency_number_zero_is_refused() -> None:
    with pytest.raises(ValueError, match="regency number 00"):
        parse_region_code("12.00")


def test_non_string_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="must be a string"):
        parse_region_code(1206)  # type: ignore[arg-type]


def test_registry_holds_every_current_province() -> None:
    assert list(province_codes()) == EXPECTED_PROVINCES
    assert len(province_codes()) == 38


@pytest.mark.parametrize("province", EXPECTED_PROVINCES)
def test_every_province_has_a_name_and_the_right_time_zone(province: str) -> None:
    expected = "WIB"
    if province in WITA_PROVINCES:
        expected = "WITA"
    elif province in WIT_PROVINCES:
        expected = "WIT"
    assert region_name(province)
    assert timezone_label(province) == expected
    offset = timezone_for(province).utcoffset(datetime(2024, 11, 27, 12))
    assert offset == timedelta(hours={"WIB": 7, "WITA": 8, "WIT": 9}[expected])


@pytest.mark.parametrize(
    ("code", "label", "zone"),
    [
        ("12.06", "WIB", "Asia/Jakarta"),
        ("17.71", "WIB", "Asia/Jakarta"),
        ("19.02", "WIB", "Asia/Jakarta"),
        ("64.02", "WITA", "Asia/Makassar"),
        ("64.08", "WITA", "Asia/Makassar"),
        ("94", "WIT", "Asia/Jayapura"),
    ],
)
def test_deployed_regions_keep_their_province_time(code: str, label: str, zone: str) -> None:
    assert timezone_label(code) == label
    assert timezone_for(code).key == zone


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("12.06", "Kabupaten Karo"),
        ("17.71", "Kota Bengkulu"),
        ("19.02", "Kabupaten Belitung"),
        ("64.02", "Kabupaten Kutai Kartanegara"),
        ("64.08", "Kabupaten Kutai Timur"),
        ("12", "Sumatera Utara"),
        ("64", "Kalimantan Timur"),
        ("19", "Kepulauan Bangka Belitung"),
        ("96", "Papua Barat Daya"),
    ],
)
def test_known_names(code: str, name: str) -> None:
    assert region_name(code) == name


def test_valid_regency_without_a_registered_name_has_none() -> None:
    assert region_name("12.99") is None


def test_province_of_and_same_province() -> None:
    assert province_of("64.08") == "64"
    assert province_of(parse_region_code("64")) == "64"
    assert same_province("64.02", "64.08")
    assert same_province("64", "64.08")
    assert not same_province("12.06", "17.71")


def test_containment_follows_the_tenant_hierarchy() -> None:
    assert contains("64", "64.08")
    assert contains("64.08", "64.08")
    assert contains("64", "64")
    assert not contains("64.08", "64")
    assert not contains("64.02", "64.08")
    assert not contains("12", "64.08")


def test_containment_refuses_invalid_codes_instead_of_answering_false() -> None:
    with pytest.raises(ValueError, match="BPS"):
        contains("64", "6408")


@given(provinces, regency_numbers)
def test_any_regency_belongs_to_its_province_and_keeps_its_time(
    province: str, regency: str
) -> None:
    code = f"{province}.{regency}"
    region = parse_region_code(code)
    assert region.province == province
    assert not region.is_province
    assert contains(province, code)
    assert not contains(code, province)
    assert timezone_for(code) == timezone_for(province)
