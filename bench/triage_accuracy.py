"""Accuracy and speed of the triage classifier on the labelled and held-out cases.

Run from the repository root: ``python -m bench.triage_accuracy``. It reports and never
fails: per-category precision, recall and support, top-1 accuracy for each data set, the
confusions that occur, and the time of one ``classify`` call.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from services.triage.domain.classifier import CaseFacts, classify
from services.triage.domain.rules import CATEGORY_CODES, Rules
from services.triage.rules_files import load_default_rules

DATA_DIR = Path(__file__).resolve().parent.parent / "tests" / "data"
DATA_SETS = (("labelled", "triage_labelled.jsonl"), ("held-out", "triage_heldout.jsonl"))


@dataclass(frozen=True)
class Case:
    id: str
    expected: str
    facts: CaseFacts


def load_cases(path: Path) -> list[Case]:
    """Cases of one JSON-lines file, as the classifier sees them."""
    cases = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
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
                )
            )
    return cases


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:6.1%}" if whole else "     -"


def report_accuracy(name: str, cases: Sequence[Case], rules: Rules, verbose: bool) -> None:
    predicted = [classify(case.facts, rules).category for case in cases]
    pairs = list(zip((c.expected for c in cases), predicted, strict=True))
    right = sum(1 for expected, got in pairs if expected == got)
    print(f"\n== {name}: {len(cases)} cases, top-1 accuracy {_ratio(right, len(cases))}")
    print(f"{'category':<14}{'precision':>10}{'recall':>9}{'support':>9}")
    for code in CATEGORY_CODES:
        support = sum(1 for expected, _ in pairs if expected == code)
        chosen = sum(1 for _, got in pairs if got == code)
        hits = sum(1 for expected, got in pairs if expected == got == code)
        print(f"{code:<14}{_ratio(hits, chosen):>10}{_ratio(hits, support):>9}{support:>9}")
    confusions = Counter((e, g) for e, g in pairs if e != g)
    if confusions:
        print("confusions (expected -> proposed: count):")
        for (expected, got), count in sorted(confusions.items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"  {expected} -> {got}: {count}")
    if verbose:
        for case, got in zip(cases, predicted, strict=True):
            if got != case.expected:
                result = classify(case.facts, rules)
                print(f"  {case.id}: expected {case.expected}, got {got}")
                print(f"    {result.explain('en')}")


def _time_calls(facts: Sequence[CaseFacts], rules: Rules, calls: int) -> list[float]:
    for item in facts:  # warm the word cache, as a long-running worker has it
        classify(item, rules)
    timings = []
    for i in range(calls):
        item = facts[i % len(facts)]
        start = time.perf_counter()
        classify(item, rules)
        timings.append(time.perf_counter() - start)
    return sorted(timings)


def _report_length(facts: Sequence[CaseFacts]) -> list[CaseFacts]:
    """Cases with descriptions of 300-1500 characters, the usual size of a real report,
    made by joining consecutive descriptions of the data sets."""
    out = []
    for i, item in enumerate(facts):
        parts = [item.description]
        j = i + 1
        while sum(map(len, parts)) < 300 + (i * 97) % 1000:
            parts.append(facts[j % len(facts)].description)
            j += 1
        description = " ".join(parts)[:1500]
        out.append(CaseFacts(item.title, description, item.evidence_urls))
    return out


def report_speed(cases: Iterable[Case], rules: Rules, calls: int) -> None:
    facts = [case.facts for case in cases]
    print(f"\n== speed of one classify call ({calls} calls per row, time.perf_counter)")
    print(f"{'texts':<34}{'chars':>7}{'mean us':>10}{'p50 us':>9}{'p99 us':>9}")
    for name, sample in (
        ("data-set cases as written", facts),
        ("report-length (300-1500 chars)", _report_length(facts)),
    ):
        timings = _time_calls(sample, rules, calls)
        chars = statistics.fmean(len(f.title) + len(f.description) for f in sample)
        mean_us = statistics.fmean(timings) * 1e6
        p50_us = timings[len(timings) // 2] * 1e6
        p99_us = timings[min(len(timings) - 1, int(len(timings) * 0.99))] * 1e6
        print(f"{name:<34}{chars:>7.0f}{mean_us:>10.1f}{p50_us:>9.1f}{p99_us:>9.1f}")

    long_text = " ".join(f.description for f in facts)
    huge = CaseFacts(title="Laporan panjang", description=(long_text * 200)[:200_000])
    start = time.perf_counter()
    result = classify(huge, rules)
    elapsed_us = (time.perf_counter() - start) * 1e6
    print(
        f"one 200 KB description: {elapsed_us:.0f} us"
        f" (scan capped at {rules.settings.max_scan_chars} characters; flags {list(result.flags)})"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=5000, help="classify calls to time")
    parser.add_argument("--verbose", action="store_true", help="explain every miss")
    args = parser.parse_args(argv)
    rules = load_default_rules()
    print(f"rules version {rules.version}")
    every_case: list[Case] = []
    for name, filename in DATA_SETS:
        cases = load_cases(DATA_DIR / filename)
        every_case.extend(cases)
        report_accuracy(name, cases, rules, args.verbose)
    report_speed(every_case, rules, args.calls)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
