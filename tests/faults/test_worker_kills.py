"""Workers killed with SIGKILL in the middle of a load, one after the other, and restarted.

SIGKILL gives a worker no chance to finish the message in hand, to ack it, or to close its
connection: the broker hands every unacked message again to the restarted worker, and the
outbox relay may publish again what it had published but not yet marked. The consumers are
idempotent, so this must double nothing:

- the intake worker (outbox relay and timeline consumer): exactly once;
- the notify worker: exactly once too, except SMTP's own window: a kill after the server
  accepted a mail and before the ledger recorded it sends that alert again (same Message-ID;
  mail clients show it once). At most that one alert, and only twice, as
  ``tests/e2e/test_pipeline.py`` asserts for the same kill.

Offices file all along, also while a worker is down; after each restart the suite must be back
to normal within the recovery bound.

The triage worker: exactly once. Its decision is one MongoDB transaction; a SIGKILL inside it
leaves the transaction open on the server, holding the case's documents, and the redelivered
message waits on them until mongod aborts the orphan. With mongod's default
``transactionLifetimeLimitSeconds`` (60 s) that took 66 s from the restart; Pantau's mongod
runs with 15 s (``services.cli.infra.TRANSACTION_LIFETIME_S``, the compose file too), which
brings it inside the bound. The kill lands while triage works through a backlog, so it falls
inside a transaction in some runs and between two in others; both must lose and double
nothing.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from functools import partial

import pytest

from tests.support.pipeline_checker import (
    REGENCIES,
    Report,
    Submitted,
    await_pipeline,
    case_stream,
    observe,
    submit,
)
from tests.support.recovery import RECOVERY_BOUND_S, Recovery, measure_recovery
from tests.support.suite import Suite
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

# Filed quickly right before a kill, so the worker has work in hand when it dies.
BURST = 5
# How long each worker stays dead while offices go on filing (one case a second). It also
# shortens what is left, after the restart, of the dead worker's 30 s leases: the outbox batch
# the relay had claimed, or the alert notify had claimed, waits out its lease before another
# process may take it over, and that wait must fit in the recovery bound (about 22 s then).
DOWN_S = 8.0
KILLED = ("intake-worker", "triage-worker", "notify-worker")


def _all_assigned(suite: Suite, cases: list[Submitted]) -> bool:
    """Every case triaged and assigned: its alert events wait in notify's queue."""
    return all(o.timeline["assigned"] for o in observe(suite, cases))


def _only_smtp_window_repeats(report: Report) -> list[str]:
    """Doubles that are not one alert sent twice (what the SMTP window allows): empty if the
    report has none. A double case, timeline entry or alert per event is never allowed."""
    wrong = []
    repeated = 0
    for o in report.outcomes:
        if not o.duplicated:
            continue
        mails_twice = [k for k, n in o.mails.items() if n > 1]
        timeline_ok = all(o.timeline[k] <= 1 for k in ("submitted", "triaged", "assigned"))
        if (
            o.stored == 1
            and timeline_ok
            and o.timeline["notified"] <= len(o.mails)
            and all(o.mails[k] == 2 for k in mails_twice)
        ):
            repeated += len(mails_twice)
        else:
            wrong.append(o.submitted.tracking_code)
    if repeated > 1:
        wrong.append(f"{repeated} alerts sent twice; the SMTP window allows one")
    return wrong


def test_killed_workers_lose_nothing_and_double_only_the_smtp_window(suite: Suite) -> None:
    keys = {region: suite.key(region) for region in REGENCIES}
    pool = case_stream(f"kill{uuid.uuid4().hex[:4]}")
    submitted: list[Submitted] = []
    recoveries: list[Recovery] = []

    def file(n: int, pause: float = 0.0) -> list[Submitted]:
        done = []
        for _ in range(n):
            region, payload = next(pool)
            done.append(submit(suite, keys[region], payload))
            time.sleep(pause)
        submitted.extend(done)
        return done

    # A first load crosses the pipeline before anything goes wrong: the suite works here.
    warm = await_pipeline(suite, file(5), timeout=90, settle=0)
    assert warm.lost == 0, warm.summary()

    for name in KILLED:
        mark = len(submitted)
        child = suite.children[name]
        assert child.process is not None
        pid = child.process.pid
        if name == "notify-worker":
            # Notify sends an alert within a fraction of a second of its case being filed, so
            # it has nothing in hand between two cases. Held (SIGSTOP) while the burst is
            # filed and triaged, it has a backlog when it resumes, and the kill lands as the
            # first of it goes out: mid-stream, right in the SMTP window or just after it.
            os.kill(pid, signal.SIGSTOP)
            try:
                sent = len(suite.mail.messages)
                burst = file(BURST)
                eventually(partial(_all_assigned, suite, burst), timeout=60)
            finally:
                os.kill(pid, signal.SIGCONT)
            suite.mail.wait_for(sent + 1, timeout=60)
        elif name == "triage-worker":
            # Triage decides a case in about 35 ms, 9 of them inside its transaction. Held
            # while a burst is filed, it resumes with a backlog of submitted events and dies
            # a moment later, in the middle of working through them.
            os.kill(pid, signal.SIGSTOP)
            try:
                burst = file(BURST * 2)
                time.sleep(1.0)  # the relay publishes the burst to triage's queue
            finally:
                os.kill(pid, signal.SIGCONT)
            time.sleep(0.08)
        else:
            # Intake's relay is mid-stream right after a quick burst.
            burst = file(BURST)
        child.kill()
        # Only shown: how far the burst had got when the worker died.
        through = sum(o.complete for o in observe(suite, burst))
        print(f"{name} (pid {pid}) killed with {through}/{len(burst)} of the burst through")
        file(int(DOWN_S), pause=1.0)
        suite.restart(name)
        ended = time.monotonic()
        file(2)
        recoveries.append(
            measure_recovery(suite, submitted[mark:], ended, fault=f"SIGKILL of {name}")
        )
        print(recoveries[-1].summary())
        restarted = suite.children[name].process
        assert restarted is not None
        assert restarted.pid != pid, f"{name} was not restarted"
        if name != "notify-worker":
            # Everything filed so far has crossed the pipeline (the recovery waited for it)
            # and nothing is doubled: no allowance at all for intake.
            report = await_pipeline(suite, submitted, timeout=60, settle=1)
            print(f"after killing {name}: {report.summary()}")
            assert report.lost == 0, report.summary()
            assert report.duplicated == 0, report.summary()

    report = await_pipeline(suite, submitted, timeout=60, settle=3)
    print(report.summary())
    assert report.lost == 0, report.summary()
    assert not _only_smtp_window_repeats(report), report.summary()
    for recovery in recoveries:
        assert recovery.within_bound, f"{recovery.summary()} > {RECOVERY_BOUND_S:.0f}s"
    for child_name, child in suite.children.items():
        assert child.alive(), suite.log(child_name)[-2000:]
