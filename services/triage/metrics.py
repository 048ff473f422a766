"""Triage's own metrics."""

from prometheus_client import Counter, Gauge, Histogram

DECISIONS = Counter(
    "pantau_triage_decisions_total",
    "Triage decisions by tenant, category and priority.",
    ["tenant", "category", "priority"],
)
DECISION_SECONDS = Histogram(
    "pantau_triage_decision_seconds",
    "Time to triage one case (classification, weight, clock, routing and storage).",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)
FILINGS_RUN_AGAIN = Counter(
    "pantau_triage_filings_run_again_total",
    "New-case transactions run again, mostly because another replica was filing in the same "
    "regency (a write conflict on its filing guard).",
)
LADDER_STEPS = Counter(
    "pantau_triage_ladder_steps_total",
    "Escalation-ladder steps fired (reminder, escalations, resend, reassign).",
    ["kind"],
)

# Agreement with officers' labels, per regency, category and window ("30d", "90d"), set by the
# worker's refresher (quality_gauges.py). A category without a figure in a window has no
# sample rather than a 0 that would read as a failure.
PRECISION = Gauge(
    "pantau_triage_precision",
    "Share of triage's proposals in a category that officers kept there.",
    ["tenant", "category", "window"],
    multiprocess_mode="max",
)
RECALL = Gauge(
    "pantau_triage_recall",
    "Share of the cases officers put in a category that triage had proposed there.",
    ["tenant", "category", "window"],
    multiprocess_mode="max",
)
LABELLED = Gauge(
    "pantau_triage_labelled_examples",
    "Cases officers confirmed or overrode in the window.",
    ["tenant", "window"],
    multiprocess_mode="max",
)
