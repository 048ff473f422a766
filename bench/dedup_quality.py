"""Quality and speed of the duplicate matcher.

Run from the repository root: ``python -m bench.dedup_quality``. Prints precision and recall
on the labelled pairs in ``tests/data/dedup_pairs.jsonl`` (for ``duplicate`` alone and for
``duplicate`` or ``related`` together), how many linked pairs the index keys would find, and
the mean time of one :func:`find_matches` call against 1,000 existing cases. It reports and
never fails: the thresholds that must hold live in the unit tests.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from services.triage.domain.dedup import (
    DedupConfig,
    DedupFacts,
    blocking_keys,
    facts_from,
    find_matches,
)
from services.triage.domain.text_signature import text_tokens

PAIRS_PATH = Path(__file__).resolve().parents[1] / "tests" / "data" / "dedup_pairs.jsonl"
LABELS = ("duplicate", "related", "unrelated")
EXISTING_CASES = 1_000
TIMED_CANDIDATES = 200
SEED = 20241127


@dataclass(frozen=True)
class LabelledPair:
    pair_id: str
    label: str
    note: str
    earlier: DedupFacts
    later: DedupFacts


@dataclass(frozen=True)
class Outcome:
    pair: LabelledPair
    predicted: str
    keys_shared: bool


def case_facts(case: dict[str, Any]) -> DedupFacts:
    """Facts of one case as written in the pair file."""
    return facts_from(
        case_id=case["case_id"],
        tenant=case["tenant"],
        received_at=datetime.fromisoformat(case["received_at"]),
        title=case["title"],
        description=case["description"],
        evidence_urls=case["evidence_urls"],
        accused=[(p["name"], p["nip"], p["agency"]) for p in case["accused"]],
        category=case["category"],
    )


def load_rows(path: Path = PAIRS_PATH) -> list[dict[str, Any]]:
    """The raw rows of the pair file, checked for a known label."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row["label"] not in LABELS:
            raise ValueError(f"{path.name} line {number}: unknown label {row['label']!r}")
        rows.append(row)
    return rows


def load_pairs(path: Path = PAIRS_PATH) -> list[LabelledPair]:
    """Read the labelled pairs; the later-received case of each pair is the candidate."""
    pairs = []
    for row in load_rows(path):
        first, second = sorted(
            (case_facts(row["a"]), case_facts(row["b"])), key=lambda f: f.received_at
        )
        pairs.append(LabelledPair(row["id"], row["label"], row["note"], first, second))
    return pairs


def evaluate(pairs: Iterable[LabelledPair], config: DedupConfig) -> list[Outcome]:
    outcomes = []
    for pair in pairs:
        matches = find_matches(pair.later, [pair.earlier], config)
        predicted = matches[0].kind if matches else "unrelated"
        shared = not blocking_keys(pair.earlier).isdisjoint(blocking_keys(pair.later))
        outcomes.append(Outcome(pair, predicted, shared))
    return outcomes


def precision_recall(
    outcomes: Sequence[Outcome], positive: frozenset[str]
) -> tuple[float | None, float | None]:
    """Precision and recall when labels in ``positive`` count as a hit; None when undefined."""
    predicted = [o for o in outcomes if o.predicted in positive]
    actual = [o for o in outcomes if o.pair.label in positive]
    hits = sum(1 for o in predicted if o.pair.label in positive)
    precision = hits / len(predicted) if predicted else None
    recall = hits / len(actual) if actual else None
    return precision, recall


# ------------------------------------------------------------------------- timing

_TENANTS = ("12.06", "17.71", "19.02", "64.02", "64.08")
_CATEGORIES = ("MEDSOS", "FOTO_POSE", "KAMPANYE", "ATRIBUT", "FASILITAS", "HOAKS", None)
_LINK_SHAPES = (
    "https://x.com/akun{n}/status/18{n:017d}",
    "https://www.facebook.com/permalink.php?story_fbid=pfbid0{n}&id=1000{n}",
    "https://www.tiktok.com/@akun{n}/video/74{n:017d}",
    "https://www.instagram.com/p/C{n}x/",
    "https://youtu.be/v{n:09d}",
)


