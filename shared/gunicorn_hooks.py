"""Gunicorn settings and hooks shared by the three HTTP services.

Each service's ``gunicorn_conf.py`` imports these names. The app is not preloaded, so every
worker builds it (and opens its database and broker sockets) after the fork. The Prometheus
multiprocess directory is wiped when the master starts and a dead worker's files are marked,
so scrapes neither double-count nor slow down as workers come and go.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from typing import Any

from prometheus_client import multiprocess

# What a service's gunicorn_conf.py takes with `import *`: gunicorn reads these module names.
__all__ = [
    "accesslog",
    "bind_for",
    "child_exit",
    "errorlog",
    "graceful_timeout",
    "keepalive",
    "limit_request_field_size",
    "limit_request_fields",
    "limit_request_line",
    "loglevel",
    "on_starting",
    "post_worker_init",
    "preload_app",
    "threads",
    "timeout",
    "worker_class",
    "workers",
]


def bind_for(default_port: int) -> str:
    """Where to listen: ``PANTAU_BIND`` or all interfaces on the service's default port."""
    return os.environ.get("PANTAU_BIND", f"0.0.0.0:{default_port}")


def web_workers(environ: Mapping[str, str] = os.environ) -> int:
    """How many worker processes a service runs (``PANTAU_WEB_WORKERS``, two by default);
    the benchmarks wait for that many to be ready."""
    return int(environ.get("PANTAU_WEB_WORKERS", "2"))


workers = web_workers()
threads = int(os.environ.get("PANTAU_WEB_THREADS", "4"))
worker_class = "gthread"
preload_app = False
# Bounded on purpose. In every deployment the front door (deploy/proxy, nginx) reads each
# request whole before a thread here sees it, so these are the second line, for whoever
# reaches an app directly (Prometheus, the other services, a mistaken firewall rule).
# A worker silent this long (a thread stuck on a dead socket) is killed and replaced; below
# the door's proxy_read_timeout (60 s), so the app's own end comes first.
timeout = 30
graceful_timeout = 20
# An idle keep-alive connection is dropped after this long; the door opens one connection per
# request, so only direct callers reuse them, and a short wait keeps their sockets few.
keepalive = 5
# The request line, the number of header fields and the size of one field: gunicorn's own
# defaults made explicit, each at or above the door's (8 KB buffers), so a request the door
# let through is never refused here in HTML.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = None
errorlog = "-"
loglevel = os.environ.get("PANTAU_LOG_LEVEL", "info").lower()


def on_starting(server: Any) -> None:
    """Wipe stale metric files left by an earlier run before any worker writes new ones."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory, exist_ok=True)


def post_worker_init(worker: Any) -> None:
    """Say when a worker has built its app and takes requests: until then the other workers
    accept every connection (a keep-alive client started early stays on one worker)."""
    worker.log.info("Worker ready (pid: %s)", worker.pid)


def child_exit(server: Any, worker: Any) -> None:
    """Drop a dead worker's live gauges so scrapes reflect only running processes."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
