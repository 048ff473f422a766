"""Routing a triaged case to a unit of its regency and to one officer of that unit.

The routing table of a regency names the unit for each violation category; the roster
lists who works there. An officer who knows the accused or has a stake in a candidate
pair must not judge the case, so conflicts are checked on normalised names and NIPs and
every recusal is recorded. When nobody in the unit is both available and free of
conflict, the case goes to the province instead of waiting.

The result is a proposal with its reasons: an officer confirms it (UU 27/2022 lets people
object to purely automated decisions).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Literal

from shared.categories import CATEGORIES
from shared.formats import FormatError, compact_nip

Role = Literal["officer", "supervisor"]

# --------------------------------------------------------------------- names and NIPs

# Titles that are never part of anyone's name, so they are dropped wherever they stand.
# fmt: off
_TITLES_ALWAYS: Final = frozenset(
    {
        "drs", "dra", "dr", "drg", "drh", "ir", "hj", "prof", "kh", "apt",
        "ssos", "skom", "spd", "spdi", "spdsd", "sag", "sip", "ssi", "skm", "skep", "sked",
        "sstp", "stp", "sst", "sth", "shi", "sei", "sfarm", "sgz", "sakun", "sadm", "sikom",
        "msi", "mpd", "mpdi", "mkes", "msc", "mag", "mhum", "mkom", "mtp", "map", "mba",
        "mikom", "msos", "mak", "amd", "amdkep", "amdkeb", "amdkom", "amdak", "phd", "lc",
    }
)
# fmt: on
# Short titles that could also be a name or an initial ("Ma", "St", "H"): only dropped
# when written as titles, i.e. with a dot, or after the comma that starts the degrees.
_TITLES_DOTTED: Final = frozenset({"h", "se", "sh", "st", "ns", "mm", "mt", "mh", "ma", "me"})
# Forms of address that precede a name in reports ("Pak Budi", "Ibu Siti").
_HONORIFICS: Final = frozenset(
    {"bapak", "bpk", "pak", "ibu", "bu", "sdr", "sdri", "saudara", "saudari", "tn", "ny"}
)
# "br"/"boru" marks a woman's clan name in Batak names and is as often left out as written.
_PARTICLES: Final = frozenset({"br", "boru"})
# The most common Indonesian given name has many spellings and abbreviations.
# fmt: off
_NAME_VARIANTS: Final = MappingProxyType(
    dict.fromkeys(
        (
            "muhamad", "mohammad", "mohamad", "mochammad", "mochamad", "muchammad",
            "muhammmad", "moh", "moch", "muh", "mhd", "mohd",
        ),
        "muhammad",
    )
)
# fmt: on
# "Drs.Budi" and "H.Ahmad" are typed without a space after the title.
_GLUED_TITLE = re.compile(r"\b(drs|dra|dr|ir|hj|h|prof)\.(?=[^\s.,])")
_NON_ALNUM = re.compile(r"[^a-z0-9]")


def fold_text(text: str) -> str:
    """Case-fold text and drop diacritics, so "José" and "JOSE" compare equal."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalise_name(name: str) -> str:
    """Normalise a person's name for matching: no case, titles, honorifics or punctuation.

    ``"Drs. H. Muh. Ridwan Hasibuan, S.Sos., M.Si"`` and ``"bapak muhammad ridwan hasibuan"``
    both give ``"muhammad ridwan hasibuan"``; ``"Rehulina br Sembiring"`` gives
    ``"rehulina sembiring"``. Idempotent; an empty result means the text held
    no name at all (only titles, say) and must not be matched against anything.
    """
    # Everything after the first comma is the list of degrees in Indonesian usage.
    text = _GLUED_TITLE.sub(r"\1. ", fold_text(name).partition(",")[0])
    words: list[str] = []
    for token in text.split():
        key = _NON_ALNUM.sub("", token)
        if not key or key in _TITLES_ALWAYS or (key in _TITLES_DOTTED and "." in token):
            continue
        if not words and key in _HONORIFICS:
            continue
        if words and key in _PARTICLES:
            continue
        words.append(_NAME_VARIANTS.get(key, key))
    return " ".join(words)


def normalise_nip(nip: str | None) -> str | None:
    """The 18 digits of a NIP (or NI PPPK) without spaces, or None when it is not one."""
    if nip is None:
        return None
    try:
        return compact_nip(nip)
    except FormatError:
        return None


def normalise_person_key(value: str) -> str:
    """Normalise a value that is either a NIP or a person's name, as conflict lists mix both."""
    return normalise_nip(value) or normalise_name(value)


def _person_keys(values: frozenset[str]) -> frozenset[str]:
    return frozenset(key for key in map(normalise_person_key, values) if key)


# ----------------------------------------------------------------------- routing table


@dataclass(frozen=True)
class RoutingTable:
    """Which unit of a regency handles which category; ``default_unit`` takes the rest."""

    tenant: str
    units: frozenset[str]
    by_category: Mapping[str, str]
    default_unit: str

    def __post_init__(self) -> None:
        # A read-only copy, so that a table shared between threads cannot change under them.
        object.__setattr__(self, "by_category", MappingProxyType(dict(self.by_category)))

    def unit_for(self, category: str | None) -> str:
        if category is None:
            return self.default_unit
        return self.by_category.get(category, self.default_unit)