def synthetic_case(number: int, vocabulary: Sequence[str], rng: random.Random) -> dict[str, Any]:
    """Arguments of facts_from for a case shaped like a real one: 100-2000 characters of
    text, up to two evidence links and two accused, received within 60 days."""
    start = datetime.fromisoformat("2024-10-01T00:00:00+07:00")
    words: list[str] = []
    target = rng.randint(100, 2000)
    while sum(len(w) + 1 for w in words) < target:
        words.append(rng.choice(vocabulary))
    links = [rng.choice(_LINK_SHAPES).format(n=rng.randrange(10**6)) for _ in range(2)]
    accused = [
        (
            f"{rng.choice(vocabulary).title()} {rng.choice(vocabulary).title()}",
            f"19{rng.randrange(10**16):016d}" if rng.random() < 0.5 else None,
            rng.choice(("Dinas Pendidikan", "Kecamatan Tenggarong", "Puskesmas Lingga")),
        )
        for _ in range(rng.randint(0, 2))
    ]
    return {
        "case_id": f"SYN-{number:05d}",
        "tenant": rng.choice(_TENANTS),
        "received_at": start + timedelta(minutes=rng.randrange(60 * 24 * 60)),
        "title": " ".join(words[:8]),
        "description": " ".join(words[8:]),
        "evidence_urls": links[: rng.randint(0, 2)],
        "accused": accused,
        "category": rng.choice(_CATEGORIES),
    }


@dataclass(frozen=True)
class Timing:
    build_seconds: list[float]  # per facts_from call
    match_seconds: list[float]  # per find_matches call against EXISTING_CASES cases
    shortlist_sizes: list[int]  # existing cases sharing an index key with the candidate


def time_matcher(rows: Sequence[dict[str, Any]], config: DedupConfig) -> Timing:
    """Time facts_from and find_matches on synthetic cases built from the pair file's words."""
    rng = random.Random(SEED)
    # The pair file's own words keep the synthetic texts Indonesian in shape.
    vocabulary = sorted(
        {
            word
            for row in rows
            for case in (row["a"], row["b"])
            for word in text_tokens(f"{case['title']} {case['description']}")
        }
    )
    existing = [facts_from(**synthetic_case(i, vocabulary, rng)) for i in range(EXISTING_CASES)]
    build_times, candidates = [], []
    for i in range(TIMED_CANDIDATES):
        fields = synthetic_case(EXISTING_CASES + i, vocabulary, rng)
        started = time.perf_counter()
        candidates.append(facts_from(**fields))
        build_times.append(time.perf_counter() - started)

    match_times = []
    for candidate in candidates:
        started = time.perf_counter()
        find_matches(candidate, existing, config)
        match_times.append(time.perf_counter() - started)

    existing_keys = [blocking_keys(f) for f in existing]
    shortlists = [
        sum(1 for keys in existing_keys if not keys.isdisjoint(blocking_keys(candidate)))
        for candidate in candidates
    ]
    return Timing(build_times, match_times, shortlists)


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def main() -> None:
    config = DedupConfig()
    pairs = load_pairs()
    outcomes = evaluate(pairs, config)
    counts = {label: sum(1 for p in pairs if p.label == label) for label in LABELS}
    print(f"labelled pairs: {len(pairs)} ({', '.join(f'{k} {v}' for k, v in counts.items())})")

    for name, positive in (
        ("duplicate", frozenset({"duplicate"})),
        ("duplicate-or-related", frozenset({"duplicate", "related"})),
    ):
        precision, recall = precision_recall(outcomes, positive)
        print(f"{name:22} precision {_fmt(precision)}  recall {_fmt(recall)}")

    linked = [o for o in outcomes if o.pair.label != "unrelated"]
    found = sum(1 for o in linked if o.keys_shared)
    print(f"index keys shared by linked pairs: {found}/{len(linked)}")
    for o in outcomes:
        if o.predicted != o.pair.label:
            print(
                f"  mismatch {o.pair.pair_id}: labelled {o.pair.label}, got {o.predicted}"
                f" ({o.pair.note})"
            )

    timing = time_matcher(load_rows(), config)
    match_ms = [t * 1000 for t in timing.match_seconds]
    print(
        f"find_matches, 1 candidate vs {EXISTING_CASES} cases: "
        f"mean {statistics.mean(match_ms):.2f} ms, "
        f"p95 {statistics.quantiles(match_ms, n=20)[-1]:.2f} ms ({len(match_ms)} runs)"
    )
    print(f"facts_from per case: mean {statistics.mean(timing.build_seconds) * 1000:.2f} ms")
    print(
        "existing cases sharing an index key with a candidate: "
        f"mean {statistics.mean(timing.shortlist_sizes):.1f} of {EXISTING_CASES}"
    )


if __name__ == "__main__":
    main()
