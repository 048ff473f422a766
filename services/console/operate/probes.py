"""Asking every part of the suite how it is, all at once and each within a time limit, so the
health page answers in seconds while any part is down or hung.

Seven questions go out together: the console's own database, each service's ``/readyz`` (no
key needed) and each service's ``/v1/pipeline`` (as the signed-in operator). A question that
fails becomes an ``Answer`` saying why; none raises, so one part never hides the others.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Final

import requests

from services.console.deps import ALIAS
from services.console.operate.health import SERVICES, Answer
from shared import mongo
from shared.settings import Settings

log = logging.getLogger(__name__)

# (connect, read) in seconds. A service's /readyz itself waits up to about two seconds per
# check (database, broker), its pipeline as long for the outbox and the queues.
READY_TIMEOUT: Final = (1.0, 4.5)
PIPELINE_TIMEOUT: Final = (1.0, 5.0)
DATABASE_TIMEOUT_MS: Final = 2000


@dataclass(frozen=True)
class Readings:
    """Everything the health page judges, as it was answered."""

    console_database: bool
    readiness: dict[str, Answer]
    pipelines: dict[str, Answer]


def read_all(settings: Settings, token: str, request_id: str | None = None) -> Readings:
    """Ask every part at once; returns when the last has answered or given up."""
    urls = {
        "intake": settings.intake_url,
        "triage": settings.triage_url,
        "notify": settings.notify_url,
    }
    correlation = {"X-Request-ID": request_id} if request_id else {}
    keyed = {"Authorization": f"Bearer {token}", **correlation}
    with ThreadPoolExecutor(max_workers=1 + 2 * len(SERVICES), thread_name_prefix="health") as pool:
        database = pool.submit(_database_answers)
        ready = {
            s: pool.submit(ask, f"{urls[s].rstrip('/')}/readyz", correlation, READY_TIMEOUT)
            for s in SERVICES
        }
        pipes = {
            s: pool.submit(ask, f"{urls[s].rstrip('/')}/v1/pipeline", keyed, PIPELINE_TIMEOUT)
            for s in SERVICES
        }
        return Readings(
            console_database=database.result(),
            readiness={s: f.result() for s, f in ready.items()},
            pipelines={s: f.result() for s, f in pipes.items()},
        )


def ask(url: str, headers: dict[str, str], timeout: tuple[float, float]) -> Answer:
    """One GET as an ``Answer``: the status and JSON body, or ``timeout`` / ``unreachable``."""
    try:
        response = requests.get(url, headers=headers, timeout=timeout)
    except requests.Timeout:
        return Answer(error="timeout")
    except requests.RequestException as exc:
        log.info("health question unanswered", extra={"url": url, "error": type(exc).__name__})
        return Answer(error="unreachable")
    try:
        body = response.json()
    except ValueError:
        body = {}
    return Answer(status=response.status_code, body=body if isinstance(body, dict) else {})


def _database_answers() -> bool:
    try:
        return mongo.ping(ALIAS, timeout_ms=DATABASE_TIMEOUT_MS)
    except Exception:
        log.warning("console database check failed", exc_info=True)
        return False
