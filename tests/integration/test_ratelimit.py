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


def test_large_limit_overshoots_by_a_few_at_most(settings: Settings) -> None:
    collection = _collection(settings)
    now = datetime(2024, 11, 20, 10, 0, 5, tzinfo=UTC)
    limiters = [SharedLimiter(collection) for _ in range(4)]
    allowed = 0
    lock = threading.Lock()

    def worker(limiter: SharedLimiter) -> None:
        nonlocal allowed
        for _ in range(400):
            if limiter.hit("submit:key", 1000, now=now).allowed:
                with lock:
                    allowed += 1

    threads = [threading.Thread(target=worker, args=(lim,)) for lim in limiters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert 1000 <= allowed <= 1000 + 4 * 3  # each process may run a few requests over


def test_new_window_starts_from_zero(settings: Settings) -> None:
    limiter = SharedLimiter(_collection(settings))
    first = datetime(2024, 11, 20, 10, 0, 5, tzinfo=UTC)
    assert not [limiter.hit("b", 2, now=first).allowed for _ in range(3)][-1]
    later = datetime(2024, 11, 20, 10, 1, 5, tzinfo=UTC)
    verdict = limiter.hit("b", 2, now=later)
    assert verdict.allowed
    assert verdict.remaining == 1
