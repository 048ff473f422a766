"""Gunicorn settings and hooks shared by the three HTTP services.

Each service's ``gunicorn_conf.py`` imports these names. The app is not preloaded, so every
worker builds it (and opens its database and broker sockets) after the fork. The Prometheus
multiprocess directory is wiped when the master starts and a dead worker's files are marked,
so scrapes neither double-count nor slow down as workers come and go.
"""

from __future__ import annotations

import os
import shutil
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
    "limit_request_fields",
    "limit_request_line",
    "loglevel",
    "on_starting",
    "preload_app",
    "threads",
    "timeout",
    "worker_class",
    "workers",
]


def bind_for(default_port: int) -> str:
    """Where to listen: ``PANTAU_BIND`` or all interfaces on the service's default port."""
    return os.environ.get("PANTAU_BIND", f"0.0.0.0:{default_port}")


workers = int(os.environ.get("PANTAU_WEB_WORKERS", "2"))
threads = int(os.environ.get("PANTAU_WEB_THREADS", "4"))
worker_class = "gthread"
preload_app = False
# Slow clients on weak mobile links must not hold a worker forever.
timeout = 30
graceful_timeout = 20
keepalive = 5
limit_request_line = 8190
limit_request_fields = 100
accesslog = None
errorlog = "-"
loglevel = os.environ.get("PANTAU_LOG_LEVEL", "info").lower()


def on_starting(server: Any) -> None:
    """Wipe stale metric files left by an earlier run before any worker writes new ones."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory, exist_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    """Drop a dead worker's live gauges so scrapes reflect only running processes."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
