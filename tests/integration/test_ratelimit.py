"""The shared limiter on the real database: exact for small limits, bounded for large ones."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from shared import mongo
from shared.ratelimit import SharedLimiter
from shared.settings import Settings


def _collection(settings: Settings):  # type: ignore[no-untyped-def]
    mongo.connect(settings, "intake")
    return mongo.database("intake")["rate_limits"]


def test_small_limit_is_exact_across_processes(settings: Settings) -> None:
    collection = _collection(settings)
    now = datetime(2024, 11, 20, 10, 0, 5, tzinfo=UTC)
    # Two limiters stand for two gunicorn workers sharing one limit.
    a, b = SharedLimiter(collection), SharedLimiter(collection)
    verdicts = [(a if i % 2 else b).hit("track:10.0.0.1", 5, now=now).allowed for i in range(8)]
    assert verdicts == [True] * 5 + [False] * 3


def test_large_limit_is_spent_exactly_by_busy_processes(settings: Settings) -> None:
    collection = _collection(settings)
    now = datetime(2024, 11, 20, 10, 0, 5, tzinfo=UTC)
    limiters = [SharedLimiter(collection) for _ in range(4)]
    allowed = 0
    lock = threading.Lock()

    def worker(limiter: SharedLimiter) -> None:
        nonlocal allowed
        # Each process asks for the whole limit, so none stops holding an unspent share.
        for _ in range(1000):
            if limiter.hit("submit:key", 1000, now=now).allowed:
                with lock:
                    allowed += 1

    threads = [threading.Thread(target=worker, args=(lim,)) for lim in limiters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert allowed == 1000


def test_a_process_that_read_the_count_long_ago_cannot_overshoot(settings: Settings) -> None:
    collection = _collection(settings)
    now = datetime(2024, 11, 20, 10, 0, 5, tzinfo=UTC)
    early, busy = SharedLimiter(collection), SharedLimiter(collection)
    assert early.hit("submit:key", 1000, now=now).allowed  # takes its share, spends one
    busy_allowed = sum(busy.hit("submit:key", 1000, now=now).allowed for _ in range(1200))
    early_allowed = sum(early.hit("submit:key", 1000, now=now).allowed for _ in range(200))
    # The early share (a twentieth of the window) stays the early process's own: the busy
    # one gets the rest, and the early one no more than its share, however stale its view.
    assert busy_allowed == 950
    assert 1 + early_allowed == 50


def test_a_request_counting_several_is_refused_whole_when_the_budget_cannot_hold_it(
    settings: Settings,
) -> None:
    limiter = SharedLimiter(_collection(settings))
    now = datetime(2024, 11, 20, 10, 0, 5, tzinfo=UTC)
    assert limiter.hit("submit:batch", 10, count=8, now=now).allowed
    assert not limiter.hit("submit:batch", 10, count=3, now=now).allowed
    # The two left are still there for requests that fit.
    assert [limiter.hit("submit:batch", 10, now=now).allowed for _ in range(3)] == [
        True,
        True,
        False,
    ]


def test_new_window_starts_from_zero(settings: Settings) -> None:
    limiter = SharedLimiter(_collection(settings))
    first = datetime(2024, 11, 20, 10, 0, 5, tzinfo=UTC)
    assert not [limiter.hit("b", 2, now=first).allowed for _ in range(3)][-1]
    later = datetime(2024, 11, 20, 10, 1, 5, tzinfo=UTC)
    verdict = limiter.hit("b", 2, now=later)
    assert verdict.allowed
    assert verdict.remaining == 1
