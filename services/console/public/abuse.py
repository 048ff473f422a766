"""Keeping the public pages for people: per-address and per-regency limits, the trap field,
and the citizen's stand-in passed on to intake.

Limits are counted in the console's own database (``deps().limiter``), shared by every
worker: every sending of a form from one address counts (also one refused for its fields,
which costs intake nothing but still costs this server), filings count per regency, and
intake counts again with its own budgets. Neither database keeps the citizen's address:
both count its stand-in (``shared/client_stand_ins.py``), keyed from the console's secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Final, Protocol

from flask import request

from services.console.deps import deps
from shared import client_stand_ins
from shared.ratelimit import Verdict

HOUR: Final = timedelta(hours=1)
CLIENT_HEADER: Final = client_stand_ins.HEADER


class Limiter(Protocol):
    def hit(self, bucket: str, limit: int, count: int = 1, window: timedelta = ...) -> Verdict: ...


@dataclass(frozen=True)
class Refusal:
    """A limit reached: which one, and in how many seconds to try again."""

    kind: str  # "address" or "regency"
    retry_after: int

    @property
    def minutes(self) -> int:
        return max(1, (self.retry_after + 59) // 60)


def citizen() -> str:
    """The stand-in of the citizen's address (behind trusted proxies, the one they name)."""
    return client_stand_ins.stand_in(request.remote_addr or "unknown", deps().client_key)


def intake_headers(sending: str | None = None) -> dict[str, str]:
    """What intake needs besides the key: the citizen's stand-in, and the sending's key."""
    headers = {CLIENT_HEADER: citizen()}
    if sending:
        headers["Idempotency-Key"] = sending
    return headers


def count_sending(limiter: Limiter, what: str, sender: str, limit: int) -> Refusal | None:
    """Count one sending of form ``what`` by ``sender`` (a citizen's stand-in); a Refusal
    once over the limit."""
    verdict = limiter.hit(f"public-{what}:{sender}", limit, window=HOUR)
    return None if verdict.allowed else Refusal("address", verdict.retry_after)


def count_filing(limiter: Limiter, regency: str, limit: int) -> Refusal | None:
    """Count one report filed for ``regency``; a Refusal once over the limit."""
    verdict = limiter.hit(f"public-regency:{regency}", limit, window=HOUR)
    return None if verdict.allowed else Refusal("regency", verdict.retry_after)


def trapped(value: str | None) -> bool:
    """Whether the trap field was filled (people never see it)."""
    return bool((value or "").strip())
