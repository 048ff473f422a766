"""The triage rules: taxonomy, lexicon and priority weights, validated and compiled.

Rules arrive as a plain mapping (loaded from YAML elsewhere). :func:`parse_rules` checks
every part and says exactly which key is wrong, because the people who edit the lexicon
are task-force staff, not programmers, and a silently ignored typo would change how
cases are routed. The phrase matchers are compiled once here, not on every case.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, get_args

from services.triage.domain.proposal_rules import ProposalRules, parse_proposal
from services.triage.domain.rules_values import RulesError as RulesError  # re-exported
from services.triage.domain.rules_values import integer as _integer
from services.triage.domain.rules_values import keys as _keys
from services.triage.domain.rules_values import mapping as _mapping
from services.triage.domain.rules_values import number as _number
from services.triage.domain.rules_values import text as _text
from services.triage.domain.rules_values import text_list as _text_list
from services.triage.domain.rules_values import type_name as _type_name
from services.triage.domain.text import Normalizer, PhraseMatcher
from shared.categories import Category as CategoryCode

if TYPE_CHECKING:  # the model's libraries load with the model, not with every rule reader
    from services.triage.domain.learned import LearnedModel

# The codes every service speaks of, in the joint decree's order (shared.categories).
CATEGORY_CODES: tuple[str, ...] = get_args(CategoryCode)
FALLBACK_CATEGORY = "LAINNYA"
SANCTION_LEVELS: tuple[str, ...] = (
    "ringan",
    "sedang",
    "berat",
    "ptdh",
    "konten",
    "belum_ditentukan",
)
EMPLOYMENT_TYPES: tuple[str, ...] = ("PNS", "PPPK", "NON_ASN")
Priority = Literal["urgent", "high", "normal", "low"]
PRIORITIES: tuple[Priority, ...] = ("urgent", "high", "normal", "low")

_MAX_PROXIMITY_PARTS = 3


@dataclass(frozen=True)
class Phrase:
    text: str  # as written in the rules, shown to officers
    weight: float


@dataclass(frozen=True)
class Category:
    code: str
    label_id: str
    label_en: str
    sanction: str
    phrases: tuple[Phrase, ...]
    near_miss: tuple[Phrase, ...]  # weights are subtracted from this category


@dataclass(frozen=True)
class Settings:
    max_scan_chars: int  # text beyond this is not read, so huge reports cost the same
    max_evidence_urls: int
    min_score: float  # below this no category is proposed (LAINNYA)
    secondary_ratio: float  # share of the top score a runner-up needs to be listed
    review_below: float  # confidence under this asks for an officer's review
    confidence_scale: float  # score at which confidence reaches about 63 %
    title_factor: float  # titles are summaries, so their words count more
    proximity_window: int  # words allowed between the parts of an "a ... b" phrase
    min_marker_ratio: float  # share of common Indonesian words a long text must have


@dataclass(frozen=True)
class Target:
    """What one matched lexicon phrase says about one category."""

    category: str
    phrase: str
    weight: float  # negative for near-miss phrases


@dataclass(frozen=True)
class SignalGroup:
    reason: str
    points: int
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class Tier:
    days: float
    points: int
    reason: str  # may contain {days}


@dataclass(frozen=True)
class PriorityRules:
    sanction_points: Mapping[str, int]
    employment_points: Mapping[str, int]
    positions: tuple[SignalGroup, ...]  # the highest matching group counts
    signals: tuple[SignalGroup, ...]  # every matching group counts once
    prior_case_points: int
    prior_case_cap: int
    deadline: tuple[Tier, ...]  # ascending: the first with days_to_deadline <= days wins
    known_age: tuple[Tier, ...]  # descending: the first with days_since_known >= days wins
    thresholds: tuple[tuple[Priority, int], ...]  # (priority, minimum score), highest first


@dataclass(frozen=True, eq=False)
class Rules:
    """A validated, compiled rule set. Build it with :func:`parse_rules`."""

    version: str
    categories: tuple[Category, ...]
    settings: Settings
    priority: PriorityRules
    abbreviations: Mapping[str, str]
    url_hosts: Mapping[str, Mapping[str, float]]
    normalizer: Normalizer = field(repr=False)
    lexicon: PhraseMatcher = field(repr=False)
    targets: tuple[tuple[Target, ...], ...] = field(repr=False)  # by lexicon key
    positions: PhraseMatcher = field(repr=False)
    position_group: tuple[int, ...] = field(repr=False)  # matcher key -> positions group
    signals: PhraseMatcher = field(repr=False)
    signal_group: tuple[int, ...] = field(repr=False)  # matcher key -> signals group
    _by_code: Mapping[str, Category] = field(repr=False)
    # How the proposal reads the rules beside the model (``proposal_rules.py``).
    proposal: ProposalRules = field(repr=False)
    election: PhraseMatcher = field(repr=False)  # the proposal's election terms
    # The learned opinion read beside the rules (``domain/proposal.py``); None: rules alone.
    learned: LearnedModel | None = field(default=None, repr=False)

    def category(self, code: str) -> Category:
        """The category with this code; unknown codes get the fallback category."""
        return self._by_code.get(code) or self._by_code[FALLBACK_CATEGORY]


# --- reading plain data -------------------------------------------------------------


def _phrases(value: object, path: str) -> tuple[Phrase, ...]:
    data = _mapping(value, path)
    return tuple(
        Phrase(_text(text, f"{path}.{text}"), _number(weight, f"{path}.{text}", positive=True))
        for text, weight in data.items()
    )


# --- sections -----------------------------------------------------------------------

_SETTINGS_DEFAULTS: dict[str, float] = {
    "max_scan_chars": 20_000,
    "max_evidence_urls": 20,
    "min_score": 1.5,
    "secondary_ratio": 0.5,
    "review_below": 0.5,
    "confidence_scale": 4.0,
    "title_factor": 1.25,
    "proximity_window": 5,
    "min_marker_ratio": 0.05,
}
_INTEGER_SETTINGS = ("max_scan_chars", "max_evidence_urls", "proximity_window")


def _settings(value: object) -> Settings:
    data = _mapping(value if value is not None else {}, "settings")
    _keys(data, "settings", (), tuple(_SETTINGS_DEFAULTS))
    merged: dict[str, float] = dict(_SETTINGS_DEFAULTS)
    for key, raw in data.items():
        path = f"settings.{key}"
        merged[key] = _integer(raw, path) if key in _INTEGER_SETTINGS else _number(raw, path)
    for key in ("max_scan_chars", "confidence_scale", "title_factor"):
        if merged[key] <= 0:
            raise RulesError(f"settings.{key}", "must be greater than zero")
    for key in ("secondary_ratio", "review_below", "min_marker_ratio"):
        if merged[key] > 1:
            raise RulesError(f"settings.{key}", "must be between 0 and 1")
    return Settings(
        max_scan_chars=int(merged["max_scan_chars"]),
        max_evidence_urls=int(merged["max_evidence_urls"]),
        min_score=merged["min_score"],
        secondary_ratio=merged["secondary_ratio"],
        review_below=merged["review_below"],
        confidence_scale=merged["confidence_scale"],
        title_factor=merged["title_factor"],
        proximity_window=int(merged["proximity_window"]),
        min_marker_ratio=merged["min_marker_ratio"],
    )


def _categories(value: object) -> tuple[Category, ...]:
    data = _mapping(value, "categories")
    for code in data:
        if code not in CATEGORY_CODES:
            raise RulesError(
                f"categories.{code}", f"unknown category code (known: {', '.join(CATEGORY_CODES)})"
            )
    missing = [code for code in CATEGORY_CODES if code not in data]
    if missing:
        raise RulesError("categories", f"missing {', '.join(missing)}")
    out = []
    for code in CATEGORY_CODES:
        path = f"categories.{code}"
        entry = _mapping(data[code], path)
        _keys(entry, path, ("label_id", "label_en", "sanction"), ("phrases", "near_miss"))
        sanction = _text(entry["sanction"], f"{path}.sanction")
        if sanction not in SANCTION_LEVELS:
            raise RulesError(
                f"{path}.sanction",
                f"unknown sanction {sanction!r} (known: {', '.join(SANCTION_LEVELS)})",
            )
        out.append(
            Category(
                code=code,
                label_id=_text(entry["label_id"], f"{path}.label_id"),
                label_en=_text(entry["label_en"], f"{path}.label_en"),
                sanction=sanction,
                phrases=_phrases(entry.get("phrases", {}), f"{path}.phrases"),
                near_miss=_phrases(entry.get("near_miss", {}), f"{path}.near_miss"),
            )
        )
    return tuple(out)


def _abbreviations(value: object) -> Mapping[str, str]:
    data = _mapping(value if value is not None else {}, "abbreviations")
    out: dict[str, str] = {}
    for key, expansion in data.items():
        path = f"abbreviations.{key}"
        if not key or any(not ch.isalnum() for ch in key):
            raise RulesError(path, "an abbreviation must be one word of letters or digits")
        out[key] = _text(expansion, path)
    return MappingProxyType(out)


def _url_hosts(value: object) -> Mapping[str, Mapping[str, float]]:
    data = _mapping(value if value is not None else {}, "url_hosts")
    out: dict[str, Mapping[str, float]] = {}
    for host, weights in data.items():
        path = f"url_hosts.{host}"
        if "." not in host or "/" in host or any(ch.isspace() for ch in host):
            raise RulesError(path, "must be a bare host name such as facebook.com")
        entry = _mapping(weights, path)
        signal: dict[str, float] = {}
        for code, weight in entry.items():
            if code not in CATEGORY_CODES:
                raise RulesError(f"{path}.{code}", "unknown category code")
            signal[code] = _number(weight, f"{path}.{code}", positive=True)
        out[host.lower()] = MappingProxyType(signal)
    return MappingProxyType(out)


def _groups(value: object, path: str) -> tuple[SignalGroup, ...]:
    if not isinstance(value, list):
        raise RulesError(path, f"must be a list, not {_type_name(value)}")
    out = []
    for i, item in enumerate(value):
        item_path = f"{path}[{i}]"
        entry = _mapping(item, item_path)
        _keys(entry, item_path, ("reason", "points", "phrases"))
        out.append(
            SignalGroup(
                reason=_text(entry["reason"], f"{item_path}.reason"),
                points=_integer(entry["points"], f"{item_path}.points"),
                phrases=_text_list(entry["phrases"], f"{item_path}.phrases"),
            )
        )
    return tuple(out)


def _tiers(value: object, path: str, descending: bool) -> tuple[Tier, ...]:
    if not isinstance(value, list):
        raise RulesError(path, f"must be a list, not {_type_name(value)}")
    out = []
    for i, item in enumerate(value):
        item_path = f"{path}[{i}]"
        entry = _mapping(item, item_path)
        _keys(entry, item_path, ("days", "points", "reason"))
        raw_days = entry["days"]
        if isinstance(raw_days, bool) or not isinstance(raw_days, int | float):
            raise RulesError(f"{item_path}.days", f"must be a number, not {_type_name(raw_days)}")
        reason = _text(entry["reason"], f"{item_path}.reason")
        try:
            reason.format(days=1)
        except (KeyError, IndexError, ValueError) as exc:
            raise RulesError(
                f"{item_path}.reason", f"only {{days}} may appear in braces ({exc})"
            ) from exc
        out.append(Tier(float(raw_days), _integer(entry["points"], f"{item_path}.points"), reason))
    return tuple(sorted(out, key=lambda t: t.days, reverse=descending))


def _priority(value: object, used_sanctions: set[str]) -> PriorityRules:
    data = _mapping(value, "priority")
    _keys(
        data,
        "priority",
        ("sanction_points", "thresholds"),
        (
            "employment_points",
            "positions",
            "signals",
            "prior_case_points",
            "prior_case_cap",
            "deadline",
            "known_age",
        ),
    )
    sanction_data = _mapping(data["sanction_points"], "priority.sanction_points")
    for level in sanction_data:
        if level not in SANCTION_LEVELS:
            raise RulesError(f"priority.sanction_points.{level}", "unknown sanction level")
    missing = sorted(used_sanctions - set(sanction_data))
    if missing:
        raise RulesError("priority.sanction_points", f"missing {', '.join(missing)}")
    sanction_points = {
        level: _integer(points, f"priority.sanction_points.{level}")
        for level, points in sanction_data.items()
    }
    employment_data = _mapping(data.get("employment_points", {}), "priority.employment_points")
    for kind in employment_data:
        if kind not in EMPLOYMENT_TYPES:
            raise RulesError(
                f"priority.employment_points.{kind}",
                f"unknown employment type (known: {', '.join(EMPLOYMENT_TYPES)})",
            )
    employment_points = {
        kind: _integer(points, f"priority.employment_points.{kind}")
        for kind, points in employment_data.items()
    }
    threshold_data = _mapping(data["thresholds"], "priority.thresholds")
    _keys(threshold_data, "priority.thresholds", PRIORITIES[:-1])
    thresholds = tuple(
        (name, _integer(threshold_data[name], f"priority.thresholds.{name}"))
        for name in PRIORITIES[:-1]
    )
    for (higher, high_min), (lower, low_min) in pairwise(thresholds):
        if high_min <= low_min:
            raise RulesError(
                f"priority.thresholds.{higher}", f"must be greater than {lower} ({low_min})"
            )
    return PriorityRules(
        sanction_points=MappingProxyType(sanction_points),
        employment_points=MappingProxyType(employment_points),
        positions=_groups(data.get("positions", []), "priority.positions"),
        signals=_groups(data.get("signals", []), "priority.signals"),
        prior_case_points=_integer(data.get("prior_case_points", 0), "priority.prior_case_points"),
        prior_case_cap=_integer(data.get("prior_case_cap", 0), "priority.prior_case_cap"),
        deadline=_tiers(data.get("deadline", []), "priority.deadline", descending=False),
        known_age=_tiers(data.get("known_age", []), "priority.known_age", descending=True),
        thresholds=thresholds,
    )


# --- compiling ----------------------------------------------------------------------

Parts = tuple[tuple[str, ...], ...]


def _parts(normalizer: Normalizer, phrase: str, path: str) -> Parts:
    parts = normalizer.phrase_parts(phrase)
    if len(parts) > _MAX_PROXIMITY_PARTS:
        raise RulesError(path, f"at most {_MAX_PROXIMITY_PARTS} parts joined by '...'")
    if any(not part for part in parts):
        raise RulesError(path, "has a part with no words to match (only stopwords or punctuation?)")
    return parts


def _compile_lexicon(
    categories: Sequence[Category], normalizer: Normalizer
) -> tuple[list[Parts], list[list[Target]]]:
    keys: dict[Parts, int] = {}
    phrases: list[Parts] = []
    targets: list[list[Target]] = []
    positive_at: dict[Parts, str] = {}
    seen_in_category: dict[tuple[Parts, str], str] = {}
    for category in categories:
        for kind, entries, sign in (
            ("phrases", category.phrases, 1.0),
            ("near_miss", category.near_miss, -1.0),
        ):
            for phrase in entries:
                path = f"categories.{category.code}.{kind}.{phrase.text}"
                parts = _parts(normalizer, phrase.text, path)
                earlier = seen_in_category.get((parts, category.code))
                if earlier is None and sign > 0:
                    earlier = positive_at.get(parts)
                if earlier is not None:
                    raise RulesError(path, f"duplicates {earlier} (same words once normalised)")
                seen_in_category[(parts, category.code)] = path
                if sign > 0:
                    positive_at[parts] = path
                key = keys.get(parts)
                if key is None:
                    key = keys[parts] = len(phrases)
                    phrases.append(parts)
                    targets.append([])
                targets[key].append(Target(category.code, phrase.text, sign * phrase.weight))
    return phrases, targets


def _compile_groups(
    groups: Sequence[SignalGroup], normalizer: Normalizer, path: str
) -> tuple[list[Parts], list[int]]:
    """Phrases of all groups, and for each the index of its group."""
    seen: dict[Parts, str] = {}
    phrases: list[Parts] = []
    owners: list[int] = []
    for g, group in enumerate(groups):
        for i, phrase in enumerate(group.phrases):
            item_path = f"{path}[{g}].phrases[{i}]"
            parts = _parts(normalizer, phrase, item_path)
            if parts in seen:
                raise RulesError(item_path, f"duplicates {seen[parts]}")
            seen[parts] = item_path
            phrases.append(parts)
            owners.append(g)
    return phrases, owners


def _compile_terms(terms: Sequence[str], normalizer: Normalizer, path: str) -> list[Parts]:
    seen: dict[Parts, str] = {}
    for i, term in enumerate(terms):
        parts = _parts(normalizer, term, f"{path}[{i}]")
        if parts in seen:
            raise RulesError(f"{path}[{i}]", f"duplicates {seen[parts]}")
        seen[parts] = f"{path}[{i}]"
    return list(seen)


def parse_rules(data: Mapping[str, object]) -> Rules:
    """Validate plain rules data and compile it; raises :class:`RulesError` when invalid."""
    root = _mapping(data, "(rules)")
    _keys(
        root,
        "",
        ("version", "categories", "priority"),
        (
            "description",
            "settings",
            "abbreviations",
            "stopwords",
            "indonesian_markers",
            "url_hosts",
            "proposal",
        ),
    )
    version = _text(root["version"], "version")
    if "description" in root:
        _text(root["description"], "description")
    settings = _settings(root.get("settings"))
    categories = _categories(root["categories"])
    abbreviations = _abbreviations(root.get("abbreviations"))
    stopwords = _text_list(root.get("stopwords", []), "stopwords")
    markers = _text_list(root.get("indonesian_markers", []), "indonesian_markers")
    url_hosts = _url_hosts(root.get("url_hosts"))
    priority = _priority(root["priority"], {c.sanction for c in categories})
    proposal = parse_proposal(root.get("proposal"), CATEGORY_CODES, FALLBACK_CATEGORY)

    # Phrase words, unstemmed, become the vocabulary that guides affix stripping; with
    # an empty vocabulary nothing is stripped, so this first pass reads phrases verbatim.
    plain = Normalizer(abbreviations, stopwords, markers, vocabulary=())
    phrases, targets = _compile_lexicon(categories, plain)
    position_phrases, position_group = _compile_groups(
        priority.positions, plain, "priority.positions"
    )
    signal_phrases, signal_group = _compile_groups(priority.signals, plain, "priority.signals")
    vocabulary = {
        word
        for parts in (*phrases, *position_phrases, *signal_phrases)
        for part in parts
        for word in part
    }
    normalizer = Normalizer(abbreviations, stopwords, markers, vocabulary)
    # Read as report text is, and kept out of the vocabulary: they only say whether a report
    # is about the election, and must not change how the lexicon's words are stemmed.
    election_phrases = _compile_terms(
        proposal.election_terms, normalizer, "proposal.no_breach.election_terms"
    )
    window = settings.proximity_window
    return Rules(
        version=version,
        categories=categories,
        settings=settings,
        priority=priority,
        abbreviations=abbreviations,
        url_hosts=url_hosts,
        normalizer=normalizer,
        lexicon=PhraseMatcher(phrases, window),
        targets=tuple(tuple(t) for t in targets),
        positions=PhraseMatcher(position_phrases, window),
        position_group=tuple(position_group),
        signals=PhraseMatcher(signal_phrases, window),
        signal_group=tuple(signal_group),
        _by_code=MappingProxyType({c.code: c for c in categories}),
        proposal=proposal,
        election=PhraseMatcher(election_phrases, window),
    )
