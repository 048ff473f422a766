"""The front door (Debian's nginx, from deploy/proxy) in front of a running suite, and a raw
HTTP client for what a well-behaved library will not send."""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from services.cli.infra import free_port
from services.cli.localmode import Child, wait_until_ready
from services.cli.proxy import local_door, prepare
from tests.support.suite import Suite


@dataclass
class FrontDoor:
    """nginx on its own ports in front of the suite's apps."""

    ports: dict[str, int]
    body_timeout_s: int
    child: Child

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"


@contextlib.contextmanager
def front_door(
    suite: Suite, home: Path, *, header_timeout_s: int = 2, body_timeout_s: int = 2
) -> Iterator[FrontDoor]:
    """The door of the local mode, with the suite's apps as upstreams (and timeouts the tests
    can wait out)."""
    app_ports = {name: urlsplit(url).port or 80 for name, url in suite.urls.items()}
    public = {name: free_port() for name in app_ports}
    door = local_door(
        home,
        app_ports,
        public,
        suite.settings,
        header_timeout_s=header_timeout_s,
        body_timeout_s=body_timeout_s,
    )
    child = Child("proxy", prepare(home, door), dict(os.environ), home / "proxy.log")
    child.start()
    try:
        wait_until_ready([child], public, 30)
        yield FrontDoor(public, body_timeout_s, child)
    finally:
        child.stop()
        child.wait(10)


@dataclass
class RawAnswer:
    status: int
    headers: dict[str, str]
    body: bytes


def raw_request(
    port: int, request: bytes, *, timeout: float = 10, source: str = "127.0.0.1"
) -> RawAnswer:
    """Send ``request`` as bytes on a fresh connection and read the answer until the door
    closes it (or ``timeout``)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                  source_address=(source, 0)) as sock:  # fmt: skip
        sock.sendall(request)
        received = b""
        with contextlib.suppress(TimeoutError, ConnectionResetError):
            while chunk := sock.recv(65536):
                received += chunk
    return parse_answer(received)


def parse_answer(received: bytes) -> RawAnswer:
    """Status, headers (lower-case names) and body of one HTTP/1.1 answer."""
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].startswith("HTTP/1."), f"not an HTTP answer: {received[:200]!r}"
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return RawAnswer(status, headers, body)


class _FromAddress(HTTPAdapter):
    def __init__(self, source: str) -> None:
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


def session_from(source: str) -> requests.Session:
    """A requests session whose connections come from ``source`` (any 127.x.y.z works on
    the loopback): a client the door sees at another address than the tests' own."""
    session = requests.Session()
    session.mount("http://", _FromAddress(source))
    return session
