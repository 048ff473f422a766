"""A local HTTP server that behaves like an Indonesian SMS gateway, for the SMS channel's tests.

Modes: ``success`` (200 {"status": "ok"}), ``rate_limit`` (429), ``timeout`` (answers only
after the client has given up), ``permanent`` (400, number rejected), ``garbage`` (200 with
a body no gateway would send), ``error`` (503), ``echo`` (200, the number sent repeated in
the answer, as many gateways write it). ``script`` queues modes for the next
requests, after which ``mode`` applies again. Every request is recorded.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

ANSWERS: dict[str, tuple[int, str]] = {
    "success": (200, '{"status": "ok", "message_id": "msg-%d"}'),
    "rate_limit": (429, '{"status": "throttled", "error": "too many requests"}'),
    "timeout": (200, '{"status": "ok", "message_id": "late-%d"}'),
    "permanent": (400, '{"status": "rejected", "error": "invalid destination number"}'),
    "garbage": (200, "<html><body>Maintenance %d</body></html>"),
    "error": (503, "Service Unavailable"),
    "echo": (200, '{"status": "ok", "message_id": "msg-%d", "to": "%s"}'),
}


@dataclass(frozen=True)
class Received:
    """One request as the gateway saw it."""

    method: str
    path: str
    headers: dict[str, str]
    fields: dict[str, Any]
    mode: str


class SmsGateway:
    """Runs on 127.0.0.1 on a free port until stopped."""

    def __init__(self, mode: str = "success", slow_s: float = 3.0) -> None:
        self.mode = mode
        self.slow_s = slow_s
        self.script: list[str] = []
        self.received: list[Received] = []
        self.lock = threading.Condition()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                gateway._answer(self)

            def do_GET(self) -> None:
                gateway._answer(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the test output stays readable

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/sms/send"

    def start(self) -> SmsGateway:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _next_mode(self) -> str:
        with self.lock:
            return self.script.pop(0) if self.script else self.mode

    def _answer(self, request: BaseHTTPRequestHandler) -> None:
        mode = self._next_mode()
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        parts = urlsplit(request.path)
        fields: dict[str, Any] = {k: v[0] for k, v in parse_qs(parts.query).items()}
        content_type = request.headers.get("Content-Type", "")
        if raw and "json" in content_type:
            fields.update(json.loads(raw))
        elif raw:
            fields.update({k: v[0] for k, v in parse_qs(raw.decode()).items()})
        with self.lock:
            number = len(self.received) + 1
            self.received.append(
                Received(request.command, parts.path, dict(request.headers), fields, mode)
            )
            self.lock.notify_all()
        status, body = ANSWERS[mode]
        if mode == "timeout":
            time.sleep(self.slow_s)
        if mode == "echo":
            body = body % (number, fields.get("to", ""))
        elif "%d" in body:
            body = body % number
        payload = body.encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(payload)))
            request.end_headers()
            request.wfile.write(payload)
        except OSError:
            pass  # the client gave up waiting, as a real client would

    def accepted(self) -> list[Received]:
        """Requests that were answered with success (the SMS a phone would receive)."""
        with self.lock:
            return [r for r in self.received if r.mode == "success"]

    def wait_for(self, count: int, timeout: float) -> list[Received]:
        """Wait until ``count`` requests arrived; return every request received."""
        with self.lock:
            self.lock.wait_for(lambda: len(self.received) >= count, timeout)
            return list(self.received)
