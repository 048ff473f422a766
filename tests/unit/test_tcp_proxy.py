"""The fault tests' TCP proxy does what its modes promise, against a loopback echo server."""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
import time
from collections.abc import Iterator

import pytest

from tests.support.tcp_proxy import TcpProxy


class _Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        # The proxy resets this side too: that is the point, not an error.
        with contextlib.suppress(ConnectionResetError):
            while data := self.request.recv(65536):
                self.request.sendall(data)


@pytest.fixture
def proxy() -> Iterator[TcpProxy]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Echo)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with TcpProxy("127.0.0.1", server.server_address[1]) as started:
        yield started
    server.shutdown()
    server.server_close()


def _connect(proxy: TcpProxy) -> socket.socket:
    return socket.create_connection(("127.0.0.1", proxy.port), timeout=5)


def _round_trip(sock: socket.socket, payload: bytes = b"ping") -> float:
    started = time.monotonic()
    sock.sendall(payload)
    got = b""
    while len(got) < len(payload):
        chunk = sock.recv(65536)
        assert chunk, "the proxy closed the connection"
        got += chunk
    assert got == payload
    return time.monotonic() - started


def test_pass_through_and_delay_per_direction(proxy: TcpProxy) -> None:
    with _connect(proxy) as sock:
        assert _round_trip(sock) < 0.5
        proxy.delay(0.2)
        # Held once on the way in and once on the way out.
        assert _round_trip(sock) >= 0.4
        proxy.pass_through()
        assert _round_trip(sock) < 0.5
    assert proxy.stats.bytes_up == proxy.stats.bytes_down == 12


def test_delay_keeps_order_and_does_not_serialise_chunks(proxy: TcpProxy) -> None:
    proxy.delay(0.3)
    with _connect(proxy) as sock:
        started = time.monotonic()
        for i in range(10):
            sock.sendall(f"<{i}>".encode())
            time.sleep(0.01)
        expected = b"".join(f"<{i}>".encode() for i in range(10))
        got = b""
        while len(got) < len(expected):
            got += sock.recv(65536)
        assert got == expected
        # Ten chunks each held 2 x 0.3 s, but side by side: well under ten round trips.
        assert time.monotonic() - started < 2.0


def test_stall_holds_everything_until_the_link_comes_back(proxy: TcpProxy) -> None:
    with _connect(proxy) as old:
        assert _round_trip(old) < 0.5
        proxy.stall()
        old.sendall(b"held")
        new = _connect(proxy)  # the TCP handshake still succeeds: a half-dead link
        new.sendall(b"also")
        for sock in (old, new):
            sock.settimeout(0.5)
            with pytest.raises(TimeoutError):
                sock.recv(10)
        proxy.pass_through()
        for sock, payload in ((old, b"held"), (new, b"also")):
            sock.settimeout(5)
            assert sock.recv(10) == payload
        new.close()


def test_reset_sends_rst_to_open_and_new_connections(proxy: TcpProxy) -> None:
    with _connect(proxy) as sock:
        assert _round_trip(sock) < 0.5
        proxy.reset()
        with pytest.raises(ConnectionResetError):
            sock.recv(10)
    # The RST may even beat the end of the client's connect().
    with pytest.raises(ConnectionResetError), _connect(proxy) as sock:
        sock.recv(10)
    proxy.pass_through()
    with _connect(proxy) as sock:
        assert _round_trip(sock) < 0.5
        assert proxy.reset_all() == 1
        with pytest.raises(ConnectionResetError):
            sock.recv(10)
    assert proxy.stats.reset == 3
