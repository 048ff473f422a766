"""A fixed piece of Python work, timed in CPU seconds: how fast this machine is right now.

On a shared machine the same code's CPU per case moves by a third from one hour to the next
(the pipeline bench measured 22 and 15 ms a case for one commit, an hour apart). CPU per case
divided by the yardstick, measured in the same run, compares runs made at different times.
The work is of the kind Pantau's processes do: a case document encoded and decoded as JSON
and BSON, hashed, its words counted and sorted.
"""

from __future__ import annotations

import hashlib
import json
import statistics
import time
from collections import Counter
from typing import Any

import bson

_ROUNDS = 2000


def _work(document: dict[str, Any]) -> int:
    total = 0
    for n in range(_ROUNDS):
        document["n"] = n
        text = json.dumps(document, sort_keys=True)
        back = json.loads(text)
        raw = bson.encode(back)
        total += len(bson.decode(raw)) + len(hashlib.sha256(raw).digest())
        words = Counter(text.lower().split())
        total += len(sorted(words.items(), key=lambda kv: (-kv[1], kv[0])))
    return total


def yardstick_ms(document: dict[str, Any], repeats: int = 5) -> float:
    """CPU milliseconds of the fixed work on ``document`` (the median of ``repeats``)."""
    times = []
    for _ in range(repeats):
        started = time.process_time()
        _work(dict(document))
        times.append((time.process_time() - started) * 1000)
    return statistics.median(times)
