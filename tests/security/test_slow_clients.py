"""Slow clients at the front door: connections that send headers announcing a body and then
trickle it a byte at a time (fast enough never to hit a timeout) are held by nginx, not by
the services' few gunicorn threads; health, a real submission and the citizens' form answer
meanwhile within the issue's own bound of two seconds."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import requests

from tests.support.builders import case_payload
from tests.support.front_door import FrontDoor
from tests.support.suite import Suite

SLOW_CLIENTS = 50
BOUND_S = 2  # the issue's own bound


@contextlib.contextmanager
def slow_clients(ports: list[int], count: int) -> Iterator[list[socket.socket]]:
    """``count`` connections spread over ``ports``, each announcing 1000 bytes of body and
    sending one byte every half second (well within any body timeout)."""
    sockets = []
    for n in range(count):
        port = ports[n % len(ports)]
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(
            b"POST /v1/cases HTTP/1.1\r\nHost: pantau.test\r\nContent-Type: application/json"
            b"\r\nContent-Length: 1000\r\n\r\n["
        )
        sockets.append(sock)
    stop = threading.Event()

    def trickle() -> None:
        while not stop.wait(0.5):
            for sock in sockets:
                with contextlib.suppress(OSError):
                    sock.sendall(b" ")

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        yield sockets
    finally:
        stop.set()
        thread.join(5)
        for sock in sockets:
            sock.close()


def _still_held(sock: socket.socket) -> bool:
    """Open, and nothing answered yet: the door is still waiting for this body."""
    sock.setblocking(False)
    try:
        sock.recv(1, socket.MSG_PEEK)  # an answer, or b"" for a closed connection
    except BlockingIOError:
        return True
    finally:
        sock.setblocking(True)
    return False


def test_fifty_slow_clients_do_not_stop_intake_or_the_public_pages(
    door_suite: tuple[Suite, FrontDoor],
) -> None:
    suite, door = door_suite
    key = suite.key()
    ports = [door.ports["intake"], door.ports["console"]]
    with slow_clients(ports, SLOW_CLIENTS) as held:
        for n in range(3):
            health = requests.get(f"{door.url('intake')}/healthz", timeout=BOUND_S)
            assert health.status_code == 200
            submitted = requests.post(
                f"{door.url('intake')}/v1/cases",
                json=case_payload(source_ref=f"slow-clients-{n}"),
                headers={"Authorization": f"Bearer {key}"},
                timeout=BOUND_S,
            )
            assert submitted.status_code == 201, submitted.text
            form = requests.get(f"{door.url('console')}/lapor", timeout=BOUND_S)
            assert form.status_code == 200
            assert "<form" in form.text
        # The slow clients were held the whole time, not refused or cut off.
        assert all(_still_held(sock) for sock in held)