def validate_routing_table(table: RoutingTable) -> list[str]:
    """Every problem of a routing table as a short sentence; an empty list means it is usable."""
    errors: list[str] = []
    if not table.units:
        errors.append("daftar unit kosong")
    if not table.default_unit:
        errors.append("unit bawaan belum diisi")
    elif table.default_unit not in table.units:
        errors.append(f"unit bawaan {table.default_unit} tidak ada dalam daftar unit")
    for category, unit in sorted(table.by_category.items()):
        if category not in CATEGORIES:
            errors.append(f"kode kategori tidak dikenal: {category}")
        if unit not in table.units:
            errors.append(f"kategori {category} diarahkan ke unit {unit} yang tidak ada")
    return errors


# ------------------------------------------------------------------------------ roster


@dataclass(frozen=True)
class Officer:
    """A member of a unit; ``conflicts`` holds NIPs or names of people they must not judge."""

    officer_id: str
    name: str
    tenant: str
    unit: str
    role: Role
    available: bool
    conflicts: frozenset[str] = field(default_factory=frozenset)
    open_cases: int = 0


@dataclass(frozen=True)
class Recusal:
    officer_id: str
    reason: str


@dataclass(frozen=True)
class RoutingDecision:
    unit: str
    officer_id: str | None
    to_province: bool
    recusals: tuple[Recusal, ...]
    reasons: tuple[str, ...]


def _conflict_reason(
    officer: Officer, accused: frozenset[str], candidates: frozenset[str]
) -> str | None:
    conflicts = _person_keys(officer.conflicts)
    with_accused = not conflicts.isdisjoint(accused)
    with_candidate = not conflicts.isdisjoint(candidates)
    if with_accused and with_candidate:
        return "konflik kepentingan dengan terlapor dan pasangan calon"
    if with_accused:
        return "konflik kepentingan dengan terlapor"
    if with_candidate:
        return "konflik kepentingan dengan pasangan calon"
    return None


def route(
    category: str | None,
    accused_keys: frozenset[str],
    candidate_names: frozenset[str],
    table: RoutingTable,
    roster: Sequence[Officer],
) -> RoutingDecision:
    """Propose a unit and an officer for a case, with every recusal and the reasons.

    ``accused_keys`` holds NIPs and/or names of the accused, ``candidate_names`` the names of
    the candidates the case concerns; both may be raw, they are normalised here. Among the
    available members of the unit in the table's regency who have no conflict, officers go
    before supervisors, then the lowest open load, then the smallest ``officer_id`` so that
    the same input always gives the same proposal. With nobody left the case goes to the
    province.
    """
    unit = table.unit_for(category)
    if category is not None and category in table.by_category:
        reasons = [f"kategori {category} ditangani unit {unit}"]
    else:
        reasons = [f"kategori {category or '-'} tanpa aturan khusus: unit bawaan {unit}"]

    accused = _person_keys(accused_keys)
    candidates = _person_keys(candidate_names)
    members = sorted(
        (o for o in roster if o.tenant == table.tenant and o.unit == unit),
        key=lambda o: o.officer_id,
    )
    recusals: list[Recusal] = []
    eligible: list[Officer] = []
    for officer in members:
        conflict = _conflict_reason(officer, accused, candidates)
        if conflict is not None:
            recusals.append(Recusal(officer.officer_id, conflict))
        elif officer.available:
            eligible.append(officer)

    if recusals:
        reasons.append(f"{len(recusals)} petugas mundur karena konflik kepentingan")
    if not eligible:
        if not members:
            reasons.append(f"unit {unit} tidak punya petugas di {table.tenant}")
        else:
            reasons.append(f"tidak ada petugas {unit} yang tersedia tanpa konflik")
        reasons.append("diteruskan ke provinsi")
        return RoutingDecision(unit, None, True, tuple(recusals), tuple(reasons))

    chosen = min(eligible, key=lambda o: (o.role != "officer", o.open_cases, o.officer_id))
    # Officers read these reasons on the case page: people by name, as they know each other.
    if chosen.role == "officer":
        reasons.append(
            f"petugas {chosen.name} dipilih: beban terendah ({chosen.open_cases} kasus "
            f"terbuka) dari {len(eligible)} yang tersedia"
        )
    else:
        reasons.append(
            f"tidak ada petugas pelaksana yang tersedia: atasan {chosen.name} dipilih "
            f"({chosen.open_cases} kasus terbuka)"
        )
    return RoutingDecision(unit, chosen.officer_id, False, tuple(recusals), tuple(reasons))


# --------------------------------------------------------------------- routing again


@dataclass(frozen=True)
class CurrentAssignment:
    """Where an assigned case is now: its unit, its assignment's sequence number and the
    officers it was assigned to before (it never goes back to them)."""

    unit: str
    sequence: int
    tried: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reroute:
    """How an updated case is routed again: the new route, the new assignment's sequence
    number, the officers it must not go back to and the reason the officer is given."""

    routing: RoutingDecision
    sequence: int
    tried: tuple[str, ...]
    reason: str


def reroute(
    routing: RoutingDecision | None,
    *,
    category: str,
    previous_category: str | None,
    current: CurrentAssignment | None,
    is_open: bool,
    overridden: bool,
) -> Reroute | None:
    """Whether a case triaged again after an update is routed again, and how; None keeps the
    assignment it has.

    An officer's override stays in force, and a closed case stays where it was closed. A case
    without an assignment (it was a duplicate and no longer is) is routed. An assigned case
    moves only when its category changed and the new category belongs to another unit: a
    corrected text alone does not take a case from the officer working on it.
    """
    if overridden or not is_open or routing is None:
        return None
    if current is not None and (category == previous_category or routing.unit == current.unit):
        return None
    return Reroute(
        routing,
        sequence=current.sequence + 1 if current else 1,
        tried=current.tried if current else (),
        reason="klasifikasi berubah: " + "; ".join(routing.reasons),
    )
