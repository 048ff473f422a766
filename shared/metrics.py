"""Prometheus metrics shared by every process, and the scrape endpoint.

HTTP apps run under gunicorn in multiprocess mode (PROMETHEUS_MULTIPROC_DIR is set by the start
script before anything imports prometheus_client); workers keep the default registry and serve
it on their own port (``shared.worker_health``). Labels stay bounded: routes, event types,
queues, tenants (regency codes), sources, channels, never case ids or free text.
"""

from __future__ import annotations

import glob
import os
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as prom_multiprocess

from shared import dates

VERSION = "0.1.0"

# Buckets sized for a service that answers in milliseconds and a pipeline that takes seconds.
_FAST = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

BUILD_INFO = Gauge(
    "pantau_build_info",
    "Always 1; labels name the running build.",
    ["service", "version"],
    multiprocess_mode="max",
)
HTTP_REQUESTS = Counter(
    "pantau_http_requests_total",
    "HTTP requests answered.",
    ["service", "route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "pantau_http_request_duration_seconds",
    "Time to answer an HTTP request.",
    ["service", "route", "method"],
    buckets=_FAST,
)
EVENTS_CONSUMED = Counter(
    "pantau_events_consumed_total",
    "Messages taken from a queue, by outcome (ok, duplicate, retried, parked).",
    ["queue", "type", "outcome"],
)
EVENT_PROCESSING = Histogram(
    "pantau_event_processing_seconds",
    "Time a handler spent on one message.",
    ["queue", "type"],
    buckets=_FAST,
)
EVENTS_PARKED = Counter(
    "pantau_events_parked_total",
    "Messages moved to a parking queue, by reason.",
    ["queue", "reason"],
)
EVENTS_PUBLISHED = Counter(
    "pantau_events_published_total",
    "Events confirmed by the broker, by type.",
    ["service", "type"],
)
OUTBOX_BACKLOG = Gauge(
    "pantau_outbox_backlog",
    "Documents with events not yet published.",
    ["service"],
    multiprocess_mode="max",
)
OUTBOX_OLDEST = Gauge(
    "pantau_outbox_oldest_age_seconds",
    "Age of the oldest unpublished event.",
    ["service"],
    multiprocess_mode="max",
)
OUTBOX_PUBLISH_ERRORS = Counter(
    "pantau_outbox_publish_errors_total",
    "Relay rounds that could not publish (broker down or refusing).",
    ["service"],
)
CASES_ACCEPTED = Counter(
    "pantau_cases_accepted_total",
    "New cases registered by intake, by tenant (regency code) and source; a repeated "
    "submission of a known case is not counted.",
    ["tenant", "source"],
)
PIPELINE_LATENCY = Histogram(
    "pantau_pipeline_latency_seconds",
    "Time from a case's submission to the moment its first alert was sent, by channel.",
    ["channel"],
    # From seconds (the normal path) to a day (an alert held for quiet hours or a digest).
    buckets=(0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0, 4 * 3600.0, 86400.0),
)
DEADLINE_BREACHES = Counter(
    "pantau_deadline_breaches_total",
    "Statutory stage deadlines breached (the case escalated past its officer), by tenant.",
    ["tenant"],
)
QUEUE_MESSAGES = Gauge(
    "pantau_queue_messages",
    "Messages ready in a queue (not yet delivered), as a worker last read it from the broker.",
    ["queue"],
    multiprocess_mode="max",
)
QUEUE_CONSUMERS = Gauge(
    "pantau_queue_consumers",
    "Consumers attached to a queue, as a worker last read it from the broker.",
    ["queue"],
    multiprocess_mode="max",
)
CONSUMER_CONNECTED = Gauge(
    "pantau_consumer_connected",
    "1 while this worker's consumer holds a live broker connection, else 0.",
    ["queue"],
    multiprocess_mode="max",
)


class _WrittenFilesCollector(prom_multiprocess.MultiProcessCollector):
    """The multiprocess collector, skipping value files a starting worker has created and
    not yet sized: read at that moment, the library fails the whole scrape (a 500 on
    /metrics while gunicorn replaces a worker). Such a file holds no value yet."""

    def collect(self) -> Any:
        files = [f for f in glob.glob(os.path.join(self._path, "*.db")) if _has_header(f)]
        return self.merge(files, accumulate=True)  # type: ignore[no-untyped-call]


def _has_header(path: str) -> bool:
    try:
        return os.path.getsize(path) >= 8  # the used-bytes header and its padding
    except OSError:
        return False  # removed since the glob (a dead worker's live gauges)


def scrape_registry() -> CollectorRegistry:
    """The registry to expose: merged per scrape across gunicorn workers when multiprocess."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        _WrittenFilesCollector(registry)  # type: ignore[no-untyped-call]
        return registry
    return REGISTRY


def render() -> tuple[bytes, str]:
    """Body and content type of a scrape."""
    return generate_latest(scrape_registry()), CONTENT_TYPE_LATEST


def observe_first_alert(case: Mapping[str, Any] | None, sent_at: datetime, channel: str) -> None:
    """Record the pipeline latency of a case whose first alert has just reached its timeline.

    ``case`` holds the case's ``submitted_at`` and its timeline kinds. Later alerts of the same
    case (reminders, escalations, a second channel) are not the pipeline and are left out, so
    the histogram says how long an officer waits to hear of a new case.
    """
    if not case or not isinstance(case.get("submitted_at"), datetime):
        return
    notified = sum(1 for entry in case.get("timeline") or () if entry.get("kind") == "notified")
    if notified != 1:
        return
    observe_pipeline_latency(case["submitted_at"], sent_at, channel)


def observe_pipeline_latency(submitted: datetime, sent_at: datetime, channel: str) -> None:
    """Record how long after its submission a case's first alert was sent."""
    elapsed = (sent_at - dates.aware(submitted)).total_seconds()
    PIPELINE_LATENCY.labels(channel=channel).observe(max(elapsed, 0.0))


def timed(histogram: Histogram, **labels: str) -> Callable[[], None]:
    """Start a timer; calling the result observes the elapsed time."""
    start = time.perf_counter()

    def stop() -> None:
        histogram.labels(**labels).observe(time.perf_counter() - start)

    return stop
