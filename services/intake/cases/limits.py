"""The per-key submission budget, shared by every door a case can come in through."""

from __future__ import annotations

from services.intake.deps import deps
from shared.auth import Principal
from shared.problems import Problem


def count_submissions(principal: Principal, count: int = 1) -> None:
    """Spend ``count`` of the key's per-minute budget, or refuse with 429 (nothing stored)."""
    d = deps()
    limit = d.settings.submit_rate_per_minute
    verdict = d.limiter.hit(f"submit:{principal.key_prefix}", limit, count)
    if not verdict.allowed:
        raise Problem(
            429,
            f"This key may submit {limit} cases per minute; wait and send the rest again "
            "(nothing of this request was stored).",
            headers={"Retry-After": str(verdict.retry_after)},
        )
