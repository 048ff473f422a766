"""Triage's own metrics."""

from prometheus_client import Counter, Histogram

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
LADDER_STEPS = Counter(
    "pantau_triage_ladder_steps_total",
    "Escalation-ladder steps fired (reminder, escalations, resend, reassign).",
    ["kind"],
)
