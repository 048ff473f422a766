"""What triage learns from officers' labels: the quality figures of a region and the
evaluation of a candidate rules version, read from the stored examples.

The API, the ``pantau triage evaluate`` command, the worker's metrics and the guard on
activating rules all ask here; the figures themselves are pure (``domain/quality``,
``domain/evaluation``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from services.triage.deps import TriageDeps
from services.triage.domain.evaluation import Evaluation, evaluate
from services.triage.domain.quality import WINDOWS, Labelled, Quality, quality
from services.triage.domain.rules import CATEGORY_CODES, Rules
from services.triage.storage import examples as labels

Document = dict[str, Any]


def region_quality(deps: TriageDeps, region: str, days: int) -> Quality:
    """The figures of a regency, or of every regency of a province, over ``days``."""
    now = deps.clock()
    since = now - timedelta(days=days)
    found = labels.labelled_since(deps.examples, labels.in_region(region), since)
    return quality(found, CATEGORY_CODES, now=now, days=days)


def quality_by_tenant(deps: TriageDeps) -> dict[str, dict[int, Quality]]:
    """Every regency's figures for each window, from one read of the longest window."""
    now = deps.clock()
    since = now - timedelta(days=max(WINDOWS))
    by_tenant: dict[str, list[Labelled]] = defaultdict(list)
    cursor = deps.examples.find(
        {"labelled_at": {"$gte": since}}, {"tenant": 1, "proposed": 1, "final": 1, "labelled_at": 1}
    )
    for doc in cursor:
        by_tenant[str(doc["tenant"])].extend(labels.labelled_of([doc]))
    return {
        tenant: {days: quality(found, CATEGORY_CODES, now=now, days=days) for days in WINDOWS}
        for tenant, found in by_tenant.items()
    }


def evaluate_candidate(deps: TriageDeps, tenant: str, candidate: Rules) -> Evaluation:
    """What ``candidate`` would change against the rules in force, on every labelled case."""
    current = deps.config.current(tenant).rules
    return evaluate(labels.confirmed_cases(deps.examples, {"tenant": tenant}), current, candidate)


def quality_json(region: str, figures: Quality) -> Document:
    return {
        "region_code": region,
        "days": figures.days,
        "since": figures.since.isoformat(),
        "until": figures.until.isoformat(),
        "examples": figures.examples,
        "correct": figures.correct,
        "accuracy": figures.accuracy,
        "categories": [
            {
                "category": c.category,
                "proposed": c.proposed,
                "labelled": c.labelled,
                "correct": c.correct,
                "precision": c.precision,
                "recall": c.recall,
            }
            for c in figures.categories
        ],
    }


def evaluation_figures(result: Evaluation) -> Document:
    """The summary an answer (or a refused activation) carries."""
    return {
        "examples": result.examples,
        "correct_before": result.correct_before,
        "correct_after": result.correct_after,
        "accuracy_before": result.accuracy_before,
        "accuracy_after": result.accuracy_after,
        "changed": len(result.changes),
        "lowers_accuracy": result.lowers_accuracy,
    }


def evaluation_json(
    tenant: str, current: Mapping[str, Any], candidate_version: str, result: Evaluation
) -> Document:
    return {
        "region_code": tenant,
        "current_rules_version": current.get("rules_version"),
        "candidate_rules_version": candidate_version,
        **evaluation_figures(result),
        "changes": [
            {
                "case_id": o.case_id,
                "final": o.final,
                "current": o.current,
                "candidate": o.candidate,
                "effect": o.effect,
            }
            for o in result.changes
        ],
    }
