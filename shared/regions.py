"""Kemendagri region codes: the tenant key of every document in the suite.

Only the two levels a deployment serves are accepted: a province (``12``) and a
regency or city inside it (``12.06``). BPS codes (``1206``) look similar but number
some provinces differently (the Papua provinces after the 2022 split), so they are
refused rather than guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Literal
from zoneinfo import ZoneInfo

TimezoneLabel = Literal["WIB", "WITA", "WIT"]

_ZONE_KEYS: dict[TimezoneLabel, str] = {
    "WIB": "Asia/Jakarta",
    "WITA": "Asia/Makassar",
    "WIT": "Asia/Jayapura",
}

# Kepmendagri 100.1.1-6117/2022 numbering, which added 93-96 for the new Papua provinces.
_PROVINCES: MappingProxyType[str, tuple[str, TimezoneLabel]] = MappingProxyType(
    {
        "11": ("Aceh", "WIB"),
        "12": ("Sumatera Utara", "WIB"),
        "13": ("Sumatera Barat", "WIB"),
        "14": ("Riau", "WIB"),
        "15": ("Jambi", "WIB"),
        "16": ("Sumatera Selatan", "WIB"),
        "17": ("Bengkulu", "WIB"),
        "18": ("Lampung", "WIB"),
        "19": ("Kepulauan Bangka Belitung", "WIB"),
        "21": ("Kepulauan Riau", "WIB"),
        "31": ("DKI Jakarta", "WIB"),
        "32": ("Jawa Barat", "WIB"),
        "33": ("Jawa Tengah", "WIB"),
        "34": ("DI Yogyakarta", "WIB"),
        "35": ("Jawa Timur", "WIB"),
        "36": ("Banten", "WIB"),
        "51": ("Bali", "WITA"),
        "52": ("Nusa Tenggara Barat", "WITA"),
        "53": ("Nusa Tenggara Timur", "WITA"),
        # West and Central Kalimantan keep western time; the other three are central.
        "61": ("Kalimantan Barat", "WIB"),
        "62": ("Kalimantan Tengah", "WIB"),
        "63": ("Kalimantan Selatan", "WITA"),
        "64": ("Kalimantan Timur", "WITA"),
        "65": ("Kalimantan Utara", "WITA"),
        "71": ("Sulawesi Utara", "WITA"),
        "72": ("Sulawesi Tengah", "WITA"),
        "73": ("Sulawesi Selatan", "WITA"),
        "74": ("Sulawesi Tenggara", "WITA"),
        "75": ("Gorontalo", "WITA"),
        "76": ("Sulawesi Barat", "WITA"),
        "81": ("Maluku", "WIT"),
        "82": ("Maluku Utara", "WIT"),
        "91": ("Papua", "WIT"),
        "92": ("Papua Barat", "WIT"),
        "93": ("Papua Selatan", "WIT"),
        "94": ("Papua Tengah", "WIT"),
        "95": ("Papua Pegunungan", "WIT"),
        "96": ("Papua Barat Daya", "WIT"),
    }
)

# Regencies and cities the suite is deployed for today; others parse fine but have no name yet.
_REGENCY_NAMES: MappingProxyType[str, str] = MappingProxyType(
    {
        "12.06": "Kabupaten Karo",
        "17.71": "Kota Bengkulu",
        "19.02": "Kabupaten Belitung",
        "64.02": "Kabupaten Kutai Kartanegara",
        "64.08": "Kabupaten Kutai Timur",
    }
)

# ASCII digits only: \d would also accept Arabic-Indic and other Unicode digits.
_SHAPE = re.compile(r"(?P<province>[0-9]{2})(?:\.(?P<regency>[0-9]{2}))?")


@dataclass(frozen=True)
class RegionCode:
    """A validated Kemendagri code at province (``12``) or regency/city (``12.06``) level.

    Built from the code alone (``RegionCode("12.06")``) so that no instance can carry a
    province that disagrees with its code; ``parse_region_code`` is the same thing as a
    function.
    """

    code: str
    province: str = field(init=False)
    is_province: bool = field(init=False)

    def __post_init__(self) -> None:
        province, is_province = _validate(self.code)
        # Frozen: the derived fields can only be set through object.__setattr__.
        object.__setattr__(self, "province", province)
        object.__setattr__(self, "is_province", is_province)

    def __str__(self) -> str:
        return self.code


RegionLike = str | RegionCode


def _validate(code: object) -> tuple[str, bool]:
    if not isinstance(code, str):
        raise ValueError(f"region code must be a string like '12' or '12.06', got {code!r}")
    match = _SHAPE.fullmatch(code)
    if match is None:
        if re.fullmatch(r"[0-9]{4}", code):
            raise ValueError(
                f"region code {code!r} looks like a BPS code; "
                f"use the Kemendagri form {code[:2]}.{code[2:]}"
            )
        raise ValueError(
            f"region code {code!r} is not a Kemendagri province or regency code "
            "(expected two digits, optionally followed by '.' and two digits, e.g. '12.06')"
        )
    province = match["province"]
    if province not in _PROVINCES:
        raise ValueError(f"region code {code!r}: there is no province numbered {province}")
    regency = match["regency"]
    if regency == "00":
        raise ValueError(f"region code {code!r}: regency number 00 does not exist")
    return province, regency is None


def parse_region_code(code: str) -> RegionCode:
    """Validate ``code`` as a ``RegionCode``; raise ``ValueError`` naming what is wrong."""
    if not isinstance(code, str):
        return RegionCode(code)  # raises, naming what it got
    return _parsed_code(code)


# Codes are parsed for every case, candidate and request, and a deployment knows a few
# hundred of them; a RegionCode is frozen, so one instance per code can be shared. Codes
# that fail are not kept (lru_cache keeps only results).
@lru_cache(maxsize=1024)
def _parsed_code(code: str) -> RegionCode:
    return RegionCode(code)


def _parsed(code: RegionLike) -> RegionCode:
    return code if isinstance(code, RegionCode) else parse_region_code(code)


def province_of(code: RegionLike) -> str:
    """The two-digit province code a region belongs to (a province is its own province)."""
    return _parsed(code).province


def timezone_label(code: RegionLike) -> TimezoneLabel:
    """Which of Indonesia's three civil time zones a region keeps."""
    return _PROVINCES[province_of(code)][1]


