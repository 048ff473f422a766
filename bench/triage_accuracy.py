"""Accuracy and speed of triage's proposal, and of the alternatives it was chosen over.

Run from the repository root: ``python -m bench.triage_accuracy``. It reports and never
fails. Three kinds of figures:

- The sets the rules and the model are built from (``services/triage/rules/examples``):
  the rules alone on each, and the learned proposal in 5-fold cross-validation over all of
  them (a figure on the examples it was trained on would say nothing). The rules are the
  shipped ones and a candidate with a richer lexicon (``bench/candidates``), grown from the
  rules' misses on these examples, side by side.
- The fresh held-out set (``tests/data/triage_fresh.jsonl``), written by other hands from
  the category table alone and never used for tuning: every candidate side by side, with
  top-1 accuracy, the lowest per-category recall, LAINNYA's precision and recall and the
  time per case; its individual misses are never printed.
- Secondary categories against each case's ``expected_secondary``: precision (of those
  proposed, how many were expected) and recall, in cross-validation and on the fresh set.
- What each part of the rules' ``proposal`` section adds, in cross-validation: the
  principal-act table and telling a breach from election talk (``--no-fresh`` prints only
  the cross-validated figures, for tuning, which never looks at the fresh set).
- Speed of one proposal, as the triage worker makes it, and what the model costs in memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from services.triage.domain.classifier import FLAG_NO_BREACH, CaseFacts, Classification, classify
from services.triage.domain.learned import Example, text_of, train, vectorisers
from services.triage.domain.proposal import propose
from services.triage.domain.proposal_rules import Evidence
from services.triage.domain.rules import CATEGORY_CODES, FALLBACK_CATEGORY, Rules
from services.triage.rules_files import load_default_rules, load_rules_text

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = ROOT / "services" / "triage" / "rules" / "examples"
EXAMPLE_SETS = (
    ("labelled (written with the rules)", "labelled.jsonl"),
    ("held-out (written with the rules)", "heldout.jsonl"),
    ("training (independent writers)", "training.jsonl"),
)
FRESH = ROOT / "tests" / "data" / "triage_fresh.jsonl"
# The shipped rules with a richer lexicon: a candidate, measured here and not shipped.
RICHER_RULES = ROOT / "bench" / "candidates" / "taxonomy_richer.yaml"


def load_richer_rules() -> Rules:
    """The richer-lexicon candidate, beside the same learned model as the shipped rules."""
    return load_rules_text(RICHER_RULES.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Case:
    id: str
    expected: str
    facts: CaseFacts
    secondary: tuple[str, ...] = ()  # the other acts the report describes


def load_cases(path: Path) -> list[Case]:
    """Cases of one JSON-lines file, as triage sees them."""
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        cases.append(
            Case(
                id=row["id"],
                expected=row["expected_category"],
                facts=CaseFacts(
                    title=row["title"],
                    description=row["description"],
                    evidence_urls=tuple(row.get("evidence_urls", ())),
                    employment_types=(row["employment_type"],),
                    positions=(row["position"],) if row.get("position") else (),
                ),
                secondary=tuple(row.get("expected_secondary") or ()),
            )
        )
    return cases


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:6.1%}" if whole else "     -"


@dataclass(frozen=True)
class Scores:
    accuracy: float
    recall: dict[str, float]
    precision: dict[str, float]

    @property
    def lowest(self) -> tuple[str, float]:
        code = min(self.recall, key=lambda c: self.recall[c])
        return code, self.recall[code]


def score(expected: Sequence[str], predicted: Sequence[str]) -> Scores:
    pairs = list(zip(expected, predicted, strict=True))
    recall, precision = {}, {}
    for code in CATEGORY_CODES:
        support = sum(1 for e, _ in pairs if e == code)
        chosen = sum(1 for _, p in pairs if p == code)
        hits = sum(1 for e, p in pairs if e == p == code)
        if support:
            recall[code] = hits / support
        precision[code] = hits / chosen if chosen else 0.0
    right = sum(1 for e, p in pairs if e == p)
    return Scores(right / len(pairs), recall, precision)


def print_table(name: str, expected: Sequence[str], predicted: Sequence[str]) -> None:
    pairs = list(zip(expected, predicted, strict=True))
    right = sum(1 for e, p in pairs if e == p)
    print(f"\n== {name}: {len(pairs)} cases, top-1 accuracy {_ratio(right, len(pairs))}")
    print(f"{'category':<14}{'precision':>10}{'recall':>9}{'support':>9}")
    for code in CATEGORY_CODES:
        support = sum(1 for e, _ in pairs if e == code)
        chosen = sum(1 for _, p in pairs if p == code)
        hits = sum(1 for e, p in pairs if e == p == code)
        print(f"{code:<14}{_ratio(hits, chosen):>10}{_ratio(hits, support):>9}{support:>9}")


def print_confusions(expected: Sequence[str], predicted: Sequence[str]) -> None:
    confusions = Counter((e, p) for e, p in zip(expected, predicted, strict=True) if e != p)
    if confusions:
        print("confusions (expected -> proposed: count):")
        for (e, p), count in sorted(confusions.items(), key=lambda kv: (-kv[1], kv[0]))[:15]:
            print(f"  {e} -> {p}: {count}")


def _examples(cases: Sequence[Case]) -> list[Example]:
    return [
        Example(c.id, c.facts.title, text_of(c.facts.title, c.facts.description), c.expected)
        for c in cases
    ]


def cross_validated(cases: Sequence[Case], variants: Sequence[Rules]) -> list[list[Classification]]:
    """For each rule set, the proposal for each case by a model trained on the other four
    fifths (the same folds and models for every rule set)."""
    proposals: list[list[Classification | None]] = [[None] * len(cases) for _ in variants]
    labels = [c.expected for c in cases]
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=1)
    for train_rows, test_rows in folds.split(labels, labels):
        model = train(_examples([cases[i] for i in train_rows]))
        for out, rules in zip(proposals, variants, strict=True):
            fold_rules = replace(rules, learned=model)
            for i in test_rows:
                out[i] = propose(cases[i].facts, fold_rules)
    return [[p for p in out if p is not None] for out in proposals]


@dataclass(frozen=True)
class SecondaryScores:
    right: int  # proposed and expected
    proposed: int
    expected: int

    def __str__(self) -> str:
        return (
            f"precision {_ratio(self.right, self.proposed).strip()} ({self.right}/{self.proposed}),"
            f" recall {_ratio(self.right, self.expected).strip()} ({self.right}/{self.expected})"
        )


def secondary_scores(cases: Sequence[Case], proposals: Sequence[Classification]) -> SecondaryScores:
    right = proposed = expected = 0
    for case, proposal in zip(cases, proposals, strict=True):
        wanted, given = set(case.secondary), set(proposal.secondary)
        right += len(wanted & given)
        proposed += len(given)
        expected += len(wanted)
    return SecondaryScores(right, proposed, expected)


def print_no_breach_flag(cases: Sequence[Case], proposals: Sequence[Classification]) -> None:
    pairs = zip(cases, proposals, strict=True)
    flagged = [c.expected for c, p in pairs if FLAG_NO_BREACH in p.flags]
    lainnya = sum(1 for c in cases if c.expected == FALLBACK_CATEGORY)
    right = sum(1 for e in flagged if e == FALLBACK_CATEGORY)
    print(
        f"election talk with no breach ({FLAG_NO_BREACH}): {len(flagged)} flagged, {right} of them"
        f" expected LAINNYA ({lainnya} LAINNYA cases in all)"
    )


def _variants(rules: Rules, richer: Rules) -> list[tuple[str, Rules]]:
    """The shipped rules, each without one part of its ``proposal`` section, and the
    richer-lexicon candidate."""
    table = rules.proposal
    never = Evidence(rules_score=float("inf"), model_gap=0.0)
    return [
        ("shipped", rules),
        ("richer lexicon (candidate)", richer),
        ("without the principal-act table", replace(rules, proposal=replace(table, precedence=()))),
        (
            "without breach over LAINNYA",
            replace(rules, proposal=replace(table, breach_evidence=never)),
        ),
    ]


def report_cross_validation(cases: Sequence[Case], rules: Rules, richer: Rules) -> None:
    variants = _variants(rules, richer)
    results = cross_validated(cases, [r for _, r in variants])
    expected = [c.expected for c in cases]
    shipped = results[0]
    print_table(
        "every example, proposal in 5-fold cross-validation",
        expected,
        [p.category for p in shipped],
    )
    print(f"secondary categories: {secondary_scores(cases, shipped)}")
    print_no_breach_flag(cases, shipped)
    header = f"{'proposal (cross-validated)':<34}{'top-1':>7}{'lowest recall':>22}"
    print(f"\n{header}{'LAINNYA P/R':>14}")
    for (name, _), proposals in zip(variants, results, strict=True):
        s = score(expected, [p.category for p in proposals])
        low_code, low = s.lowest
        lainnya = f"{s.precision[FALLBACK_CATEGORY]:.1%}/{s.recall[FALLBACK_CATEGORY]:.1%}"
        print(f"{name:<34}{s.accuracy:>7.1%}{low_code:>14} {low:>7.1%}{lainnya:>14}")


class _LogisticModel:
    """The runner-up candidate: the same features under logistic regression."""

    def __init__(self, examples: Sequence[Example]) -> None:
        self._words, self._chars = vectorisers()
        texts = [e.text for e in examples]
        self._words.fit(texts)
        self._chars.fit(texts)
        self._regression = LogisticRegression(C=20, max_iter=3000)
        self._regression.fit(self._vectors(texts), [e.category for e in examples])

    def _vectors(self, texts: Sequence[str]) -> object:
        from scipy import sparse

        return sparse.hstack([self._words.transform(texts), self._chars.transform(texts)]).tocsr()

    def category(self, facts: CaseFacts) -> str:
        text = text_of(facts.title, facts.description)
        return str(self._regression.predict(self._vectors([text]))[0])


def _timed(cases: Sequence[Case], decide: Callable[[CaseFacts], str]) -> tuple[list[str], float]:
    for case in cases[:20]:  # warm caches, as a long-running worker has them
        decide(case.facts)
    start = time.perf_counter()
    predicted = [decide(case.facts) for case in cases]
    return predicted, (time.perf_counter() - start) / len(cases) * 1e3


def compare_on_fresh(rules: Rules, examples: Sequence[Case], richer: Rules) -> None:
    fresh = load_cases(FRESH)
    expected = [c.expected for c in fresh]
    rules_alone = replace(rules, learned=None)
    richer_alone = replace(richer, learned=None)
    logistic = _LogisticModel(_examples(examples))
    # The shipped proposal comes last: its predictions feed the per-category table below.
    candidates: list[tuple[str, Callable[[CaseFacts], str]]] = [
        ("rules alone (keyword lexicon)", lambda f: classify(f, rules_alone).category),
        ("rules alone, richer lexicon", lambda f: classify(f, richer_alone).category),
        ("rules + logistic regression", logistic.category),
        ("richer lexicon + linear SVM", lambda f: propose(f, richer).category),
        ("rules + linear SVM (shipped)", lambda f: propose(f, rules).category),
    ]
    print(f"\n== fresh held-out set: {len(fresh)} cases, never tuned on, misses not printed")
    header = f"{'candidate':<32}{'top-1':>7}{'lowest recall':>24}{'LAINNYA P/R':>14}{'ms/case':>9}"
    print(header)
    shipped: list[str] = []
    for name, decide in candidates:
        predicted, ms = _timed(fresh, decide)
        s = score(expected, predicted)
        low_code, low = s.lowest
        lainnya = f"{s.precision[FALLBACK_CATEGORY]:.0%}/{s.recall[FALLBACK_CATEGORY]:.0%}"
        print(f"{name:<32}{s.accuracy:>7.1%}{low_code:>15} {low:>7.1%}{lainnya:>14}{ms:>9.2f}")
        shipped = predicted
    print_table("fresh held-out set, shipped proposal", expected, shipped)
    print_confusions(expected, shipped)
    proposals = [propose(c.facts, rules) for c in fresh]
    print(f"secondary categories: {secondary_scores(fresh, proposals)}")
    print_no_breach_flag(fresh, proposals)
    print(
        "not compared yet: a multilingual sentence-embedding model (it needs a registry"
        " package that carries its weights; the model is never fetched at run time)"
    )


def report_speed(cases: Sequence[Case], rules: Rules, calls: int) -> None:
    facts = [c.facts for c in cases]
    timings = []
    for item in facts[:50]:
        propose(item, rules)
    for i in range(calls):
        start = time.perf_counter()
        propose(facts[i % len(facts)], rules)
        timings.append(time.perf_counter() - start)
    timings.sort()
    mean_ms = statistics.fmean(timings) * 1e3
    p99_ms = timings[min(len(timings) - 1, int(len(timings) * 0.99))] * 1e3
    print(f"\n== speed of one proposal ({calls} calls): mean {mean_ms:.2f} ms, p99 {p99_ms:.2f} ms")
    huge = CaseFacts(
        title="Laporan panjang", description=(" ".join(f.description for f in facts) * 50)[:200_000]
    )
    start = time.perf_counter()
    result = propose(huge, rules)
    print(
        f"one 200 KB description: {(time.perf_counter() - start) * 1e3:.1f} ms"
        f" (flags {list(result.flags)}, confidence {result.confidence})"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=2000, help="proposals to time")
    parser.add_argument(
        "--no-fresh",
        action="store_true",
        help="cross-validated figures only (for tuning: the fresh set is never looked at)",
    )
    args = parser.parse_args(argv)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    rules = load_default_rules()
    assert rules.learned is not None
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(
        f"rules version {rules.version}; model {rules.learned.version} trained on"
        f" {rules.learned.size} examples in {time.perf_counter() - start:.2f} s (with loading);"
        f" peak memory grew {grown_mb:.0f} MB"
    )
    richer = load_richer_rules()
    every: list[Case] = []
    alone = (
        ("rules alone", replace(rules, learned=None)),
        ("rules alone, richer lexicon", replace(richer, learned=None)),
    )
    for name, filename in EXAMPLE_SETS:
        cases = load_cases(EXAMPLES_DIR / filename)
        every.extend(cases)
        expected = [c.expected for c in cases]
        for label, variant in alone:
            print_table(
                f"{name}, {label}",
                expected,
                [classify(c.facts, variant).category for c in cases],
            )
    report_cross_validation(every, rules, richer)
    if args.no_fresh:
        return 0
    compare_on_fresh(rules, every, richer)
    report_speed(every, rules, args.calls)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
