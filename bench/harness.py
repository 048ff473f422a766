"""Shared pieces of the benchmarks: real servers in a scratch folder, wrk runs, a report."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from services.cli.infra import (
    InfraError,
    MongoServer,
    add_vhost,
    delete_vhosts,
    ensure_rabbitmq,
    ensure_wrk,
    free_port,
    port_open,
    wait_for,
)
from shared.gunicorn_hooks import web_workers


def say(line: str) -> None:
    """Progress on stderr, so the figures on stdout stay clean."""
    print(f"[bench] {line}", file=sys.stderr, flush=True)


@dataclass
class Servers:
    mongo_url: str
    amqp_url: str
    home: Path
    vhost: str
    mongod_pid: int | None = None


@contextmanager
def real_servers() -> Iterator[Servers]:
    """A fresh mongod and RabbitMQ vhost, removed afterwards."""
    ensure_rabbitmq(say=say)
    home = Path(tempfile.mkdtemp(prefix="pantau-bench-"))
    mongo = MongoServer(home / "mongo", free_port())
    say(f"starting mongod on port {mongo.port}")
    mongo.start()
    vhost = f"pantau-bench-{uuid.uuid4().hex[:8]}"
    add_vhost(vhost)
    try:
        yield Servers(
            mongo.url,
            f"amqp://guest:guest@127.0.0.1:5672/{vhost}",
            home,
            vhost,
            mongo.process.pid if mongo.process is not None else None,
        )
    finally:
        mongo.stop()
        delete_vhosts([vhost])
        shutil.rmtree(home, ignore_errors=True)


@contextmanager
def gunicorn(
    conf: str, port: int, env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """A gunicorn master with ``conf`` on ``port`` until the block ends."""
    full_env = {**os.environ, **env, "PANTAU_BIND": f"127.0.0.1:{port}"}
    start = log.stat().st_size if log.exists() else 0
    with open(log, "ab") as out:
        process = subprocess.Popen(
            # At info level gunicorn says when each worker is ready (the app's own level stays).
            [sys.executable, "-m", "gunicorn", "-c", f"python:{conf}", "--log-level", "info"],
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: port_open("127.0.0.1", port), 60, f"gunicorn {conf}")
        # The master listens before its workers have built the app; wrk's connections are
        # kept alive, so load started then would stay on the first worker ready.
        workers = web_workers(full_env)
        wait_for(lambda: _ready_workers(log, start) >= workers, 60, f"{workers} workers of {conf}")
        yield process
    finally:
        process.terminate()
        process.wait(30)


def _ready_workers(log: Path, start: int) -> int:
    """How many workers have said they are ready (shared.gunicorn_hooks.post_worker_init)
    in what the log gained after ``start``."""
    with open(log, "rb") as text:
        text.seek(start)
        return text.read().count(b"Worker ready (pid:")


@dataclass
class WrkResult:
    rate: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    errors: int


_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %s"
wrk.body = [[%s]]
"""


def wrk_post(
    url: str, body: dict[str, object], token: str, seconds: int, connections: int = 16
) -> WrkResult:
    """Drive ``url`` with POSTs of ``body`` for ``seconds`` and parse wrk's report."""
    try:
        ensure_wrk(say=say)
    except InfraError as exc:
        raise SystemExit(str(exc)) from exc
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_LUA % (token, json.dumps(body, ensure_ascii=False)))
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(script.name)
    return WrkResult(
        rate=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        p50_ms=_ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),  # type: ignore[union-attr]
        p99_ms=_ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),  # type: ignore[union-attr]
        requests=int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
        non_2xx=int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0,
        errors=sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out)),
    )


def _ms(text: str) -> float:
    value = float(re.match(r"[\d.]+", text).group(0))  # type: ignore[union-attr]
    if text.endswith("us"):
        return value / 1000
    if text.endswith("ms"):
        return value
    if text.endswith("s"):
        return value * 1000
    return value