def timezone_for(code: RegionLike) -> ZoneInfo:
    """The IANA zone for a region, for turning local statutory days into instants."""
    return ZoneInfo(_ZONE_KEYS[timezone_label(code)])


def same_province(a: RegionLike, b: RegionLike) -> bool:
    return province_of(a) == province_of(b)


def contains(parent: RegionLike, child: RegionLike) -> bool:
    """Whether ``child`` lies within ``parent``.

    Every region contains itself, so the same check serves a regency office (its own
    cases only) and a provincial role (the province and all its regencies). A regency
    never contains its province or another regency.
    """
    outer, inner = _parsed(parent), _parsed(child)
    if outer.code == inner.code:
        return True
    return outer.is_province and outer.province == inner.province


def region_name(code: RegionLike) -> str | None:
    """The official name, or ``None`` for a valid regency the registry has no name for yet."""
    region = _parsed(code)
    if region.is_province:
        return _PROVINCES[region.province][0]
    return _REGENCY_NAMES.get(region.code)


def named_regencies(province: RegionLike) -> tuple[str, ...]:
    """The regencies and cities of ``province`` that the registry has names for, in order."""
    code = _parsed(province).province
    return tuple(sorted(r for r in _REGENCY_NAMES if r.startswith(code + ".")))


def served_regencies() -> tuple[str, ...]:
    """Every regency and city the deployment serves (those the registry names), in order."""
    return tuple(sorted(_REGENCY_NAMES))


def province_codes() -> tuple[str, ...]:
    """Every province code of the scheme, in numeric order."""
    return tuple(sorted(_PROVINCES))
