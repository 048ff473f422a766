"""The pipeline bench's verdict on each goal of the work per case, from a run's figures."""

from __future__ import annotations

from bench.pipeline_goals import PacedRun, goal_lines, kept_up, rate_met

STEADY = PacedRun(offered=100, seconds=60, delivered=99.7, waiting=0, lost=0, doubled=0, p99_ms=374)


def _line(lines: list[str], start: str) -> str:
    (found,) = (line for line in lines if line.startswith(start))
    return found


def test_cpu_per_case_is_met_at_ten_milliseconds_and_not_above() -> None:
    assert _line(goal_lines(10.0, None), "goal 1").endswith("10.00 ms, met")
    assert _line(goal_lines(10.01, None), "goal 1").endswith("10.01 ms, NOT met")
    assert len(goal_lines(7.2, None)) == 1  # without a paced run, goal 2 is not spoken of


def test_a_pipeline_that_keeps_pace_with_a_hundred_cases_a_second_for_a_minute_meets_the_rate() -> (
    None
):
    lines = goal_lines(7.5, STEADY)
    assert _line(lines, "goal 2, 100 alerts/s").endswith(": met")
    # 50 cases/s is the latency's offered load: a run at 100 does not judge it.
    assert "not judged" in _line(lines, "goal 2, time to alert")


def test_more_than_a_hundred_a_second_meets_the_rate_even_when_more_was_offered() -> None:
    """Offered more than the pipeline carries, its backlog grows, and the sink's rate over the
    run (the drain included) is what it sustained."""
    behind = PacedRun(140, 60, 118.0, waiting=1385, lost=0, doubled=0, p99_ms=11330)
    assert not kept_up(behind)
    assert rate_met(behind)
    assert _line(goal_lines(7.2, behind), "goal 2, 100 alerts/s").endswith(": met")
    caught_up = PacedRun(120, 60, 118.3, waiting=54, lost=0, doubled=0, p99_ms=1380)
    assert kept_up(caught_up)
    assert rate_met(caught_up)


def test_falling_behind_a_hundred_a_second_or_a_lost_or_doubled_alert_fails_the_rate() -> None:
    behind = PacedRun(100, 60, 97.6, waiting=145, lost=0, doubled=0, p99_ms=1961)
    assert not kept_up(behind)
    assert _line(goal_lines(7.8, behind), "goal 2, 100 alerts/s").endswith("NOT met")
    for spoiled in (
        PacedRun(120, 60, 119.5, waiting=0, lost=1, doubled=0, p99_ms=922),
        PacedRun(120, 60, 119.5, waiting=0, lost=0, doubled=1, p99_ms=922),
    ):
        assert not kept_up(spoiled)
        assert not rate_met(spoiled)
        assert _line(goal_lines(7.5, spoiled), "goal 2, 100 alerts/s").endswith("NOT met")


def test_a_run_too_slow_or_too_short_does_not_judge_the_rate() -> None:
    for run in (
        PacedRun(50, 60, 49.7, waiting=0, lost=0, doubled=0, p99_ms=277),
        PacedRun(120, 20, 118.0, waiting=0, lost=0, doubled=0, p99_ms=400),
    ):
        assert "not judged" in _line(goal_lines(7.5, run), "goal 2, 100 alerts/s")


def test_the_latency_is_judged_at_fifty_cases_a_second_under_one_second() -> None:
    fast = PacedRun(50, 20, 49.7, waiting=0, lost=0, doubled=0, p99_ms=277)
    assert _line(goal_lines(7.2, fast), "goal 2, time to alert").endswith(
        "277 ms at 50 cases/s, met"
    )
    slow = PacedRun(50, 20, 49.7, waiting=0, lost=0, doubled=0, p99_ms=1000)
    assert _line(goal_lines(7.2, slow), "goal 2, time to alert").endswith("NOT met")
    none_arrived = PacedRun(50, 20, 0.0, waiting=900, lost=1000, doubled=0, p99_ms=float("inf"))
    assert _line(goal_lines(7.2, none_arrived), "goal 2, time to alert").endswith("NOT met")
