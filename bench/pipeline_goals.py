"""The goals of the work per case (docs/benchmarks.md, "Work per case, from submission to
alert"), judged from one run of ``bench.pipeline_throughput``.

Pure: the bench hands its figures over and prints the lines, so that a run says by itself
which goal it met instead of leaving the reader to compare figures with the docs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

CPU_PER_CASE_MS: Final = 10.0
RATE: Final = 100.0
RATE_SECONDS: Final = 60.0
LATENCY_RATE: Final = 50.0
P99_MS: Final = 1000.0


@dataclass(frozen=True)
class PacedRun:
    """The figures of the bench's paced load."""

    offered: float  # cases/s
    seconds: float
    delivered: float  # alerts/s at the sink, first to last
    # Messages ready in the queues on an alert's way (triage's, notify's) when the offered
    # load ended: a backlog that grew says the pipeline did not keep pace.
    waiting: int
    lost: int
    doubled: int
    p99_ms: float


def kept_up(run: PacedRun) -> bool:
    """Every case alerted exactly once, and no more than a second of the offered load was
    waiting when it ended (a pipeline that falls behind piles up a backlog that grows with
    every second of the load)."""
    return run.lost == 0 and run.doubled == 0 and run.waiting <= run.offered


def rate_met(run: PacedRun) -> bool:
    """At least ``RATE`` alerts/s for ``RATE_SECONDS``, every case alerted exactly once: the
    sink's rate over the whole run (first alert to last, the backlog's drain included) at
    ``RATE`` or more, or a pipeline that kept pace with ``RATE`` or more cases/s offered
    (its sink's rate is then the offered one, less the spread of the times to alert)."""
    if run.offered < RATE or run.seconds < RATE_SECONDS or run.lost or run.doubled:
        return False
    return run.delivered >= RATE or kept_up(run)


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def goal_lines(pantau_ms_per_case: float, run: PacedRun | None) -> list[str]:
    """One line per goal: the figure, and whether this run meets it or cannot say."""
    lines = [
        f"goal 1, Pantau's own processes at most {CPU_PER_CASE_MS:.0f} ms of CPU a case: "
        f"{pantau_ms_per_case:.2f} ms, {_verdict(pantau_ms_per_case <= CPU_PER_CASE_MS)}"
    ]
    if run is None:
        return lines
    if run.offered >= RATE and run.seconds >= RATE_SECONDS:
        lines.append(
            f"goal 2, {RATE:.0f} alerts/s for {RATE_SECONDS:.0f} s: {run.offered:.0f} cases/s "
            f"offered for {run.seconds:.0f} s, {run.delivered:.1f} alerts/s at the sink, "
            f"{run.waiting} waiting at its end, lost {run.lost}, doubled {run.doubled}: "
            f"{_verdict(rate_met(run))}"
        )
    else:
        lines.append(
            f"goal 2, {RATE:.0f} alerts/s for {RATE_SECONDS:.0f} s: not judged by this run "
            f"(it needs --rate {RATE:.0f} or more and --paced {RATE_SECONDS:.0f} or more)"
        )
    if run.offered <= LATENCY_RATE:
        met = run.p99_ms < P99_MS and run.lost == 0 and run.doubled == 0
        lines.append(
            f"goal 2, time to alert p99 under {P99_MS / 1000:.0f} s at {LATENCY_RATE:.0f} "
            f"cases/s: {run.p99_ms:.0f} ms at {run.offered:.0f} cases/s, {_verdict(met)}"
        )
    else:
        lines.append(
            f"goal 2, time to alert p99 under {P99_MS / 1000:.0f} s at {LATENCY_RATE:.0f} "
            f"cases/s: not judged by this run (it offered {run.offered:.0f} cases/s)"
        )
    return lines
