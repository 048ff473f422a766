"""The front door's own answers: what nginx refuses before a service sees the request is
problem+json on the API ports and a small page in Bahasa Indonesia on the console's, never
gunicorn's HTML, never a version; a body shorter than its Content-Length is answered 408
within the body timeout instead of holding a connection."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import time

import pytest

from tests.support.builders import case_payload
from tests.support.front_door import FrontDoor, RawAnswer, parse_answer, raw_request
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
def test_a_body_shorter_than_its_length_is_answered_408_within_the_body_timeout(
    door_suite: tuple[Suite, FrontDoor], service: str
) -> None:
    """The client is told, in the service's format, that its request did not arrive whole,
    and the connection is closed: not held, and not left for what remains of the body to be
    read as a request."""
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
    answer = parse_answer(received)
    _assert_in_the_door_s_words(service, answer, 408)
    assert answer.headers.get("connection") == "close", answer.headers
    # The bound is the (test-shortened) body timeout the door was given, plus its timer's slack.
    assert waited < door.body_timeout_s + 2, waited


def test_a_large_body_with_pauses_shorter_than_the_timeout_arrives_whole(
    door_suite: tuple[Suite, FrontDoor],
) -> None:
    """The door reads the body itself: one past its memory buffer (written to a file), sent in
    two parts with a pause below the body timeout between them, reaches intake byte for byte;
    the timeout counts silence, not the whole upload, so a weak link is not cut off."""
    suite, door = door_suite
    key = suite.key()
    description = "Unggahan dukungan paslon oleh staf dinas, dibagikan ulang. " * 150
    document = json.dumps(case_payload(description=description, source_ref="door-large-body"))
    # JSON allows whitespace between tokens: 300 KB of it carries the body past 64 KB.
    body = (document[:-1] + " " * 300_000 + "}").encode()
    head = _head(
        "/v1/cases",
        f"Authorization: Bearer {key}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        method="POST",
    )
    half = len(body) // 2
    with socket.create_connection(("127.0.0.1", door.ports["intake"]), timeout=30) as sock:
        sock.sendall(head + body[:half])
        time.sleep(door.body_timeout_s / 2)
        sock.sendall(body[half:])
        received = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(65536):
                received += chunk
    answer = parse_answer(received)
    assert answer.status == 201, answer.body[:500]
    # A submitter sees what it filed in short; a supervisor reads the description.
    filed = suite.case(suite.key(role="supervisor"), json.loads(answer.body)["id"])
    assert filed["description"] == description.strip()


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
