"""The front door's own answers: what nginx refuses before a service sees the request is
problem+json on the API ports and a small page in Bahasa Indonesia on the console's, never
gunicorn's HTML, never a version; a body shorter than its Content-Length is cut off within
the body timeout instead of holding a connection."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import time

import pytest

from tests.support.front_door import FrontDoor, RawAnswer, raw_request
from tests.support.suite import Suite

SERVICES = ("intake", "triage", "notify", "console")
HUGE = 500 * 1024 * 1024  # more than any service accepts


def _head(path: str, *headers: str, method: str = "GET") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: pantau.test", "Connection: close", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


REFUSED = {
    "request line too long": (414, _head("/v1/cases?q=" + "a" * 10_000)),
    "header too large": (431, _head("/v1/cases", "X-Padding: " + "b" * 9_000)),
    "bad request line": (400, b"GARBAGE\r\n\r\n"),
    "negative Content-Length": (400, _head("/v1/cases", "Content-Length: -1", method="POST")),
    "Content-Length with Transfer-Encoding": (
        400,
        _head(
            "/v1/cases",
            "Content-Length: 5",
            "Transfer-Encoding: chunked",
            method="POST",
        )
        + b"0\r\n\r\n",
    ),
    "body too large": (413, _head("/v1/cases", f"Content-Length: {HUGE}", method="POST")),
}


def _assert_in_the_door_s_words(service: str, answer: RawAnswer, status: int) -> None:
    assert answer.status == status, (answer.status, answer.body[:300])
    # nginx names itself, never its version (server_tokens off); never gunicorn.
    assert answer.headers.get("server") == "nginx", answer.headers
    body = answer.body.decode()
    if service == "console":
        assert answer.headers["content-type"].startswith("text/html"), answer.headers
        assert '<html lang="id">' in body
        assert f"(kode {status})" in body
        # Nothing from another host: no script, style, image or absolute link at all.
        assert not re.search(r"<(script|link|img|style)\b|https?://", body), body
        assert answer.headers.get("content-security-policy") == "default-src 'none'"
    else:
        assert answer.headers["content-type"] == "application/problem+json", answer.headers
        problem = json.loads(body)
        assert problem["status"] == status
        assert problem["type"] == "about:blank"
        assert problem["title"], problem
        assert problem["detail"], problem
    assert "nginx/" not in body
    assert "gunicorn" not in body.lower()


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("case", sorted(REFUSED))
def test_the_door_refuses_in_the_services_own_format(
    door_suite: tuple[Suite, FrontDoor], service: str, case: str
) -> None:
    _, door = door_suite
    status, request = REFUSED[case]
    answer = raw_request(door.ports[service], request)
    _assert_in_the_door_s_words(service, answer, status)


@pytest.mark.parametrize("service", SERVICES)
def test_a_body_shorter_than_its_length_is_cut_off_within_the_body_timeout(
    door_suite: tuple[Suite, FrontDoor], service: str
) -> None:
    """nginx ends such a request when the body timeout runs out (its log says 408; nginx
    sends nothing for a timed-out body, it closes the connection): the connection is not
    held longer than that."""
    _, door = door_suite
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", door.ports[service]), timeout=30) as sock:
        headers = ("Content-Length: 1000", "Content-Type: application/json")
        sock.sendall(_head("/v1/cases", *headers, method="POST") + b'{"title": ')
        received = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(65536):
                received += chunk
    waited = time.monotonic() - started
    assert received == b"", received[:300]
    # The bound is the (test-shortened) body timeout the door was given, plus its timer's slack.
    assert waited < door.body_timeout_s + 2, waited


def test_the_services_own_answers_pass_the_door_untouched(
    door_suite: tuple[Suite, FrontDoor],
) -> None:
    """Only what nginx writes itself is replaced: a service's own problem keeps its details."""
    _, door = door_suite
    answer = raw_request(door.ports["intake"], _head("/v1/cases/nope", "Authorization: Bearer x"))
    assert answer.status == 401
    assert answer.headers["content-type"] == "application/problem+json"
    assert "request_id" in json.loads(answer.body)
    # gunicorn's Server header stays behind the door.
    assert answer.headers.get("server") == "nginx"
