"""A private RabbitMQ node for a fault test that must hang or stop the broker.

The machine's broker (127.0.0.1:5672) is shared by every test and every run on the machine, so a
test that freezes it breaks theirs. This starts a second node of the same installed server,
with its own name, ports, cookie, data and logs in a temporary folder, and nothing else in
common with the shared one but the epmd daemon (which is built to serve several nodes).

Debian's ``/usr/sbin/rabbitmq-server`` wrapper switches to the ``rabbitmq`` user and writes
to the system's log folder, so the node is started with the upstream scripts it wraps.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path

from services.cli.infra import InfraError, free_port, port_open

_SCRIPT_DIRS = ("/usr/lib/rabbitmq/bin", "/usr/local/lib/rabbitmq/bin")


def _script(name: str) -> str:
    for folder in _SCRIPT_DIRS:
        path = os.path.join(folder, name)
        if os.access(path, os.X_OK):
            return path
    found = shutil.which(name)
    if found is None:
        raise InfraError(f"{name} is not installed (Debian's rabbitmq-server package)")
    return found


class RabbitNode:
    """One RabbitMQ node on free loopback ports, its files under ``home``."""

    def __init__(self, home: Path, *, cookie: str | None = None) -> None:
        self.home = home
        self.name = f"pantau-fault-{uuid.uuid4().hex[:8]}@localhost"
        self.port = free_port()
        self.dist_port = free_port()
        self.os_pid: int | None = None
        # Nodes of one cluster must share their Erlang cookie; a lone node makes its own.
        self.cookie = cookie

    @property
    def url(self) -> str:
        """The default vhost: the node is this test's alone, so it needs no other."""
        return f"amqp://guest:guest@127.0.0.1:{self.port}/%2F"

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RABBITMQ_")}
        env.update(
            {
                # Erlang keeps its cookie in $HOME: a cookie of our own, shared by the node and
                # the CLI calls below, and nothing written to the real home folder.
                "HOME": str(self.home),
                "RABBITMQ_NODENAME": self.name,
                "RABBITMQ_NODE_PORT": str(self.port),
                "RABBITMQ_DIST_PORT": str(self.dist_port),
                "RABBITMQ_MNESIA_BASE": str(self.home / "mnesia"),
                "RABBITMQ_LOG_BASE": str(self.home / "log"),
                "RABBITMQ_PID_FILE": str(self.home / "node.pid"),
                # Not the system's files: they pin the listener to 5672 and the node name.
                "RABBITMQ_CONFIG_FILE": str(self.home / "rabbitmq.conf"),
                "RABBITMQ_CONF_ENV_FILE": str(self.home / "rabbitmq-env.conf"),
                "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.home / "enabled_plugins"),
                "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": (
                    "-kernel inet_dist_use_interface {127,0,0,1}"
                ),
            }
        )
        return env

    def ctl(self, *args: str, timeout: float = 60) -> str:
        result = subprocess.run(
            [_script("rabbitmqctl"), "-q", "-n", self.name, *args],
            env=self._env(),
            cwd=self.home,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise InfraError(f"rabbitmqctl {' '.join(args)}: {result.stderr.strip()[-800:]}")
        return result.stdout.strip()

    def start(self, timeout: float = 120) -> None:
        self.launch()
        self.await_started(timeout)

    def launch(self) -> None:
        """Start the node in the background (``await_started`` waits for it): the nodes of a
        cluster boot side by side instead of one after the other."""
        self.home.mkdir(parents=True, exist_ok=True)
        if self.cookie is not None:
            cookie = self.home / ".erlang.cookie"
            if not cookie.exists():
                cookie.write_text(self.cookie)
                cookie.chmod(0o400)
        (self.home / "rabbitmq.conf").write_text(
            f"listeners.tcp.local = 127.0.0.1:{self.port}\n"
            # A few MB of free disk must not make a test node refuse publishes.
            "disk_free_limit.absolute = 50MB\n"
        )
        (self.home / "rabbitmq-env.conf").write_text("")
        (self.home / "enabled_plugins").write_text("[].\n")
        subprocess.run(
            [_script("rabbitmq-server"), "-detached"],
            env=self._env(),
            cwd=self.home,
            check=True,
            capture_output=True,
            timeout=30,
        )

    def await_started(self, timeout: float = 120) -> None:
        # The node registers with epmd a few seconds after -detached returns; until then
        # await_startup fails at once instead of waiting, hence the loop.
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.ctl("await_startup", "--timeout", "30", timeout=40)
                break
            except (InfraError, subprocess.TimeoutExpired) as exc:
                if time.monotonic() > deadline:
                    self.stop()
                    raise InfraError(
                        f"private RabbitMQ node {self.name} did not start (logs in "
                        f"{self.home / 'log'}): {exc}"
                    ) from exc
                time.sleep(1)
        self.os_pid = int(self.ctl("eval", "os:getpid().").strip('"'))
        if not port_open("127.0.0.1", self.port):
            raise InfraError(f"private RabbitMQ node listens on no port {self.port}")

    def suspend(self) -> None:
        """SIGSTOP the node: sockets stay open, the kernel still completes TCP handshakes,
        and nothing answers — the broker is hung, not gone."""
        assert self.os_pid is not None
        os.kill(self.os_pid, signal.SIGSTOP)

    def kill(self) -> None:
        """SIGKILL the node's VM: no goodbye to its clients or to the other nodes."""
        assert self.os_pid is not None
        os.kill(self.os_pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while _alive(self.os_pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.os_pid = None
        # epmd forgets the name once the dead VM's socket closes; a start before that fails.
        with contextlib.suppress(OSError):
            (self.home / "node.pid").unlink()

    def resume(self) -> None:
        assert self.os_pid is not None
        os.kill(self.os_pid, signal.SIGCONT)

    def stop(self) -> None:
        pid = self.os_pid
        if pid is None:
            with contextlib.suppress(OSError, ValueError):
                pid = int((self.home / "node.pid").read_text().strip())
        if pid is None:
            return
        # A node left stopped would never shut down.
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGCONT)
        with contextlib.suppress(InfraError, subprocess.TimeoutExpired):
            self.ctl("stop", timeout=60)
        deadline = time.monotonic() + 30
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.os_pid = None


def _alive(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie waiting for its reaper does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"
