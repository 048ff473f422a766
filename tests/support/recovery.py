"""How long the suite takes to get back to normal by itself once a fault has ended.

Two moments are measured from the end of the fault:

- ``ready``: every HTTP app and every worker answers ``/readyz`` with 200 again (the apps
  reach the broker and the database; each worker's consumer is connected again);
- ``drained``: every case accepted so far, including those filed during the fault, has crossed
  the whole pipeline (stored, triaged, assigned, alerted, timeline complete).

Both wait generously and return as soon as the condition holds, so a loaded machine slows
the test down without failing it; the test asserts the measured figure against its bound, and
a figure over the bound fails with the number rather than with a timeout.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import requests

from tests.support.pipeline_checker import Submitted, await_pipeline, observe
from tests.support.suite import Suite

# What the fault tests promise: back to normal within this long after the fault ends.
RECOVERY_BOUND_S = 30.0


@dataclass
class Recovery:
    """Seconds from the end of a fault to each moment (None: not reached within the wait)."""

    fault: str
    ready: float | None
    drained: float | None
    cases: int

    def summary(self) -> str:
        def shown(value: float | None) -> str:
            return "never" if value is None else f"{value:.1f}s"

        return (
            f"recovery after {self.fault}: ready in {shown(self.ready)}, "
            f"{self.cases} cases drained in {shown(self.drained)} (bound {RECOVERY_BOUND_S:.0f}s)"
        )

    @property
    def within_bound(self) -> bool:
        return (
            self.ready is not None
            and self.drained is not None
            and self.ready <= RECOVERY_BOUND_S
            and self.drained <= RECOVERY_BOUND_S
        )


def _ready(url: str) -> bool:
    try:
        return requests.get(f"{url}/readyz", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def measure_recovery(
    suite: Suite,
    submitted: Sequence[Submitted],
    fault_ended: float,
    *,
    fault: str,
    wait: float = 120.0,
) -> Recovery:
    """Measure both moments for ``submitted`` (``fault_ended`` is a ``time.monotonic()``)."""
    urls = suite.every_url()
    deadline = fault_ended + wait
    ready: float | None = None
    drained: float | None = None
    while time.monotonic() < deadline and (ready is None or drained is None):
        if ready is None and all(_ready(url) for url in urls):
            ready = time.monotonic() - fault_ended
        if drained is None and all(o.complete for o in observe(suite, submitted)):
            drained = time.monotonic() - fault_ended
        time.sleep(0.25)
    return Recovery(fault, ready, drained, len(submitted))


def expect_back_to_normal(suite: Suite, cycle: Sequence[Submitted], recovery: Recovery) -> None:
    """What every fault must end in: each case of ``cycle`` crossed the pipeline once
    (nothing lost, nothing doubled), the suite got back within the bound, and every process
    of it still runs."""
    report = await_pipeline(suite, cycle, timeout=60, settle=3)
    print(report.summary())
    assert report.lost == 0, report.summary()
    assert report.duplicated == 0, report.summary()
    assert recovery.within_bound, f"{recovery.summary()} > {RECOVERY_BOUND_S:.0f}s"
    for name, child in suite.children.items():
        assert child.alive(), suite.log(name)[-2000:]
