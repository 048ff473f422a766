"""The worker's refresher of the quality gauges (precision and recall per regency, category
and window).

Refreshed here every few minutes rather than computed at scrape time: the HTTP apps run as
several gunicorn processes in multiprocess mode, where each scrape would otherwise read 90
days of labels once per process, and the figures move only as fast as officers verify
cases. One read of the longest window per round serves every regency and both windows.
"""

from __future__ import annotations

import contextlib
import logging
import threading

from prometheus_client import Gauge
from pymongo.errors import PyMongoError

from services.triage.deps import TriageDeps
from services.triage.learning import quality_by_tenant
from services.triage.metrics import LABELLED, PRECISION, RECALL
from shared.broker.connection import Backoff

log = logging.getLogger(__name__)

REFRESH_SECONDS = 300.0


class QualityGauges:
    """Sets the gauges from the stored labels; forgets the samples that lost their figure."""

    def __init__(self, deps: TriageDeps, *, interval: float = REFRESH_SECONDS) -> None:
        self.deps = deps
        self.interval = interval
        self._shown: set[tuple[str, str, str]] = set()
        self._counted: set[tuple[str, str]] = set()

    def run(self, stop: threading.Event) -> None:
        """Refresh every ``interval`` seconds until ``stop`` is set."""
        backoff = Backoff(initial=1.0, cap=60.0)
        while not stop.is_set():
            try:
                self.refresh()
            except PyMongoError as exc:
                log.warning("quality refresh failed; retrying", extra={"error": repr(exc)})
                backoff.wait(stop)
                continue
            backoff.reset()
            stop.wait(self.interval)

    def refresh(self) -> None:
        """One round: every regency's figures for both windows."""
        shown: set[tuple[str, str, str]] = set()
        counted: set[tuple[str, str]] = set()
        for tenant, windows in quality_by_tenant(self.deps).items():
            for days, figures in windows.items():
                window = f"{days}d"
                LABELLED.labels(tenant=tenant, window=window).set(figures.examples)
                counted.add((tenant, window))
                for row in figures.categories:
                    key = (tenant, row.category, window)
                    for gauge, value in ((PRECISION, row.precision), (RECALL, row.recall)):
                        if value is None:
                            _forget(gauge, key)
                        else:
                            gauge.labels(*key).set(value)
                            shown.add(key)
        for key in self._shown - shown:
            _forget(PRECISION, key)
            _forget(RECALL, key)
        for pair in self._counted - counted:
            LABELLED.labels(*pair).set(0)
        self._shown, self._counted = shown, counted


def _forget(gauge: Gauge, key: tuple[str, ...]) -> None:
    with contextlib.suppress(KeyError):  # never set
        gauge.remove(*key)
